"""The audit chain: every change leaves a row; editing any row breaks verification at that row."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tests.factories import make_subject
from xinyong import audit
from xinyong.audit import Actor, AuditAction
from xinyong.db.tables import AuditEntry
from xinyong.enums import Role


def _append(session: Session, n: int) -> list[AuditEntry]:
    actor = Actor(kind="user", id=1, label="张三（zhangsan）", role=Role.ADMIN)
    return [
        audit.record(
            session,
            actor,
            AuditAction.SUBJECT_UPDATED,
            target_type="subject",
            target_id=i,
            before={"name": f"旧名{i}"},
            after={"name": f"新名{i}", "amount": "0.2"},
            reason="测试",
        )
        for i in range(n)
    ]


def test_chain_links_each_row_to_the_previous(session: Session) -> None:
    rows = _append(session, 3)
    assert rows[1].prev_hash == rows[0].hash
    assert rows[2].prev_hash == rows[1].hash
    assert audit.verify_chain(session).ok


def test_editing_a_row_breaks_verification_at_that_row(session: Session) -> None:
    rows = _append(session, 4)
    session.execute(
        update(AuditEntry).where(AuditEntry.id == rows[2].id).values(reason="改过的理由")
    )
    session.expire_all()
    report = audit.verify_chain(session)
    assert not report.ok
    assert report.broken_id == rows[2].id
    assert str(rows[2].id) in (report.problem or "")


def test_deleting_a_row_breaks_the_link_of_the_next(session: Session) -> None:
    rows = _append(session, 3)
    session.delete(session.get(AuditEntry, rows[1].id))
    session.flush()
    session.expire_all()
    report = audit.verify_chain(session)
    assert report.broken_id == rows[2].id


def test_query_log_records_who_whom_and_why(session: Session) -> None:
    subject = make_subject(session)
    actor = Actor(kind="user", id=9, label="李四", role=Role.OFFICER)
    audit.log_query(session, actor, subject.id, purpose="行政审批核查", surface="api")
    logged = audit.list_queries(session, subject.id)
    assert [(q.actor_label, q.purpose, q.surface) for q in logged] == [
        ("李四", "行政审批核查", "api")
    ]


def test_values_are_stored_as_plain_json(session: Session) -> None:
    entry = audit.record(
        session,
        Actor.system(),
        AuditAction.SUBJECT_UPDATED,
        target_type="subject",
        after={"d": date(2026, 1, 2), "m": Decimal("0.20")},
    )
    stored = session.execute(select(AuditEntry.after).where(AuditEntry.id == entry.id)).scalar_one()
    assert stored == {"d": "2026-01-02", "m": "0.20"}
