"""Stored uploads of background runs are deleted by the retention job after
`run_upload_retention_days` days unused — never the upload of a run still queued or running —
audited, and the run's page says so (and offers no re-run of a file that is gone)."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories.accounts import signed_in
from xinyong import clock, jobs, run_uploads, runs
from xinyong.audit import AuditAction
from xinyong.db.tables import AuditEntry, JobRun
from xinyong.enums import Role, RunStatus
from xinyong.errors import InvalidInput

TODAY = date(2026, 11, 23)


def _upload(folder: Path, session: Session, name: str, status: RunStatus, days_ago: int) -> JobRun:
    """A stored upload and the import run that used it `days_ago` days before TODAY."""
    path = folder / name
    path.write_bytes(b"PK\x03\x04 test")
    at = clock.beijing_midnight(TODAY) - timedelta(days=days_ago)
    run = JobRun(job=runs.EXCHANGE_IMPORT, params={"path": str(path), "file": name},
                 started_by="测试", actor={}, status=status.value, queued_at=at,
                 finished_at=at if not status.active else None, runner="r",
                 heartbeat_at=at)  # fmt: skip
    session.add(run)
    session.flush()
    return run


def test_retention_deletes_old_uploads_and_keeps_the_waiting(
    client: TestClient, session: Session, tmp_path: Path
) -> None:
    folder = run_uploads.folder(tmp_path)
    folder.mkdir(parents=True)
    old = _upload(folder, session, "a-old.zip", RunStatus.SUCCEEDED, 120)
    waiting = _upload(folder, session, "b-waiting.zip", RunStatus.QUEUED, 200)
    interrupted = _upload(folder, session, "c-interrupted.zip", RunStatus.RUNNING, 200)
    recent = _upload(folder, session, "d-recent.zip", RunStatus.FAILED, 10)
    orphan = folder / "e-orphan.zip"  # stored, but no run names it: its own time counts
    orphan.write_bytes(b"x")
    long_ago = datetime(2026, 1, 1, tzinfo=UTC).timestamp()
    os.utime(orphan, (long_ago, long_ago))

    found = jobs.retention(session, today=TODAY, data_dir=tmp_path, upload_days=90)
    assert (found["uploads_deleted"], found["uploads_kept_waiting"]) == (2, 2)
    assert "删除超过 90 天未使用的上传文件 2 个" in jobs.summarise("retention", found)
    assert sorted(p.name for p in folder.iterdir()) == [
        "b-waiting.zip", "c-interrupted.zip", "d-recent.zip"]  # fmt: skip
    for run in (old, waiting, interrupted, recent):
        session.refresh(run)
    assert (old.upload_deleted_on, old.upload_kept_days) == (TODAY, 90)
    assert waiting.upload_deleted_on is None
    assert interrupted.upload_deleted_on is None
    assert recent.upload_deleted_on is None
    audited = session.scalars(select(AuditEntry.target_id).where(
        AuditEntry.action == AuditAction.RUN_UPLOAD_DELETED.value,
        AuditEntry.target_id.in_(["a-old.zip", "e-orphan.zip"]))).all()  # fmt: skip
    assert sorted(str(t) for t in audited) == ["a-old.zip", "e-orphan.zip"]

    signed_in(client, session, Role.ADMIN)
    page = client.get(f"/admin/runs/{old.id}").text
    assert 'id="run-upload-deleted"' in page
    assert "按保存期限删除（超过 90 天未再使用）" in page
    assert 'id="run-again"' not in page  # the file is gone: upload it again instead
    assert client.get(f"/api/v1/runs/{old.id}").json()["upload_deleted_on"] == TODAY.isoformat()
    with pytest.raises(InvalidInput, match="重新上传"):
        runs.again(session, old.id, actor=runs.store.actor_of(old), now=clock.now())


def test_the_upload_retention_has_a_floor(session: Session, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="至少为 1 天"):
        jobs.retention(session, today=TODAY, data_dir=tmp_path, upload_days=0)
