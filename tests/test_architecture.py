"""House rules checked mechanically: import layers, no commit in domain code, no system date."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from xinyong.config import REPO_ROOT

PACKAGE = REPO_ROOT / "xinyong"
# Surfaces own the transaction; collection commits per chunk (store.py, writer.py) to survive
# kill -9.
MAY_COMMIT = {"cli", "web", "jobs", "collection/store.py", "collection/writer.py"}


def _domain_files() -> list[Path]:
    out = []
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel.startswith("db/migrations") or any(
            rel == m or rel.startswith(m + "/") for m in MAY_COMMIT
        ):
            continue
        out.append(path)
    return out


def test_import_layers_hold() -> None:
    lint = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(lint)], cwd=REPO_ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_domain_code_never_commits() -> None:
    offenders = [
        str(p.relative_to(REPO_ROOT))
        for p in _domain_files()
        if re.search(r"\.commit\(\)", p.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_only_clock_asks_the_system_for_the_date() -> None:
    pattern = re.compile(r"date\.today\(\)|datetime\.now\(|datetime\.utcnow\(")
    offenders = [
        str(p.relative_to(REPO_ROOT))
        for p in PACKAGE.rglob("*.py")
        if p.name != "clock.py" and pattern.search(p.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_only_archive_writes_records() -> None:
    """One API for record writes (issue 18): a `Record(...)`, an INSERT or a COPY into `records`
    appear in archive.py only (content hashes: `archive.hash_canonical`)."""
    pattern = re.compile(r"\bRecord\(|INSERT INTO records|COPY records|insert\(Record\)")
    offenders = [
        str(p.relative_to(REPO_ROOT))
        for p in PACKAGE.rglob("*.py")
        if p.name != "archive.py"
        and not p.is_relative_to(PACKAGE / "db")
        and pattern.search(p.read_text(encoding="utf-8"))
    ]
    assert offenders == []
