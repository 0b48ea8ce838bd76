"""Retention: purging the log prefix behind a signed checkpoint keeps the audit chain verifiable."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tests.factories import make_subject
from xinyong import audit, clock, jobs, signing
from xinyong.audit import Actor, AuditAction
from xinyong.db.tables import LogCheckpoint, QueryLogEntry
from xinyong.errors import InvalidInput

SYSTEM = Actor.system("测试")


def test_purge_everything_then_continue_the_chain(session: Session) -> None:
    key = signing.generate_key()
    subject = make_subject(session)
    audit.log_query(session, SYSTEM, subject.id, purpose="核查", surface="api", basis="duty")
    before = audit.verify_chain(session)
    assert before.ok
    future = datetime.now(UTC) + timedelta(days=1)
    checkpoint = audit.purge_before(session, future, actor=SYSTEM, key=key, retention_years=5)
    assert checkpoint.audit_purged == before.checked
    assert checkpoint.query_purged >= 1
    assert audit.list_queries(session, subject.id) == []
    audit.record(session, SYSTEM, AuditAction.DEMO_LOADED, target_type="demo")
    after = audit.verify_chain(session, key.public_key)
    assert after.ok, after.problem
    assert after.checked == 2  # the purge's own row and the one after it
    changed = checkpoint.statement.replace('"retention_years":5', '"retention_years":1')
    assert changed != checkpoint.statement
    session.execute(
        update(LogCheckpoint).where(LogCheckpoint.id == checkpoint.id).values(statement=changed)
    )
    tampered = audit.verify_chain(session, key.public_key)
    assert not tampered.ok
    assert "签名无效" in str(tampered.problem)


def test_retention_job_refuses_less_than_five_years(session: Session) -> None:
    with pytest.raises(InvalidInput, match="不得少于 5 年"):
        jobs.run("retention", session, today=date(2026, 11, 23), retention_years=3)
    result = jobs.run("retention", session, today=date(2026, 11, 23), retention_years=10)
    assert result["cutoff_day"] == date(2016, 11, 23)
    assert clock.in_beijing(result["cutoff"]) == datetime(2016, 11, 23, tzinfo=UTC)
    assert result["signed"] is False  # no key given: the checkpoint is kept, unsigned


def test_retention_purges_the_joint_check_log_and_its_feedback(session: Session, catalog) -> None:
    """The joint-check log is the largest log: rows older than the cutoff go with their feedback,
    counted in the signed checkpoint; newer rows stay; the chain still verifies."""
    from xinyong import measures  # noqa: PLC0415
    from xinyong.db.tables import Check, CheckFeedback  # noqa: PLC0415
    from xinyong.enums import Role  # noqa: PLC0415

    system = Actor(kind="api_client", id=9, label="接口:招投标系统", role=Role.SYSTEM)
    subject = make_subject(session)
    old = measures.check(session, subject.code, "bidding", catalog=catalog, actor=system,
                         today=date(2020, 11, 23))  # fmt: skip
    new = measures.check(session, subject.code, "bidding", catalog=catalog, actor=system,
                         today=date(2026, 11, 23))  # fmt: skip
    session.add(CheckFeedback(check_id=old.check_id, measure_id="m", applied=True,
                              actor_label="招投标系统"))  # fmt: skip
    cutoff = datetime(2021, 11, 23, tzinfo=UTC)
    session.execute(update(Check).where(Check.check_id == old.check_id)
                    .values(at=datetime(2020, 11, 23, 9, tzinfo=UTC)))  # fmt: skip
    checkpoint = audit.purge_before(session, cutoff, actor=SYSTEM, key=None, retention_years=5)
    body = json.loads(checkpoint.statement)
    assert body["checks_purged"] >= 1
    assert body["check_feedback_purged"] >= 1
    left = set(session.scalars(select(Check.check_id)))
    assert old.check_id not in left
    assert new.check_id in left
    assert (
        session.scalar(select(CheckFeedback.id).where(CheckFeedback.check_id == old.check_id))
        is None
    )
    assert audit.verify_chain(session).ok


def test_retention_cuts_at_beijing_midnight(session: Session) -> None:
    """The cutoff day starts at 00:00 in Beijing (16:00 UTC the day before): a query made at 07:59
    Beijing time on the cutoff day is kept (a UTC-midnight cutoff purged it); one at 23:59 Beijing
    time the day before goes."""
    subject = make_subject(session)
    kept = audit.log_query(session, SYSTEM, subject.id, purpose="核查", surface="api", basis="duty")
    gone = audit.log_query(session, SYSTEM, subject.id, purpose="核查", surface="api", basis="duty")
    kept.at = datetime(2016, 11, 22, 23, 59, tzinfo=UTC)  # 2016-11-23 07:59 in Beijing
    gone.at = datetime(2016, 11, 22, 15, 59, tzinfo=UTC)  # 2016-11-22 23:59 in Beijing
    session.flush()
    ids = {kept.id, gone.id}
    result = jobs.run("retention", session, today=date(2026, 11, 23), retention_years=10)
    assert result["query_purged"] >= 1
    left = set(session.scalars(select(QueryLogEntry.id).where(QueryLogEntry.id.in_(ids))))
    assert left == {kept.id}
