"""Uploads stored for background runs: where they live and when they are deleted.

An upload on /admin/exchange is stored first (`<data_dir>/runs/uploads/<sm3>-<name>`, the same
content one file) and then imported by a run (`runs.uploads.start_import`); it is kept after the
run, so a re-run of a failed or interrupted import reads it again. The retention job
(`xinyong jobs run retention`, `jobs.retention`) deletes the uploads no run has used for
`XINYONG_RUN_UPLOAD_RETENTION_DAYS` days before today — never the upload of a run still queued
or running (an interrupted one included: its re-run reads it) — marks the runs that used it
(`upload_deleted_on`, `upload_kept_days`: their page says so) and audits each deletion.

Time is an input: a file's age is counted from the last run that used it (queued or finished),
else, for a file no run names, from its modification time, against `today`.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong import audit, clock
from xinyong.audit import Actor, AuditAction
from xinyong.db.tables import JobRun
from xinyong.enums import RunStatus
from xinyong.errors import InvalidInput

JOB = "exchange_import"  # the run that imports a stored upload (`runs.EXCHANGE_IMPORT`)
DEFAULT_DAYS = 90
WAITING = (RunStatus.QUEUED.value, RunStatus.RUNNING.value)


def folder(data_dir: Path) -> Path:
    return data_dir / "runs" / "uploads"


def expire(
    session: Session, data_dir: Path, *, today: date, days: int, actor: Actor
) -> dict[str, Any]:
    """Delete the stored uploads unused for `days` days before `today` (not those of a run still
    queued or running), mark their runs and audit each (the caller commits)."""
    if days < 1:
        raise InvalidInput("上传文件的保存天数至少为 1 天", code="runs.upload_days")
    cutoff = clock.beijing_midnight(today - timedelta(days=days))
    used: dict[str, list[JobRun]] = defaultdict(list)
    for run in session.scalars(select(JobRun).where(JobRun.job == JOB)):
        name = Path(str((run.params or {}).get("path", ""))).name
        if name:
            used[name].append(run)
    deleted, kept_waiting = [], 0
    files = sorted(p for p in folder(data_dir).glob("*") if p.is_file()) if folder(
        data_dir).is_dir() else []  # fmt: skip
    for path in files:
        runs = used.get(path.name, [])
        if any(r.status in WAITING for r in runs):
            kept_waiting += 1
            continue
        last = _last_used(path, runs)
        if last >= cutoff:
            continue
        path.unlink(missing_ok=True)
        for run in runs:
            run.upload_deleted_on, run.upload_kept_days = today, days
        audit.record(session, actor, AuditAction.RUN_UPLOAD_DELETED, target_type="run_upload",
                     target_id=path.name[:64],
                     after={"file": path.name, "runs": [r.id for r in runs], "days": days,
                            "last_used": last})  # fmt: skip
        deleted.append(path.name)
    session.flush()
    return {"uploads_deleted": len(deleted), "uploads_kept_waiting": kept_waiting,
            "upload_retention_days": days}  # fmt: skip


def _last_used(path: Path, runs: list[JobRun]) -> datetime:
    times = [clock.as_utc(t) for r in runs for t in (r.queued_at, r.finished_at) if t is not None]
    if times:
        return max(times)
    return datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
