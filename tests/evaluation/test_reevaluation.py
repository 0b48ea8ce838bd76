"""Stored grades follow the archive: a subject is re-evaluated in the transaction that changed it
(repair, list decision and exit, commitment breach, objection correction, collection)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.factories import make_provider, make_subject
from tests.factories.lists import listed
from tests.factories.workflows import make_enterprise, make_officer, make_penalty
from tests.test_repair import REGION, _apply
from xinyong import commitments, evaluation, repair
from xinyong.audit import Actor
from xinyong.catalog import Catalog
from xinyong.clock import Calendar
from xinyong.db.tables import EvaluationResult, Record

pytestmark = pytest.mark.usefixtures("watching")
OFFICE = Actor.system("测试")


def grade(session: Session, subject_id: int) -> str | None:
    found = evaluation.current_grade(session, subject_id)
    return found.grade if found else None


def test_grade_rises_after_an_approved_repair(
    session: Session, catalog: Catalog, calendar: Calendar, tmp_path: Path, today: date
) -> None:
    provider, subject = make_provider(session), make_subject(session)
    record = make_penalty(session, subject, provider, decision_date=date(2026, 6, 1))
    session.commit()
    before = evaluation.current_grade(session, subject.id)
    assert before is not None
    assert (before.grade, before.score) == ("C", 72)  # a general penalty: −8
    officer = make_officer(session, provider)
    app = _apply(
        session,
        record,
        make_enterprise(session, subject),
        catalog=catalog,
        calendar=calendar,
        data_dir=tmp_path,
        today=today,
    )
    repair.accept(session, app, actor=officer, today=today, catalog=catalog, calendar=calendar)
    repair.decide(
        session, app, approve=True, reason="已履行", actor=officer, today=today, catalog=catalog
    )
    session.commit()
    after = evaluation.current_grade(session, subject.id)
    assert after is not None
    assert (after.grade, after.score) == ("B", 80)
    assert [g.grade for g in evaluation.history(session, subject.id)][:2] == ["B", "C"]


def test_list_decision_and_exit_regrade_the_subject(
    session: Session, catalog: Catalog, calendar: Calendar
) -> None:
    subject = make_subject(session)
    session.commit()
    assert grade(session, subject.id) == "B"
    entry = listed(
        session,
        subject,
        "watch",
        catalog=catalog,
        calendar=calendar,
        actor=OFFICE,
        proposed_on=date(2026, 10, 12),
    )
    session.commit()
    assert grade(session, subject.id) == "C"  # 80 − 10
    from xinyong import lists  # noqa: PLC0415

    lists.exit_entry(
        session,
        entry,
        kind="annulled",
        reason="认定依据被撤销",
        basis="复议决定",
        catalog=catalog,
        actor=OFFICE,
        today=date(2026, 11, 23),
    )
    session.commit()
    assert grade(session, subject.id) == "B"


def test_commitment_breach_regrades_and_an_unchanged_archive_adds_no_row(
    session: Session, catalog: Catalog, today: date
) -> None:
    provider, subject = make_provider(session), make_subject(session)
    signed = commitments.sign(
        session,
        subject,
        "approval_notified",
        actor=make_enterprise(session, subject),
        today=today,
        catalog=catalog,
        region_code=REGION,
        acceptance_provider_id=provider.id,
    )
    session.commit()
    assert evaluation.current_grade(session, subject.id).score == 82  # type: ignore[union-attr]
    commitments.record_verification(
        session,
        signed,
        fulfilment="全部未履行",
        unperformed="未补交",
        actor=make_officer(session, provider),
        today=today,
        catalog=catalog,
    )
    session.commit()
    assert evaluation.current_grade(session, subject.id).score == 70  # type: ignore[union-attr]
    rows = session.execute(
        select(func.count())
        .select_from(EvaluationResult)
        .where(EvaluationResult.subject_id == subject.id)
    ).scalar_one()
    evaluation.evaluate_subject(session, subject, catalog=catalog, today=today)
    again = session.execute(
        select(func.count())
        .select_from(EvaluationResult)
        .where(EvaluationResult.subject_id == subject.id)
    ).scalar_one()
    assert again == rows


def test_objection_correction_regrades_the_subject(
    session: Session, catalog: Catalog, calendar: Calendar, today: date
) -> None:
    from tests.factories.workflows import make_enterprise as enterprise_of  # noqa: PLC0415
    from xinyong import objections  # noqa: PLC0415

    provider, subject = make_provider(session), make_subject(session)
    record = make_penalty(session, subject, provider, decision_date=date(2026, 6, 1), amount="5")
    objection = objections.file_objection(
        session,
        record,
        "罚款金额登记错误",
        actor=enterprise_of(session, subject),
        today=today,
        catalog=catalog,
        calendar=calendar,
    )
    session.commit()
    before = evaluation.current_grade(session, subject.id)
    assert before is not None
    objections.answer_objection(
        session,
        objection,
        "corrected",
        "核实后更正罚款金额",
        changes={"fine_amount": "150"},
        actor=make_officer(session, provider),
        today=today,
        catalog=catalog,
    )
    session.commit()
    after = evaluation.current_grade(session, subject.id)
    assert after is not None
    assert after.score < before.score  # a 150万元 fine: heavier severity, and over the threshold
    refs = {r for i in after.explanation["indicators"] if i["points"] for r in i["refs"]}
    assert record.id not in {int(r.split(":")[1]) for r in refs}  # the new version counts


def test_a_collected_batch_regrades_the_subjects_it_touched(
    session: Session, catalog: Catalog, calendar: Calendar, today: date
) -> None:
    from tests.collection.conftest import HEADERS, penalty_rows  # noqa: PLC0415
    from xinyong import collection  # noqa: PLC0415

    provider = make_provider(session)
    rows = penalty_rows(2, authority=provider.uscc)
    sub = collection.Submission(
        "penalty", provider.uscc, rows=[dict(zip(HEADERS, r, strict=True)) for r in rows]
    )
    report = collection.collect(
        session, sub, catalog=catalog, calendar=calendar, actor=OFFICE, today=today
    )
    assert report.batch_id is not None
    from xinyong.evaluation import watch  # noqa: PLC0415

    limit = watch.BATCH_REGRADE_LIMIT
    watch.BATCH_REGRADE_LIMIT = 1  # a large batch is left to the next run
    try:
        assert (
            watch.reevaluate_batch(session, report.batch_id, catalog=catalog, today=today) is None
        )
    finally:
        watch.BATCH_REGRADE_LIMIT = limit
    assert evaluation.reevaluate_batch(session, report.batch_id, catalog=catalog, today=today) == 2
    touched = select(Record.subject_id).where(Record.batch_id == report.batch_id)
    graded = (
        session.execute(
            select(EvaluationResult.grade).where(EvaluationResult.subject_id.in_(touched))
        )
        .scalars()
        .all()
    )  # other tests commit results on PostgreSQL
    assert len(graded) == 2  # one result for each enterprise of the batch
