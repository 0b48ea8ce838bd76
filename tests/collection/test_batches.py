"""Batches end to end on a real database: exactly the invalid rows are rejected, with field and
code; re-submitting changes nothing; a changed row becomes a new version."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.collection.conftest import HEADERS, penalty_rows, to_csv
from xinyong import archive, collection
from xinyong.audit import Actor
from xinyong.catalog import Catalog
from xinyong.clock import Calendar
from xinyong.collection import Submission
from xinyong.db.tables import Provider, Record, Subject


def _collect(
    session, provider, data, catalog, calendar, today, operator, **kw
) -> collection.BatchReport:
    sub = Submission("penalty", provider.uscc, data=data, file_name="penalty.csv")
    return collection.collect(
        session, sub, catalog=catalog, calendar=calendar, actor=operator, today=today, **kw
    )


def _records(session: Session) -> int:
    return int(session.execute(select(func.count()).select_from(Record)).scalar_one())


def test_exactly_the_invalid_rows_are_rejected_with_field_and_code(
    session: Session,
    provider: Provider,
    catalog: Catalog,
    calendar: Calendar,
    today: date,
    operator: Actor,
) -> None:
    rows = penalty_rows(10)
    rows[1][2] = rows[1][2][:-1] + ("0" if rows[1][2][-1] != "0" else "1")  # USCC check char
    rows[3][13], rows[3][14] = "2027-01-05", "2027-01-12"  # decided in the future
    rows[5][12] = "-1"  # negative fine
    rows[6][10] = "罚酒三杯"  # not in the code table
    rows[7][14] = "2026-11-01"  # valid until before the decision
    rows[8][0] = ""  # required name missing
    report = _collect(session, provider, to_csv(rows), catalog, calendar, today, operator)
    got = {(e["row"], e["field"], e["code"]) for e in report.errors}
    assert got == {
        (3, "行政相对人代码_1(统一社会信用代码)", "identifiers.uscc.check_char"),
        (5, "处罚决定日期", "collection.future_date"),
        (7, "罚款金额（万元）", "collection.negative_amount"),
        (8, "处罚类别", "collection.unknown_code"),
        (9, "处罚有效期", "collection.date_order"),
        (10, "行政相对人名称", "collection.required"),
    }
    assert (report.received, report.accepted, report.rejected, report.new) == (10, 4, 6, 4)
    assert _records(session) == 4


def test_resubmitting_the_same_file_changes_nothing(
    session: Session,
    provider: Provider,
    catalog: Catalog,
    calendar: Calendar,
    today: date,
    operator: Actor,
) -> None:
    data = to_csv(penalty_rows(6))
    first = _collect(session, provider, data, catalog, calendar, today, operator)
    before = (
        _records(session),
        session.execute(select(func.count()).select_from(Subject)).scalar(),
    )
    again = _collect(session, provider, data, catalog, calendar, today, operator)
    after = (_records(session), session.execute(select(func.count()).select_from(Subject)).scalar())
    assert again.batch_id == first.batch_id
    assert (again.new, again.updated, again.unchanged) == (6, 0, 0)
    assert before == after


def test_a_changed_row_becomes_a_new_version_and_the_rest_are_unchanged(
    session: Session,
    provider: Provider,
    catalog: Catalog,
    calendar: Calendar,
    today: date,
    operator: Actor,
) -> None:
    rows = penalty_rows(4)
    _collect(session, provider, to_csv(rows), catalog, calendar, today, operator)
    rows[2][12] = "0.5"
    second = _collect(session, provider, to_csv(rows), catalog, calendar, today, operator)
    assert (second.new, second.updated, second.unchanged) == (0, 1, 3)
    key = "|".join([rows[2][6], rows[2][16], rows[2][2], ""])
    versions = archive.history(session, "penalty", key)
    assert [(v.version, v.is_current, v.data["fine_amount"]) for v in versions] == [
        (1, False, "0.2"),
        (2, True, "0.5"),
    ]
    assert versions[1].batch_id == second.batch_id
    assert versions[1].source_row == 4


def test_unknown_identifier_creates_an_unverified_subject_and_name_mismatch_warns(
    session: Session,
    provider: Provider,
    catalog: Catalog,
    calendar: Calendar,
    today: date,
    operator: Actor,
) -> None:
    rows = penalty_rows(2)
    _collect(session, provider, to_csv(rows), catalog, calendar, today, operator)
    subject = session.execute(select(Subject).where(Subject.code == rows[0][2])).scalar_one()
    assert subject.verified is False
    rows[0][0] = "另一个名称有限公司"
    rows[0][12] = "0.3"
    report = _collect(session, provider, to_csv(rows), catalog, calendar, today, operator)
    assert any("另一个名称有限公司" in w and subject.name in w for w in report.warnings)


def test_dry_run_validates_only(
    session: Session,
    provider: Provider,
    catalog: Catalog,
    calendar: Calendar,
    today: date,
    operator: Actor,
) -> None:
    rows = penalty_rows(3)
    rows[0][13] = "不是日期"
    report = _collect(
        session, provider, to_csv(rows), catalog, calendar, today, operator, dry_run=True
    )
    assert (report.batch_id, report.accepted, report.rejected) == (None, 2, 1)
    assert report.errors[0]["code"] == "collection.bad_date"
    assert _records(session) == 0


def test_missing_required_column_refuses_the_whole_batch(
    session: Session,
    provider: Provider,
    catalog: Catalog,
    calendar: Calendar,
    today: date,
    operator: Actor,
) -> None:
    rows = [r[:6] + r[7:] for r in penalty_rows(3)]
    headers = HEADERS[:6] + HEADERS[7:]
    with pytest.raises(collection.MissingColumns, match="行政处罚决定书文号"):
        _collect(session, provider, to_csv(rows, headers), catalog, calendar, today, operator)
    assert _records(session) == 0


def test_a_repeated_natural_key_rejects_the_later_row_naming_the_first(
    session: Session,
    provider: Provider,
    catalog: Catalog,
    calendar: Calendar,
    today: date,
    operator: Actor,
) -> None:
    rows = penalty_rows(4)
    rows[3] = list(rows[1])
    rows[3][12] = "0.5"  # same decision number, authority and subject: the same record
    report = _collect(session, provider, to_csv(rows), catalog, calendar, today, operator)
    assert [(e["row"], e["code"]) for e in report.errors] == [(5, "collection.duplicate_key")]
    assert "与第3行是同一条记录" in report.errors[0]["message"]
    assert (report.accepted, report.rejected, report.new) == (3, 1, 3)
    batch = collection.get(session, report.batch_id or 0, actor=Actor.system())
    assert batch.fill_counts["subject_name"] == 3


def test_a_file_submitted_by_path_is_the_same_batch_as_its_bytes(
    session: Session,
    provider: Provider,
    catalog: Catalog,
    calendar: Calendar,
    today: date,
    operator: Actor,
    tmp_path: Path,
) -> None:
    data = to_csv(penalty_rows(4, seed=8))
    (tmp_path / "penalty.csv").write_bytes(data)
    by_path = Submission("penalty", provider.uscc, path=tmp_path / "penalty.csv")
    by_bytes = Submission("penalty", provider.uscc, data=data)
    assert by_path.content_hash() == by_bytes.content_hash()
    assert by_path.table().frame.equals(by_bytes.table().frame)
    first = collection.collect(
        session, by_path, catalog=catalog, calendar=calendar, actor=operator, today=today
    )
    again = _collect(session, provider, data, catalog, calendar, today, operator)
    assert (first.new, again.batch_id) == (4, first.batch_id)
