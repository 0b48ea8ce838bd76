"""The checks that read the database, on SQLite and PostgreSQL: each one's good and bad case,
and the whole run as `xinyong doctor` and /admin/system make it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import text, update
from sqlalchemy.orm import Session

from xinyong import audit, doctor, jobs
from xinyong.audit import Actor, AuditAction
from xinyong.config import Settings
from xinyong.db.tables import AuditEntry
from xinyong.doctor import database
from xinyong.doctor.model import Status

OFFICE = Actor.system("测试")


def test_the_database_names_its_engine_and_version(session: Session, db_kind: str) -> None:
    check = database.database(session)
    assert check.status == Status.OK
    assert check.facts["engine"] == db_kind
    assert check.facts["version"] in check.detail


def test_a_database_clock_far_from_ours_is_a_warning(session: Session, db_kind: str) -> None:
    later = datetime.now(UTC) + timedelta(minutes=10)
    check = database.database(session, utc_now=later)
    assert check.status == (Status.WARN if db_kind == "postgresql" else Status.OK)


def test_migrations_at_head(session: Session) -> None:
    check = database.migrations(session)
    assert check.status == Status.OK
    assert check.facts["current"] == check.facts["head"]


def test_pending_migrations_are_named(session: Session) -> None:
    head = database.migrations(session).facts["head"][0]
    from alembic.script import ScriptDirectory  # noqa: PLC0415

    from xinyong.db import migrate  # noqa: PLC0415

    previous = ScriptDirectory.from_config(migrate.alembic_config("")).get_revision(head)
    assert previous is not None
    older = previous.down_revision
    assert isinstance(older, str)
    with session.begin_nested() as nested:
        session.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": older})
        check = database.migrations(session)
        nested.rollback()
    assert check.status == Status.ERROR
    assert check.facts["pending"] == [head]
    assert head in check.detail
    assert "xinyong db upgrade" in check.advice


def test_a_database_newer_than_the_program_is_an_error(session: Session) -> None:
    with session.begin_nested() as nested:
        session.execute(text("UPDATE alembic_version SET version_num = 'ffffffffffff'"))
        check = database.migrations(session)
        nested.rollback()
    assert check.status == Status.ERROR
    assert "不在本程序中" in check.detail


def _ran(session: Session, name: str, at: datetime, *, ok: bool = True) -> None:
    row = audit.record(session, OFFICE, AuditAction.JOB_RUN if ok else AuditAction.JOB_FAILED,
                       target_type="job", target_id=name,
                       after={"job": name, "ok": ok, "summary": "测试运行",
                              "seconds": 0.1})  # fmt: skip
    row.at = at.replace(microsecond=0)
    session.flush()


def test_jobs_run_on_time(session: Session) -> None:
    now = datetime.now(UTC) + timedelta(days=400)  # later than any run other tests recorded
    for name in jobs.JOBS:
        _ran(session, name, now - timedelta(minutes=1))
    check = database.job_runs(session, utc_now=now)
    assert check.status == Status.OK, check.detail
    assert all(check.facts[name]["overdue"] is False for name in jobs.JOBS)


def test_an_overdue_or_failed_job_is_a_warning(session: Session) -> None:
    now = datetime.now(UTC) + timedelta(days=400)
    for name in jobs.JOBS:
        _ran(session, name, now - timedelta(minutes=1))
    _ran(session, "deadlines", now - timedelta(days=3))
    _ran(session, "dashboard", now - timedelta(minutes=1), ok=False)
    check = database.job_runs(session, utc_now=now)
    assert check.status == Status.WARN
    assert check.facts["deadlines"]["overdue"] is True
    assert "deadlines 已逾期" in check.detail
    assert "dashboard 上次运行失败：测试运行" in check.detail


def test_the_audit_tail_verifies(session: Session) -> None:
    for i in range(3):
        audit.record(session, OFFICE, "doctor.test", target_type="test", target_id=i)
    check = database.audit_tail(session, count=3)
    assert check.status == Status.OK
    assert check.facts["checked"] == 3


def test_an_altered_row_in_the_tail_is_an_error(session: Session) -> None:
    rows = [audit.record(session, OFFICE, "doctor.test", target_type="test", target_id=i)
            for i in range(3)]  # fmt: skip
    session.execute(update(AuditEntry).where(AuditEntry.id == rows[1].id)
                    .values(reason="改过"))  # fmt: skip
    session.expire_all()
    check = database.audit_tail(session, count=3)
    assert check.status == Status.ERROR
    assert check.facts["broken_id"] == rows[1].id
    assert "xinyong audit verify" in check.advice


def test_a_broken_link_into_the_tail_is_an_error(session: Session) -> None:
    rows = [audit.record(session, OFFICE, "doctor.test", target_type="test", target_id=i)
            for i in range(3)]  # fmt: skip
    session.execute(update(AuditEntry).where(AuditEntry.id == rows[0].id)
                    .values(hash="0" * 64))  # fmt: skip
    session.expire_all()
    assert database.audit_tail(session, count=2).facts["broken_id"] == rows[1].id


def test_the_whole_run_in_the_pages_session(session: Session, healthy: Settings) -> None:
    audit.record(session, OFFICE, "doctor.test", target_type="test")
    checks = doctor.run_all(healthy, session, tail=1)
    keys = [c.key for c in checks]
    assert keys == ["database", "migrations", "catalog", "signing_key", "keyring", "data_dir",
                    "report_slots", "settings", "clock", "jobs", "audit_tail"]  # fmt: skip
    assert not [c for c in checks if c.status == Status.ERROR]


def test_a_missing_sqlite_file_fails_every_database_check(
    healthy: Settings, tmp_path: Path
) -> None:
    gone = healthy.model_copy(update={"database_url": f"sqlite:///{tmp_path / 'none.db'}"})
    checks = {c.key: c for c in doctor.run_connecting(gone)}
    assert checks["database"].status == Status.ERROR
    assert "xinyong init" in checks["database"].advice
    assert checks["migrations"].status == Status.ERROR
    assert checks["catalog"].status == Status.OK
    assert not (tmp_path / "none.db").exists()  # the check made no database


def test_an_unreachable_server_is_an_error(healthy: Settings) -> None:
    down = healthy.model_copy(update={"database_url": "postgresql://nobody@127.0.0.1:1/none"})
    checks = {c.key: c for c in doctor.run_connecting(down)}
    assert checks["database"].status == Status.ERROR
    assert "无法连接数据库" in checks["database"].detail
    assert checks["audit_tail"].status == Status.ERROR


def test_run_connecting_reads_the_configured_database(healthy: Settings) -> None:
    checks = {c.key: c for c in doctor.run_connecting(healthy)}
    assert checks["database"].status == Status.OK
    assert checks["migrations"].status == Status.OK
