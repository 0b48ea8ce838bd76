"""A byte-identical file again: the answer says it repeats batch N (date, provider) and that
nothing was written, in the domain report and the CLI (text and --json); a batch keeps its end."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.collection.conftest import penalty_rows, to_csv
from xinyong import collection
from xinyong.audit import Actor
from xinyong.catalog import Catalog
from xinyong.cli import collection as cli_collection
from xinyong.clock import Calendar
from xinyong.collection import Submission
from xinyong.db.tables import AuditEntry, BatchChunk, Provider, Record


def _collect(session, provider, data, catalog, calendar, today, operator) -> collection.BatchReport:
    sub = Submission("penalty", provider.uscc, data=data, file_name="penalty.csv")
    return collection.collect(
        session, sub, catalog=catalog, calendar=calendar, actor=operator, today=today
    )


def _counts(session: Session) -> tuple[int, ...]:
    return tuple(
        int(session.execute(select(func.count()).select_from(t)).scalar_one())
        for t in (Record, BatchChunk, AuditEntry)
    )


def test_a_repeat_names_the_earlier_batch_and_writes_nothing(
    session: Session, provider: Provider, catalog: Catalog, calendar: Calendar, today: date,
    operator: Actor,
) -> None:  # fmt: skip
    data = to_csv(penalty_rows(5))
    first = _collect(session, provider, data, catalog, calendar, today, operator)
    assert (first.repeat_of, first.message) == (None, None)
    before = _counts(session)
    again = _collect(session, provider, data, catalog, calendar, today, operator)
    assert _counts(session) == before
    assert again.repeat_of == first.batch_id
    assert again.as_dict()["repeat_of"] == first.batch_id
    assert again.message is not None
    assert first.batch_id is not None
    assert f"第 {first.batch_id} 号批次" in again.message
    assert today.isoformat() in again.message
    assert provider.name in again.message
    assert "未写入任何数据" in again.message
    batch = collection.get(session, first.batch_id, actor=Actor.system())
    assert batch.finished_at is not None
    spent = collection.duration(batch)
    assert spent is not None
    assert spent.total_seconds() >= 0


@pytest.mark.parametrize("json_out", [True, False])
def test_the_cli_says_repeat(
    session: Session, provider: Provider, catalog: Catalog, calendar: Calendar, today: date,
    operator: Actor, capsys: pytest.CaptureFixture[str], json_out: bool,
) -> None:  # fmt: skip
    data = to_csv(penalty_rows(2, seed=4))
    first = _collect(session, provider, data, catalog, calendar, today, operator)
    again = _collect(session, provider, data, catalog, calendar, today, operator)
    cli_collection._present(again, json_out=json_out)
    out = capsys.readouterr()
    if json_out:
        body = json.loads(out.out[out.out.index("{\n") :])  # after any log lines
        assert body["repeat_of"] == first.batch_id
        assert "未写入任何数据" in body["message"]
    else:
        text = out.err.replace("\n", "")  # the console wraps long lines
        assert "重复报送" in text
        assert f"第 {first.batch_id} 号批次" in text
        assert "未写入任何数据" in text
