"""An uploaded file is stored first, then processed by a run (the request only stores it).

The file goes to `<data_dir>/runs/uploads/<sm3>-<name>` (the same content is one file) and is
kept after the run: a re-run of a failed or interrupted import reads it again (nothing lost),
until the retention job deletes it (`run_uploads.expire`, after
`XINYONG_RUN_UPLOAD_RETENTION_DAYS` days unused).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from xinyong import run_uploads, signing
from xinyong.audit import Actor
from xinyong.auth.scope import require_role
from xinyong.db.tables import JobRun
from xinyong.exchange import manual
from xinyong.runs.store import EXCHANGE_IMPORT, MAY_START, start


def folder(data_dir: Path) -> Path:
    return run_uploads.folder(data_dir)


def start_import(
    session: Session, data: bytes, file_name: str, *, data_dir: Path, actor: Actor,
    now: datetime, national_list: str | None = None, provider: str | None = None,
    reason: str = "",
) -> tuple[JobRun, bool]:  # fmt: skip
    """Store an uploaded package or national list file and queue its import (audited)."""
    require_role(actor, *MAY_START[EXCHANGE_IMPORT])  # before anything is written to disk
    manual.check_upload(data)
    digest = signing.sm3_hex(data)
    name = Path(file_name).name or "upload.zip"
    path = folder(data_dir) / f"{digest[:32]}-{name}"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_bytes(data)
    params = {"path": str(path), "file": name, "sm3": digest, "national_list": national_list,
              "provider": provider}  # fmt: skip
    return start(session, EXCHANGE_IMPORT, actor=actor, now=now, params=params, reason=reason,
                 stored_upload=True)  # fmt: skip
