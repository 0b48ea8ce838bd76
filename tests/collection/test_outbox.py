"""The outbox and the change it records commit or roll back together; the change feed pages
through every change exactly once, in order, with a stable cursor (exchange scope only)."""

from __future__ import annotations

import random
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.collection.conftest import HEADERS, penalty_rows, to_csv
from tests.factories.subjects import SYSTEM
from xinyong import archive, auth, collection, outbox
from xinyong.audit import Actor
from xinyong.catalog import Catalog
from xinyong.clock import Calendar
from xinyong.collection import Submission
from xinyong.db.session import make_engine, make_sessionmaker
from xinyong.db.tables import OutboxEntry, Provider, Record
from xinyong.demo import make_uscc
from xinyong.enums import Role
from xinyong.errors import Forbidden
from xinyong.exchange import feed

EXCHANGE = Actor(kind="api_client", id=1, label="省平台", role=Role.SYSTEM, scopes=("exchange",))


def _count(session: Session, table: type) -> int:
    return int(session.execute(select(func.count()).select_from(table)).scalar_one())


def _collect(session: Session, provider: Provider, rows: list[list[str]], **kw: object) -> None:
    sub = Submission("penalty", provider.uscc, data=to_csv(rows, HEADERS), file_name="p.csv")
    collection.collect(session, sub, **kw)  # type: ignore[arg-type]


