"""Records change only by new versions with a reason; history keeps every version."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import make_provider, make_record, make_subject
from xinyong import archive, collection
from xinyong.audit import Actor, list_audit
from xinyong.catalog import Catalog
from xinyong.clock import Calendar
from xinyong.db.tables import Objection, Record
from xinyong.enums import RecordStatus, Role


def test_new_version_keeps_history_and_audits(session: Session, operator: Actor) -> None:
    record = make_record(session, make_subject(session))
    newer = archive.new_version(
        session, record, reason="报送部门更正金额", changes={"fine": "0.3"}, actor=operator
    )
    versions = archive.history(session, record.info_class, record.natural_key)
    assert [(v.version, v.is_current) for v in versions] == [(1, False), (2, True)]
    assert newer.data["fine"] == "0.3"
    assert newer.content_hash != record.content_hash
    last = list_audit(session, limit=1)[0]
    assert last.action == "archive.record.versioned"
    assert last.reason == "报送部门更正金额"


def test_only_the_current_version_can_change(session: Session, operator: Actor) -> None:
    record = make_record(session, make_subject(session))
    archive.new_version(
        session, record, reason="撤销", status=RecordStatus.WITHDRAWN, actor=operator
    )
    with pytest.raises(archive.NotCurrentVersion):
        archive.new_version(session, record, reason="再改", actor=operator)


def test_current_records_lists_only_current_versions(session: Session, operator: Actor) -> None:
    subject = make_subject(session)
    first = make_record(session, subject)
    make_record(session, subject, info_class="licence")
    archive.new_version(session, first, reason="更正", changes={"x": 1}, actor=operator)
    current = archive.current_records(session, subject.id)
    assert sorted(r.version for r in current) == [1, 2]
    assert {r.info_class for r in current} == {"penalty", "licence"}


def test_open_objections_flag_their_records(session: Session) -> None:
    subject = make_subject(session)
    disputed, other = make_record(session, subject), make_record(session, subject)
    session.add(
        Objection(
            record_id=disputed.id,
            subject_id=subject.id,
            grounds="金额有误",
            filed_on=date(2026, 11, 23),
            answer_due=date(2026, 11, 30),
        )
    )
    session.flush()
    assert archive.open_objection_record_ids(session, [disputed.id, other.id]) == {disputed.id}


def test_canonical_json_of_a_text_keyed_document_is_the_same_text_in_one_pass() -> None:
    doc = {
        "z": [1, 2.5, None, True, ("a", date(2026, 1, 2))],
        "a": {
            "when": datetime(2026, 11, 29, 8, 0, tzinfo=UTC),
            "naive": datetime(2026, 1, 1),  # noqa: DTZ001 - as a source row may hold it
        },
        "m": {"set": {"b", "a"}, "amount": Decimal("1.20"), "role": Role.SYSTEM, "名": "中文"},
    }
    assert archive.canonical_json(doc, text_keys=True) == archive.canonical_json(doc)


def test_source_fields_read_what_source_row_reads(session: Session) -> None:
    """`archive.source_fields` (data parsed once per row on PostgreSQL) gives each field as
    `source_row` has it, as text: stored fields, fields the lean format moved to columns, a
    list kept as JSON text, and fields the row never had (NULL)."""
    import json  # noqa: PLC0415

    from sqlalchemy import select, true  # noqa: PLC0415

    from tests.factories import make_provider  # noqa: PLC0415
    from tests.factories.workflows import make_penalty  # noqa: PLC0415
    from xinyong.db.tables import Record  # noqa: PLC0415

    subject, provider = make_subject(session), make_provider(session)
    with_amount = make_penalty(session, subject, provider, amount="2.5")
    without = make_penalty(session, subject, provider, decision_date=date(2025, 3, 4))
    session.flush()
    wanted = ["decision_date", "fine_amount", "penalty_kinds", "subject_category", "valid_until"]
    dialect = session.get_bind().dialect.name
    parsed, fields = archive.source_fields(wanted, ["penalty"], dialect)
    stmt = select(Record.id, *(fields[f].label(f) for f in wanted))
    if parsed is not None:
        stmt = stmt.select_from(Record).join(parsed, true())
    stmt = stmt.where(Record.id.in_([with_amount.id, without.id]))
    for row in session.execute(stmt):
        record = with_amount if row.id == with_amount.id else without
        source = archive.source_row(record)
        for f in wanted:
            value = source.get(f)
            if isinstance(value, list):
                assert json.loads(getattr(row, f)) == value, f
            else:
                assert getattr(row, f) == (None if value is None else str(value)), f


def test_the_records_of_a_batch_are_read_by_its_id_range(
    session: Session, catalog: Catalog, calendar: Calendar, today: date
) -> None:
    """`archive.of_batch`: the outbox rows of a collected batch bound its records' ids (an index
    range, not a scan of the archive); the same records as `batch_id ==`; a batch id the writer
    never used keeps the plain condition."""
    from tests.collection.conftest import HEADERS, penalty_rows  # noqa: PLC0415

    provider = make_provider(session)
    rows = penalty_rows(3, authority=provider.uscc)
    sub = collection.Submission(
        "penalty", provider.uscc, rows=[dict(zip(HEADERS, r, strict=True)) for r in rows]
    )
    report = collection.collect(session, sub, catalog=catalog, calendar=calendar,
                                actor=Actor.system("测试"), today=today)  # fmt: skip
    assert report.batch_id is not None
    condition = archive.of_batch(session, report.batch_id)
    assert "BETWEEN" in str(condition).upper()
    ids = set(session.execute(select(Record.id).where(condition)).scalars())
    plain = Record.batch_id == report.batch_id
    assert ids == set(session.execute(select(Record.id).where(plain)).scalars())
    assert len(ids) == 3
    stray = make_record(session, make_subject(session), batch_id=987654)
    found = session.execute(select(Record.id).where(archive.of_batch(session, 987654)))
    assert set(found.scalars()) == {stray.id}
