"""The operator's guide documents every setting of `config.py`, with its default, and names
nothing that is not a setting; the guides the index links to exist."""

from __future__ import annotations

import re

from xinyong.config import REPO_ROOT, Settings

GUIDE = REPO_ROOT / "docs" / "guide"


def _settings_table() -> dict[str, str]:
    text = (GUIDE / "运维指南.md").read_text(encoding="utf-8")
    section = text.split("## 2. 设置参考", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `XINYONG_([A-Z_]+)` \| ([^|]*) \|", section, flags=re.MULTILINE)
    return {name.lower(): default.strip() for name, default in rows}


def test_every_setting_is_documented_and_nothing_else() -> None:
    documented = _settings_table()
    fields = set(Settings.model_fields)
    assert sorted(fields - set(documented)) == [], "settings missing from 运维指南.md §2"
    assert sorted(set(documented) - fields) == [], "运维指南.md §2 names settings config.py lacks"


def test_the_documented_defaults_are_the_defaults() -> None:
    documented = _settings_table()
    for name, field in Settings.model_fields.items():
        default = field.default
        if name == "secret_key" or default is None:
            continue
        if isinstance(default, bool):
            assert documented[name] == f"`{str(default).lower()}`", name
        elif isinstance(default, int | str) and not str(default).startswith(("sqlite", "/")):
            assert documented[name] == f"`{default}`", name


def test_the_index_links_to_existing_guides() -> None:
    index = (GUIDE / "README.md").read_text(encoding="utf-8")
    links = re.findall(r"\]\(([^)#]+)\)", index)
    assert "运维指南.md" in links
    assert "使用指南.md" in links
    for link in links:
        if not link.startswith("http"):
            assert (GUIDE / link).exists(), link
