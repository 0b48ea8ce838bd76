"""The heartbeat of a run beside a SQLite database file, where the run's own write lock cannot
block it (docs/decisions/0017, addendum).

On SQLite the runner's transactions take the one write lock at BEGIN: while a procedure runs as
one long transaction (the dashboard, retention) the pulse thread cannot write `heartbeat_at`.
So on SQLite the pulse first writes a small file per run — `<database file>-runs/<id>.json`
(the time, the runner holding the run, its progress) — and then tries the row. The status rule
(`store.shown_status`) reads the file only when the row's heartbeat is stale. The file is kept
beside the database, not under `data_dir`: every process that reads the runs opens that file, so
all of them find the same folder without being told. PostgreSQL has no folder (None): its
heartbeat is written on the row beside any transaction.

The time in the file is the runner's "now" (an input, principle 2), never the file's mtime.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine

from xinyong.clock import as_utc


@dataclass(frozen=True, slots=True)
class Beat:
    """One heartbeat kept beside the database: when, by which runner, with which progress."""

    at: datetime
    runner: str
    done: int | None = None
    total: int | None = None
    phase: str | None = None


def folder_of(bind: Engine | Connection | None) -> Path | None:
    """Where the side heartbeats of this database live: `<file>-runs/` beside a SQLite database
    file; None for PostgreSQL (and an in-memory SQLite)."""
    if bind is None:
        return None
    url = bind.engine.url if isinstance(bind, Connection) else bind.url
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    path = Path(url.database)
    return path.with_name(f"{path.name}-runs")


def _file(folder: Path, run_id: int) -> Path:
    return folder / f"{run_id}.json"


def write(folder: Path, run_id: int, beat: Beat) -> None:
    """Replace the run's beat at once (a reader sees the old file or the new one, never half)."""
    folder.mkdir(parents=True, exist_ok=True)
    data = {"at": as_utc(beat.at).isoformat(), "runner": beat.runner, "done": beat.done,
            "total": beat.total, "phase": beat.phase}  # fmt: skip
    path = _file(folder, run_id)
    part = path.with_suffix(f".{os.getpid()}.part")
    part.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    os.replace(part, path)


def read(folder: Path | None, run_id: int) -> Beat | None:
    """The run's beat beside the database; None when there is none (or it cannot be read)."""
    if folder is None:
        return None
    try:
        data: dict[str, Any] = json.loads(_file(folder, run_id).read_text(encoding="utf-8"))
        at = as_utc(datetime.fromisoformat(data["at"]))
        return Beat(at, str(data["runner"]), data.get("done"), data.get("total"), data.get("phase"))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def remove(folder: Path | None, run_id: int) -> None:
    """The run has ended: its row holds the last word."""
    if folder is not None:
        _file(folder, run_id).unlink(missing_ok=True)
