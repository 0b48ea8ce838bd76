"""The PostgreSQL fast read path gives the same answer as the sync path, and logs durably."""

from __future__ import annotations

import asyncio
import json
from datetime import date

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from tests.databases import delete_committed
from tests.factories import make_record, make_subject
from tests.factories.lists import listed
from xinyong import archive, audit, measures
from xinyong.audit import Actor
from xinyong.db.tables import (
    Check,
    Record,
    Subject,
)
from xinyong.enums import RecordStatus, Role
from xinyong.measures import replay
from xinyong.measures.fast import Encoded, FastCheck

# The fast read path exists on PostgreSQL only; on SQLite the sync path serves (deselected there).
pytestmark = pytest.mark.postgres

MONDAY = date(2026, 11, 23)
DECIDED = date(2026, 12, 1)
SYSTEM = Actor(kind="api_client", id=9, label="接口:招投标系统", role=Role.SYSTEM)


@pytest.fixture
def committed(engine, catalog, calendar):
    """A subject on a platform list and an imported list, committed (the pool cannot see a
    rolled-back test transaction); removed afterwards."""
    officer = Actor(kind="user", id=1, label="认定人员", role=Role.OFFICER)
    with Session(engine) as s, s.begin():
        subject = make_subject(s)
        entry = listed(s, subject, "watch", catalog=catalog, calendar=calendar, actor=officer,
                       proposed_on=MONDAY)  # fmt: skip
        record = make_record(s, subject, info_class="court_defaulter", decision_date=MONDAY)
        ids = (subject.id, subject.code, entry.id, record.id)
    yield ids
    delete_committed(engine, ids[0])  # its outbox changes too: the exchange tests read them all


def strip(ans: measures.CheckAnswer) -> dict[str, object]:
    return {k: v for k, v in ans.as_dict().items() if k != "check_id"}


async def _fast_check(url: str, code: str, matter: str, catalog, today: date):
    fast = FastCheck(url)
    await fast.open()
    try:
        return await asyncio.gather(
            *(fast.check(code, matter, catalog=catalog, actor=SYSTEM, today=today)
              for _ in range(3))
        )  # fmt: skip
    finally:
        await fast.close()


@pytest.mark.parametrize(("matter", "today"), [("bidding", DECIDED), ("supervision", DECIDED),
                                                ("bidding", date(2029, 1, 1))])  # fmt: skip
def test_fast_path_answers_exactly_as_the_sync_path(engine, catalog, committed, matter, today):
    _sid, code, _entry, _record = committed
    with Session(engine) as s:
        sync = measures.check(s, code, matter, catalog=catalog, actor=SYSTEM, today=today)
        s.rollback()
    url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    fast = asyncio.run(_fast_check(url, code, matter, catalog, today))
    assert all(strip(a) == strip(sync) for a in fast)
    with Session(engine) as s:
        logged = s.execute(
            select(Check.check_id).where(Check.check_id.in_([a.check_id for a in fast]))
        ).scalars().all()  # fmt: skip
    assert len(logged) == 3


@pytest.fixture
def fresh(engine):
    """A committed subject on no list yet; everything about it removed afterwards."""
    with Session(engine) as s, s.begin():
        subject = make_subject(s)
        ids = (subject.id, subject.code)
    yield ids
    delete_committed(engine, ids[0])


def _url(engine: Engine) -> str:
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def test_a_new_decision_and_an_approved_repair_show_on_the_very_next_fast_check(
    engine, catalog, calendar, fresh
):
    sid, code = fresh
    officer = Actor(kind="user", id=1, label="认定人员", role=Role.OFFICER)

    def titles(ans: measures.CheckAnswer) -> list[str]:
        return sorted(h.hit.list_title for h in ans.hits)

    async def scenario() -> list[list[str]]:
        fast = FastCheck(_url(engine))
        await fast.open()
        try:
            seen = [titles(await fast.check(code, "bidding", catalog=catalog, actor=SYSTEM,
                                            today=DECIDED))]  # fmt: skip
            with Session(engine) as s, s.begin():
                subject = s.get_one(Subject, sid)
                listed(s, subject, "watch", catalog=catalog, calendar=calendar, actor=officer,
                       proposed_on=MONDAY)  # fmt: skip
                record = make_record(s, subject, info_class="court_defaulter",
                                     decision_date=MONDAY)  # fmt: skip
                record_id = record.id
            seen.append(titles(await fast.check(code, "bidding", catalog=catalog, actor=SYSTEM,
                                                today=DECIDED)))  # fmt: skip
            with Session(engine) as s, s.begin():  # what an approved repair puts into effect
                archive.new_version(s, s.get_one(Record, record_id), reason="信用修复：准予修复",
                                    status=RecordStatus.REPAIRED, actor=officer)  # fmt: skip
            seen.append(titles(await fast.check(code, "bidding", catalog=catalog, actor=SYSTEM,
                                                today=DECIDED)))  # fmt: skip
            return seen
        finally:
            await fast.close()

    before, decided, repaired = asyncio.run(scenario())
    watch = catalog.list_type("watch").title
    defaulter = catalog.list_type(catalog.info_class("court_defaulter").list_type or "").title
    assert before == []
    assert decided == sorted([watch, defaulter])
    assert repaired == [watch]


def test_the_fast_path_logs_the_sync_shape_and_replay_reproduces_its_digest(
    engine, catalog, committed
):
    _sid, code, entry_id, record_id = committed

    async def one() -> Encoded:
        fast = FastCheck(_url(engine))
        await fast.open()
        try:
            return await fast.check_encoded(code, "bidding", catalog=catalog, actor=SYSTEM,
                                            today=DECIDED)  # fmt: skip
        finally:
            await fast.close()

    done = asyncio.run(one())
    assert json.loads(done.body) == audit.jsonable(done.answer.as_dict())
    auditor = Actor(kind="user", id=5, label="审计员", role=Role.AUDITOR)
    shape = ("actor_label", "hits", "mandatory", "catalog_version", "checked_on", "code", "basis",
             "answer")  # fmt: skip
    with Session(engine) as s:
        sync = measures.check(s, code, "bidding", catalog=catalog, actor=SYSTEM, today=DECIDED)
        s.flush()
        rows = {
            r.check_id: r
            for r in s.scalars(select(Check).where(
                Check.check_id.in_([done.answer.check_id, sync.check_id])))
        }  # fmt: skip
        fast_row, sync_row = rows[done.answer.check_id], rows[sync.check_id]
        assert [getattr(fast_row, k) for k in shape] == [getattr(sync_row, k) for k in shape]
        basis = fast_row.basis or {}
        assert basis["entries"] == [entry_id]
        assert basis["records"] == [record_id]
        assert fast_row.digest == replay.answer_digest(json.loads(done.body))
        for check_id in rows:
            again = measures.replay_check(s, check_id, catalog=catalog, actor=auditor)
            assert again.verdict == "digest matches"
        s.rollback()
