"""A run's records read on a second connection that shares the session's snapshot
(`reading.read_batches` on PostgreSQL, when the session's transaction has written nothing):
the same rows as the one-connection read."""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl
import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from tests.factories import make_subject
from tests.factories.archive import make_record
from xinyong.catalog import Catalog
from xinyong.evaluation import fact_table, reading


def test_records_read_beside_the_session_are_the_rows_it_sees(
    engine: Engine, catalog: Catalog, db_kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if db_kind != "postgresql":
        pytest.skip("a PostgreSQL mechanism (exported snapshot); SQLite reads in one statement")
    with Session(engine) as writer:  # committed: the second connection sees only that
        subject = make_subject(writer)
        for day in (date(2026, 3, 1), date(2026, 4, 1), date(2026, 5, 1)):
            make_record(writer, subject, decision_date=day)
        writer.commit()
        subject_id = subject.id
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
        stmt, schema = fact_table.record_select(reader, fact_table.everyone(), catalog)
        one = reading.read_frame(reader, stmt, schema)  # one frame: the one-connection read
        assert len(beside) == 1
        both = pl.concat(frames).sort("id")
        assert both.equals(one.sort("id"))
        assert len(frames) == -(-both.height // 2)  # frames of two rows
        assert both.filter(pl.col("subject_id") == subject_id).height == 3
        reader.rollback()
