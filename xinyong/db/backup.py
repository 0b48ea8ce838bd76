"""A consistent copy of a SQLite database while the platform runs (SQLite's online backup API:
readers and writers go on; the copy is the database at one moment, WAL included).
PostgreSQL is backed up with its own tools (`pg_dump`, docs/guide/运维指南.md §4)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from xinyong.errors import InvalidInput


def sqlite_path(url: str) -> Path:
    """The file of a `sqlite:///…` URL; anything else is refused with what to use instead."""
    if not url.startswith("sqlite:///") or ":memory:" in url:
        raise InvalidInput("只有 SQLite 数据库可以用本命令备份；PostgreSQL 请用 pg_dump"
                           "（见运维指南“备份与恢复”）", code="backup.not_sqlite")  # fmt: skip
    return Path(url.removeprefix("sqlite:///"))


def sqlite_backup(url: str, target: Path) -> int:
    """Copy the database to `target` (a new file); returns its size in bytes."""
    source_path = sqlite_path(url)
    if not source_path.is_file():
        raise InvalidInput(f"数据库文件 {source_path} 不存在", code="backup.no_database")
    if target.exists():
        raise InvalidInput(f"{target} 已存在：请换一个文件名，不覆盖已有备份",
                           code="backup.target_exists")  # fmt: skip
    target.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    try:
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
        finally:
            copy.close()
    finally:
        source.close()
    return target.stat().st_size