def test_a_failed_correction_leaves_no_outbox_row_and_a_failed_outbox_row_no_correction(
    session: Session,
    provider: Provider,
    catalog: Catalog,
    calendar: Calendar,
    today: date,
    operator: Actor,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    kw = {"catalog": catalog, "calendar": calendar, "today": today, "actor": operator}
    _collect(session, provider, penalty_rows(1, seed=61), **kw)
    record = session.execute(select(Record)).scalar_one()
    before = _count(session, OutboxEntry)

    # the change fails after its outbox row was written: both roll back
    def change_then_fail() -> None:
        archive.new_version(session, record, reason="更正", changes={"content": "新"}, actor=SYSTEM)
        assert _count(session, OutboxEntry) == before + 1
        raise RuntimeError("the change fails")

    with pytest.raises(RuntimeError), session.begin_nested():
        change_then_fail()
    session.expire_all()
    assert (_count(session, OutboxEntry), _count(session, Record)) == (before, 1)
    # the outbox row fails: the change rolls back with it

    def broken(*_a: object, **_k: object) -> None:
        raise RuntimeError("outbox unavailable")

    monkeypatch.setattr(outbox, "append", broken)
    with pytest.raises(RuntimeError), session.begin_nested():
        archive.new_version(session, record, reason="更正", changes={"content": "新"}, actor=SYSTEM)
    session.expire_all()
    assert (_count(session, OutboxEntry), _count(session, Record)) == (before, 1)
    monkeypatch.undo()
    archive.new_version(session, record, reason="更正", changes={"content": "新"}, actor=SYSTEM)
    assert (_count(session, OutboxEntry), _count(session, Record)) == (before + 1, 2)


def test_a_collection_chunk_and_its_outbox_row_commit_together(
    scratch_url: str,
    catalog: Catalog,
    calendar: Calendar,
    today: date,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """On the real write path (committed chunks; the COPY writer thread on PostgreSQL)."""
    factory = make_sessionmaker(make_engine(scratch_url))
    uscc = make_uscc(random.Random(31), "1", "1")
    with factory() as s, s.begin():
        from xinyong import providers  # noqa: PLC0415

        providers.add(s, uscc, "测试局", kind="market_regulation", actor=SYSTEM)
    data = to_csv(penalty_rows(30, seed=62), HEADERS)
    kw: dict[str, Any] = {"catalog": catalog, "calendar": calendar, "today": today, "actor": SYSTEM}

    def broken(*_a: object, **_k: object) -> None:
        raise RuntimeError("outbox unavailable")

    monkeypatch.setattr(outbox, "append_chunk", broken)
    with factory() as s, pytest.raises(RuntimeError, match="outbox unavailable"):
        collection.collect(s, Submission("penalty", uscc, data=data, file_name="p.csv"), **kw)
    with factory() as s:
        assert (_count(s, Record), _count(s, OutboxEntry)) == (0, 0)  # neither
    monkeypatch.undo()
    with factory() as s:  # the rerun resumes the same batch
        collection.collect(s, Submission("penalty", uscc, data=data, file_name="p.csv"), **kw)
    with factory() as s:
        assert (_count(s, Record), _count(s, OutboxEntry)) == (30, 1)  # both
        changes = feed.changes(s, after=None, limit=100, actor=EXCHANGE)
        assert len(changes.changes) == 30
        ids = sorted(r.id for r in s.execute(select(Record)).scalars())
        assert [c["record"]["id"] for c in changes.changes] == ids


def _end_of_feed(session: Session) -> str:
    """The feed's cursor after every change already there."""
    page = feed.changes(session, after=None, limit=100, actor=EXCHANGE)
    while page.more:
        page = feed.changes(session, after=page.next_cursor, limit=100, actor=EXCHANGE)
    return page.next_cursor


def test_the_feed_pages_through_every_change_once_in_order(
    session: Session,
    provider: Provider,
    catalog: Catalog,
    calendar: Calendar,
    today: date,
    operator: Actor,
) -> None:
    kw = {"catalog": catalog, "calendar": calendar, "today": today, "actor": operator}
    start = _end_of_feed(session)  # what other tests committed is not this test's
    _collect(session, provider, penalty_rows(25, seed=63), **kw)
    first = (
        session.execute(select(Record).where(Record.provider_id == provider.id).order_by(Record.id))
        .scalars()
        .first()
    )
    assert first is not None
    archive.new_version(
        session, first, reason="异议更正", changes={"content": "更正"}, actor=SYSTEM
    )
    _collect(session, provider, penalty_rows(3, seed=64), **kw)
    seen: list[dict[str, object]] = []
    cursor: str | None = start
    while True:
        page = feed.changes(session, after=cursor, limit=7, actor=EXCHANGE)
        seen += page.changes
        cursor = page.next_cursor
        if not page.more:
            break
    assert len(seen) == 25 + 1 + 3
    assert [c["event"] for c in seen] == ["records.collected"] * 25 + ["record.versioned"] + [
        "records.collected"
    ] * 3
    assert seen[25]["record"]["reason"] == "异议更正"  # type: ignore[index]
    keys = [(c["record"]["natural_key"], c["record"]["version"]) for c in seen]  # type: ignore[index]
    assert len(set(keys)) == len(keys)
    # the cursor is stable: asking again after any change gives the same continuation
    middle = seen[9]["cursor"]
    again = feed.changes(session, after=str(middle), limit=5, actor=EXCHANGE)
    assert again.changes == seen[10:15]
    assert feed.changes(session, after=cursor, limit=5, actor=EXCHANGE).changes == []
    with pytest.raises(Forbidden):
        feed.changes(session, after=None, limit=5, actor=operator.__class__(
            kind="api_client", id=2, label="业务系统", role=Role.SYSTEM))  # fmt: skip


def test_the_change_feed_api_needs_the_exchange_scope(
    client: TestClient,
    session: Session,
    provider: Provider,
    catalog: Catalog,
    calendar: Calendar,
    today: date,
    operator: Actor,
) -> None:
    kw = {"catalog": catalog, "calendar": calendar, "today": today, "actor": operator}
    start = _end_of_feed(session)
    _collect(session, provider, penalty_rows(4, seed=65), **kw)
    _c, plain = auth.create_api_client(session, "业务系统", Role.SYSTEM, actor=SYSTEM)
    _c, node = auth.create_api_client(
        session, "省级平台", Role.SYSTEM, scopes=("exchange",), actor=SYSTEM
    )
    refused = client.get("/api/v1/exchange/changes", headers={"X-API-Key": plain})
    assert refused.status_code == 403, refused.text
    got = client.get(f"/api/v1/exchange/changes?limit=3&after={start}", headers={"X-API-Key": node})
    assert got.status_code == 200, got.text
    body = got.json()
    assert (len(body["changes"]), body["more"]) == (3, True)
    rest = client.get(
        f"/api/v1/exchange/changes?after={body['next_cursor']}", headers={"X-API-Key": node}
    ).json()
    assert (len(rest["changes"]), rest["more"]) == (1, False)
    bad = client.get("/api/v1/exchange/changes?after=x", headers={"X-API-Key": node})
    assert (bad.status_code, bad.json()["error"]) == (422, "exchange.bad_cursor")
