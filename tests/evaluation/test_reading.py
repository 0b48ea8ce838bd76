"""A run's records read on a second connection that shares the session's snapshot
(`reading.read_batches` on PostgreSQL, when the session's transaction has written nothing):
the same rows as the one-connection read."""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl
import psycopg
import pytest
from sqlalchemy import Engine, Select, literal, literal_column, select, text
from sqlalchemy.orm import Session

from tests.factories import make_subject
from tests.factories.archive import make_record
from xinyong import archive
from xinyong.catalog import Catalog
from xinyong.disclosure import stored
from xinyong.evaluation import engine as engines
from xinyong.evaluation import fact_table, facts, reading


@pytest.mark.postgres  # an exported snapshot is PostgreSQL's; SQLite reads in one statement
def test_records_read_beside_the_session_are_the_rows_it_sees(
    engine: Engine, catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Session(engine) as writer:  # committed: the second connection sees only that
        subject = make_subject(writer)
        for day in (date(2026, 3, 1), date(2026, 4, 1), date(2026, 5, 1)):
            make_record(writer, subject, decision_date=day)
        writer.commit()
        subject_id = subject.id
    try:
        _read_beside(engine, catalog, monkeypatch, subject_id)
    finally:  # other tests share this database and read every record: leave none behind
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM records WHERE subject_id = :s"), {"s": subject_id})
            for table in ("evaluation_results", "evaluation_pending"):
                conn.execute(text(f"DELETE FROM {table} WHERE subject_id = :s"), {"s": subject_id})
            conn.execute(text("DELETE FROM subjects WHERE id = :s"), {"s": subject_id})


def _read_beside(
    engine: Engine, catalog: Catalog, monkeypatch: pytest.MonkeyPatch, subject_id: int
) -> None:
    beside: list[Any] = []
    original = reading._beside

    def counted(*args: Any) -> Any:
        beside.append(args)
        return original(*args)

    monkeypatch.setattr(reading, "_beside", counted)
    with Session(engine) as reader:
        frames = list(
            fact_table.record_batches(reader, fact_table.everyone(), catalog=catalog, rows=2)
        )
        assert len(beside) == 1  # the second connection read them
        stmt, schema = fact_table.record_select(
            reader, fact_table.everyone(), catalog, labels=False
        )
        one = reading.read_frame(reader, stmt, schema)  # one frame: the one-connection read
        assert len(beside) == 1
        both = pl.concat(frames).sort("id")
        assert both.equals(one.sort("id"))
        assert len(frames) == -(-both.height // 2)  # frames of two rows
        assert both.filter(pl.col("subject_id") == subject_id).height == 3
        reader.rollback()


def test_windows_keyed_by_the_stored_severity_equal_the_reference(
    session: Session, catalog: Catalog, today: date
) -> None:
    """A penalty whose severity is stored under a basis the catalog gives is read without
    severity_of's inputs (its window keyed by the basis); one under a stale basis, or none,
    with them — every fact equal to the reference's (`facts.gather`)."""
    subject = make_subject(session)
    inputs: list[dict[str, Any]] = [
        {"penalty_kinds": ["警告"]},
        {"penalty_kinds": ["罚款"], "fine_amount": "200"},
        {"penalty_kinds": ["罚款"], "fine_amount": "300"},  # the same rule as the one before
        {"penalty_kinds": ["吊销许可证件"]},
        {"penalty_kinds": ["罚款"], "fine_amount": "2000000"},
    ]
    for n, extra in enumerate(inputs * 2):
        data = {"decision_number": f"读〔2026〕{n}号", **extra}
        record = make_record(session, subject, decision_date=date(2026, 5, 1), data=data)
        if n < len(inputs):  # as collection stores it
            found = stored.classify(catalog, "penalty", archive.source_row(record))
            record.severity_class, record.severity_basis = found
        else:  # classified under a table the catalog no longer has
            record.severity_class, record.severity_basis = "minor", "old@2025.1+00000000/x"
    session.flush()
    got = _equal_to_the_reference(session, catalog, today, subject.id)
    assert got.height == 2 * len(inputs)
    assert set(got["severity"]) >= {"minor", "general", "serious"}


@pytest.mark.postgres  # the COPY's blocks: PostgreSQL's read
def test_copy_read_in_blocks_gives_every_row_once_and_raises_its_error(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The COPY read a block of rows at a time (`reading.BLOCK`), cut into frames of `rows`
    rows: every row once, in order; an error the server raises mid-COPY reaches the caller —
    on the session's connection and on the second one (`_beside`)."""
    monkeypatch.setattr(reading, "BLOCK", 2)
    series = text("generate_series(1, 7) AS n")
    numbers: Select[Any] = select(literal_column("n")).select_from(series)
    failing = select((literal(1) / (literal_column("n") - 5)).label("q")).select_from(series)
    with Session(engine) as reader:
        frames = list(reading.read_batches(reader, numbers, {"n": pl.Int64}, rows=3))
        assert [f["n"].to_list() for f in frames] == [[1, 2, 3], [4, 5, 6], [7]]
        one = reading.read_frame(reader, numbers, {"n": pl.Int64})
        assert one["n"].to_list() == list(range(1, 8))
        empty = numbers.where(literal_column("n") > 7)
        assert reading.read_frame(reader, empty, {"n": pl.Int64}).height == 0
        reader.rollback()
        with pytest.raises(psycopg.errors.DivisionByZero):  # on the second connection
            list(reading.read_batches(reader, failing, {"q": pl.Float64}, rows=3))
        reader.rollback()
        with pytest.raises(psycopg.errors.DivisionByZero):  # on the session's
            reading.read_frame(reader, failing, {"q": pl.Float64})
        reader.rollback()
        assert reader.execute(select(literal(1))).scalar_one() == 1  # still usable


def test_undated_records_read_the_start_field_and_dated_ones_the_column(
    session: Session, catalog: Catalog, today: date
) -> None:
    """A record without a decision date starts its window on its start field — read out of
    `data` only for such rows (`disclosure.window_fields(dated=False)`) —, one with a decision
    date on it, whatever `data` says: every fact equal to the reference's (`facts.gather`)."""
    subject = make_subject(session)
    cases: list[tuple[date | None, dict[str, Any]]] = [
        (None, {"decision_date": "2026-05-01"}),
        (None, {"decision_date": "2021-01-04"}),
        (None, {}),  # no date at all: not shown
        (date(2026, 5, 1), {"decision_date": "2021-01-04"}),  # kept in data: it differs
        (date(2021, 1, 4), {}),
    ]
    for info_class in ("penalty", "licence", "honour"):
        for n, (day, extra) in enumerate(cases):
            data = {"decision_number": f"日〔2026〕{n}号", "penalty_kinds": ["警告"], **extra}
            if info_class != "penalty":
                del data["penalty_kinds"]
            make_record(session, subject, info_class=info_class, decision_date=day, data=data)
    got = _equal_to_the_reference(session, catalog, today, subject.id)
    honours = got.filter(pl.col("label").str.starts_with(catalog.info_class("honour").title))
    until = dict(zip(honours["label"].str.slice(-2, 1), honours["until"], strict=True))
    assert until["0"] == until["3"] != until["1"] == until["4"]  # start field / column
    assert until["2"] is None


def test_valid_until_is_read_from_its_column_unless_data_names_it(
    session: Session, catalog: Catalog, today: date
) -> None:
    """`valid_until` of honours and licences comes from its column for a row whose `data` names
    no column field (`records.data_overrides` false: no LIKE over `data`), from `data` for one
    that keeps a differing value or lists it as absent: every fact equal to the reference's."""
    subject = make_subject(session)
    cases: list[tuple[date | None, dict[str, Any], bool]] = [
        (date(2027, 3, 1), {"valid_until": "2027-03-01"}, False),  # as collected: the column
        (date(2027, 3, 1), {"valid_until": "2026-12-01"}, True),  # data differs: data's
        (date(2027, 3, 1), {}, True),  # the row had none (under "~"): none
        (None, {"valid_until": "2026-12-20"}, True),  # no column: data's
        (None, {}, False),  # neither
    ]
    for info_class in ("licence", "honour"):
        for n, (until, extra, named) in enumerate(cases):
            data = {"decision_number": f"期〔2026〕{n}号", "decision_date": "2026-05-01", **extra}
            record = make_record(
                session, subject, info_class=info_class, decision_date=date(2026, 5, 1),
                data=data, valid_until=until,
            )  # fmt: skip
            assert record.data_overrides is named, (info_class, n)
            assert archive.source_row(record).get("valid_until") == extra.get("valid_until")
    value = archive.source_field("valid_until", ["licence", "honour", "penalty"])
    assert "data_overrides" in str(value)
    got = _equal_to_the_reference(session, catalog, today, subject.id)
    assert got.height == 2 * len(cases)
    honours = got.filter(pl.col("label").str.starts_with(catalog.info_class("honour").title))
    ends = dict(zip(honours["label"].str.slice(-2, 1), honours["until"], strict=True))
    assert len({ends["0"], ends["1"], ends["3"]}) == 3  # column, data, data: each its own


def _equal_to_the_reference(
    session: Session, catalog: Catalog, today: date, subject_id: int
) -> pl.DataFrame:
    """The subject's fact table (`fact_table.table`), asserted equal to `facts.gather`'s."""
    ids = [subject_id]
    want = engines.to_frame(facts.gather(session, ids, catalog=catalog, today=today))
    got = fact_table.table(
        session, fact_table.of_subjects(ids), catalog=catalog, today=today, hits={}
    )
    order = ["subject_id", "ref"]
    assert got.sort(order).to_dicts() == want.sort(order).to_dicts()
    return got
