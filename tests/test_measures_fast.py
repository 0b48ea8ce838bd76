"""The PostgreSQL fast read path gives the same answer as the sync path, and logs durably."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from tests.factories import make_record, make_subject
from tests.factories.lists import listed
from xinyong import measures
from xinyong.audit import Actor
from xinyong.db.tables import Check, ListEntry, ListEntryStep, Record, Subject
from xinyong.enums import Role
from xinyong.measures.fast import FastCheck

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
    with Session(engine) as s, s.begin():
        s.execute(delete(Check).where(Check.subject_id == ids[0]))
        s.execute(delete(ListEntryStep).where(ListEntryStep.entry_id == ids[2]))
        s.execute(delete(ListEntry).where(ListEntry.id == ids[2]))
        s.execute(delete(Record).where(Record.id == ids[3]))
        s.execute(delete(Subject).where(Subject.id == ids[0]))


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
