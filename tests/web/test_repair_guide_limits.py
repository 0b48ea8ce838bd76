"""/guide/repair states a time limit the catalog marks `uncertain` with "以认定单位告知为准",
never as certain — driven by the catalog's marker: a region that confirms the figure (its
override sets `uncertain: false`) gets the plain sentence."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.conftest import CATALOG_DIR
from xinyong import catalog as catalog_pkg

NOTE = "（以认定单位告知为准）"


def _steps(client: TestClient) -> str:
    page = client.get("/guide/repair").text
    return re.sub(r"<[^>]+>", "", page[page.index('id="steps"') : page.index("</ol>")])


def test_the_guide_marks_the_limits_the_catalog_marks_uncertain(client: TestClient) -> None:
    steps = _steps(client)
    assert "3 个工作日内决定是否受理，" in steps  # not marked: stated plainly
    assert f"10 个工作日内作出决定{NOTE}" in steps
    assert f"最长 10 个工作日{NOTE}" in steps


def test_a_region_that_confirms_a_limit_gets_it_stated_plainly(
    client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    override = tmp_path / "override" / "workflows"
    override.mkdir(parents=True)
    text = (CATALOG_DIR / "workflows" / "repair.yaml").read_text(encoding="utf-8")
    (override / "repair.yaml").write_text(
        text.replace("  uncertain: true", "  uncertain: false"), encoding="utf-8"
    )
    regional = catalog_pkg.load_catalog(CATALOG_DIR, override.parent)
    monkeypatch.setattr(client.app.state.catalogs, "_current", regional)  # type: ignore[attr-defined]
    steps = _steps(client)
    assert "10 个工作日内作出决定；" in steps
    assert NOTE not in steps
