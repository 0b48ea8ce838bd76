"""The officer work queue: sorted by deadline, overdue items marked; the daily digest."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session

from tests.factories import make_provider, make_subject
from tests.factories.workflows import PDF, make_enterprise, make_officer, make_penalty
from xinyong import commitments, objections, repair, workqueue
from xinyong.catalog import Catalog
from xinyong.clock import Calendar


def test_queue_is_sorted_by_deadline_and_marks_overdue_items(
    session: Session, catalog: Catalog, calendar: Calendar, tmp_path: Path
) -> None:
    provider, subject = make_provider(session), make_subject(session)
    enterprise = make_enterprise(session, subject)
    first = make_penalty(session, subject, provider)
    second = make_penalty(session, subject, provider)
    objections.file_objection(
        session,
        first,
        "金额有误",
        actor=enterprise,
        today=date(2026, 11, 2),
        catalog=catalog,
        calendar=calendar,
    )
    app = commitments.apply_for_repair(
        session,
        second,
        repair.Application("已整改", True, (repair.Upload("performance_proof", "p.pdf", PDF),)),
        actor=enterprise,
        today=date(2026, 11, 20),
        catalog=catalog,
        calendar=calendar,
        data_dir=tmp_path,
        region_code="990100",
    )
    officer = make_officer(session, provider)
    items = workqueue.work_queue(session, today=date(2026, 11, 23), actor=officer)
    assert [(i.kind, i.due, i.overdue) for i in items] == [
        ("objection_answer", date(2026, 11, 9), True),
        ("repair_acceptance", date(2026, 11, 25), False),
        ("commitment_verification", None, False),
    ]
    assert items[1].target_id == app.id
    digest = workqueue.digest(session, today=date(2026, 11, 23))
    assert {i.target_id for i in digest.overdue if i.kind == "objection_answer"} >= {
        items[0].target_id
    }
