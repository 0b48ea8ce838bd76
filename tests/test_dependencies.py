"""The dependency list tells the truth: every package pyproject.toml names is imported by our code
or says on its line why it is there, and the hashed locks pin exactly what pyproject.toml names."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Distribution name → the module it is imported as, where the two differ.
MODULE = {
    "argon2-cffi": "argon2",
    "chinesecalendar": "chinese_calendar",
    "markdown-it-py": "markdown_it",
    "psycopg-pool": "psycopg_pool",
    "pydantic-settings": "pydantic_settings",
    "python-stdnum": "stdnum",
    "pyyaml": "yaml",
    "import-linter": "importlinter",
    "pytest-cov": "pytest_cov",
    "pytest-xdist": "xdist",
    "types-openpyxl": "openpyxl",
    "types-pyyaml": "yaml",
}
# Tools run as commands or plugins rather than imported (their job is plain from the name).
RUN_NOT_IMPORTED = {"mypy", "ruff", "import-linter", "pytest-cov", "pytest-xdist"}


def _name(requirement: str) -> str:
    return re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0].lower()


def _pyproject_lines() -> dict[str, str]:
    """Each dependency's name → its line in pyproject.toml (to see its comment)."""
    lines: dict[str, str] = {}
    for line in (ROOT / "pyproject.toml").read_text(encoding="utf-8").splitlines():
        match = re.match(r'\s*"([A-Za-z0-9_.\-\[\]]+)[^"]*",?(.*)$', line)
        if match:
            lines.setdefault(_name(match.group(1)), match.group(2))
    return lines


def _sources() -> str:
    return "\n".join(
        path.read_text(encoding="utf-8")
        for folder in ("xinyong", "tests", "bench")
        for path in (ROOT / folder).rglob("*.py")
    )


def test_every_dependency_is_imported_or_says_why() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    named = [_name(r) for r in project["dependencies"]]
    for extra in project["optional-dependencies"].values():
        named += [_name(r) for r in extra]
    lines = _pyproject_lines()
    sources = _sources()
    unexplained = []
    for name in named:
        module = MODULE.get(name, name.replace("-", "_"))
        imported = re.search(rf"^\s*(import|from) {re.escape(module)}\b", sources, re.MULTILINE)
        if not imported and name not in RUN_NOT_IMPORTED and "#" not in lines.get(name, ""):
            unexplained.append(name)
    assert unexplained == [], f"named in pyproject.toml but never imported: {unexplained}"


def _pins(path: Path) -> set[str]:
    return {
        _name(line)
        for line in path.read_text(encoding="utf-8").splitlines()
        if re.match(r"[A-Za-z0-9]", line)
    }


def test_the_locks_pin_what_pyproject_names_with_hashes() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime = _pins(ROOT / "requirements/runtime.txt")
    dev = _pins(ROOT / "requirements/dev.txt")
    assert {_name(r) for r in project["dependencies"]} <= runtime
    assert {_name(r) for r in project["optional-dependencies"]["dev"]} <= dev
    assert runtime <= dev, "the development lock must hold the runtime's pins"
    assert "pyspark" not in dev, "pyspark stays out of what make run installs"
    for lock in ("runtime", "dev", "spark"):
        text = (ROOT / f"requirements/{lock}.txt").read_text(encoding="utf-8")
        pinned = re.findall(r"^[A-Za-z0-9][^\n]*==[^\n]*\\\n\s+--hash=sha256:", text, re.MULTILINE)
        assert len(pinned) == len(_pins(ROOT / f"requirements/{lock}.txt")), lock
