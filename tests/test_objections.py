"""Objections: flagged at once, answered by the provider within the deadline, history by field."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from tests.factories import make_provider, make_subject
from tests.factories.workflows import make_enterprise, make_officer, make_penalty
from xinyong import archive, audit, objections
from xinyong.catalog import Catalog
from xinyong.clock import Calendar
from xinyong.errors import Forbidden, InvalidInput


@pytest.fixture
def disputed(session: Session, catalog: Catalog, calendar: Calendar, today: date):
    provider, subject = make_provider(session), make_subject(session)
    record = make_penalty(session, subject, provider, amount="0.5")
    enterprise = make_enterprise(session, subject)
    objection = objections.file_objection(
        session,
        record,
        "罚款金额登记错误，应为0.3万元",
        actor=enterprise,
        today=today,
        catalog=catalog,
        calendar=calendar,
    )
    return record, objection, make_officer(session, provider)


def test_filed_objection_flags_the_record_at_once_with_a_five_working_day_deadline(
    session: Session, disputed
) -> None:
    record, objection, _ = disputed
    assert archive.open_objection_record_ids(session, [record.id]) == {record.id}
    assert objection.filed_on == date(2026, 11, 23)
    assert objection.answer_due == date(2026, 11, 30)
    assert objection.provider_id == record.provider_id


def test_answer_deadline_spans_national_day_2026(
    session: Session, catalog: Catalog, calendar: Calendar
) -> None:
    provider, subject = make_provider(session), make_subject(session)
    record = make_penalty(session, subject, provider)
    filed = objections.file_objection(
        session,
        record,
        "不是本公司",
        actor=make_enterprise(session, subject),
        today=date(2026, 9, 30),
        catalog=catalog,
        calendar=calendar,
    )
    assert filed.answer_due == date(2026, 10, 13)  # rules: 09-30 + 5 WD, 10-10 works


def test_objection_near_year_end_gets_a_provisional_2027_deadline_and_is_flagged(
    session: Session, catalog: Catalog, calendar: Calendar
) -> None:
    provider, subject = make_provider(session), make_subject(session)
    record = make_penalty(session, subject, provider)
    filed = objections.file_objection(
        session,
        record,
        "有误",
        actor=make_enterprise(session, subject),
        today=date(2026, 12, 28),
        catalog=catalog,
        calendar=calendar,
    )
    # 12-29 … 12-31 = 3; 2027-01-01 元旦 (暂定 off); 01-04, 01-05 = 5
    assert filed.answer_due == date(2027, 1, 5)
    assert calendar.is_provisional(filed.answer_due)
    assert archive.open_objection_record_ids(session, [record.id]) == {record.id}


def test_correction_creates_a_new_version_with_field_by_field_history(
    session: Session, disputed, catalog: Catalog, today: date
) -> None:
    record, objection, officer = disputed
    objections.answer_objection(
        session,
        objection,
        "corrected",
        "核实后更正罚款金额",
        changes={"fine_amount": "0.3"},
        actor=officer,
        today=today,
        catalog=catalog,
    )
    versions = archive.history(session, record.info_class, record.natural_key)
    assert [v.data.get("fine_amount") for v in versions] == ["0.5", "0.3"]
    assert versions[-1].is_current
    assert objection.field_changes == [
        {"field": "fine_amount", "label": "罚款金额（万元）", "before": "0.5", "after": "0.3"}
    ]
    assert archive.open_objection_record_ids(session, [record.id, versions[-1].id]) == set()
    row = audit.list_audit(session, action="objections.objection.answered", limit=1)[0]
    assert row.before == {"status": "open", "fields": {"fine_amount": "0.5"}}
    assert (row.after or {})["fields"] == {"fine_amount": "0.3"}
    assert [o.outcome for o in objections.history(session, "penalty", record.natural_key)] == [
        "corrected"
    ]


def test_delete_withdraws_the_record_with_the_reason(
    session: Session, disputed, catalog: Catalog, today: date
) -> None:
    record, objection, officer = disputed
    objections.answer_objection(
        session,
        objection,
        "deleted",
        "处罚决定已被复议撤销",
        actor=officer,
        today=today,
        catalog=catalog,
    )
    current = archive.history(session, record.info_class, record.natural_key)[-1]
    assert current.status == "withdrawn"
    assert "处罚决定已被复议撤销" in (current.reason or "")


def test_keep_needs_reasons_and_leaves_the_record(
    session: Session, disputed, catalog: Catalog, today: date
) -> None:
    record, objection, officer = disputed
    with pytest.raises(InvalidInput):
        objections.answer_objection(
            session, objection, "kept", " ", actor=officer, today=today, catalog=catalog
        )
    objections.answer_objection(
        session, objection, "kept", "经核实记录无误", actor=officer, today=today, catalog=catalog
    )
    assert record.is_current
    assert objection.answer == "经核实记录无误"
    assert objections.list_for_subject(session, record.subject_id)[0].outcome == "kept"


def test_second_answer_and_second_open_objection_are_refused(
    session: Session, disputed, catalog: Catalog, calendar: Calendar, today: date
) -> None:
    record, objection, officer = disputed
    enterprise = make_enterprise(session, make_subject(session))
    with pytest.raises(Forbidden):
        objections.file_objection(
            session, record, "x", actor=enterprise, today=today, catalog=catalog, calendar=calendar
        )
    objections.answer_objection(
        session, objection, "kept", "无误", actor=officer, today=today, catalog=catalog
    )
    with pytest.raises(objections.AlreadyAnswered):
        objections.answer_objection(
            session, objection, "deleted", "删除", actor=officer, today=today, catalog=catalog
        )


def test_correction_of_an_unknown_field_is_refused(
    session: Session, disputed, catalog: Catalog, today: date
) -> None:
    _, objection, officer = disputed
    with pytest.raises(InvalidInput, match="不是"):
        objections.answer_objection(
            session,
            objection,
            "corrected",
            "更正",
            changes={"no_such_field": "1"},
            actor=officer,
            today=today,
            catalog=catalog,
        )
    assert objection.status == "open"
