"""The one-off correction of `valid_until` stored one day short before the period rule was unified
(decision + months − 1 day): such an entry is corrected with an audit row, a correct one and one
stored from a different validity are untouched, and a second run changes nothing."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import make_subject
from tests.factories.lists import listed
from xinyong import clock, lists
from xinyong.audit import Actor, AuditAction
from xinyong.catalog import Catalog
from xinyong.clock import Calendar
from xinyong.db.tables import AuditEntry, ListEntry
from xinyong.enums import Role

MONDAY = date(2026, 11, 23)
DECIDED = date(2026, 12, 1)  # the day `listed` decides an entry proposed on MONDAY


def _decided(session: Session, catalog: Catalog, calendar: Calendar, officer: Actor) -> ListEntry:
    return listed(session, make_subject(session), "watch", catalog=catalog, calendar=calendar,
                  actor=officer, proposed_on=MONDAY)  # fmt: skip


def test_an_end_stored_one_day_short_is_corrected_and_a_correct_one_untouched(
    session, catalog, calendar
):
    officer = Actor(kind="user", id=77, label="认定人员", role=Role.OFFICER)
    stale, right, other = (_decided(session, catalog, calendar, officer) for _ in range(3))
    rule_end = clock.period_last_day(DECIDED, catalog.list_type("watch").validity.months or 0)
    assert right.valid_until == rule_end == date(2027, 12, 1)
    # stored the old way (the state a decision made before the change left behind)
    stale.valid_until = rule_end - timedelta(days=1)
    other.valid_until = date(2028, 6, 30)  # not the old rule's answer: not ours to change
    session.flush()
    assert not lists.current_hits(session, stale.subject_id, catalog=catalog, today=rule_end)

    office = Actor.system("命令行:test")
    assert [c.entry_id for c in lists.stale_validity(session, catalog=catalog)] == [stale.id]
    found = lists.recompute_validity(session, catalog=catalog, actor=office)

    assert [(c.entry_id, c.stored, c.corrected) for c in found] == [
        (stale.id, date(2027, 11, 30), date(2027, 12, 1))
    ]
    assert (stale.valid_until, right.valid_until, other.valid_until) == (
        date(2027, 12, 1),
        date(2027, 12, 1),
        date(2028, 6, 30),
    )
    assert lists.current_hits(session, stale.subject_id, catalog=catalog, today=rule_end)
    rows = session.execute(
        select(AuditEntry).where(AuditEntry.action == AuditAction.LIST_VALIDITY_CORRECTED)
    ).scalars().all()  # fmt: skip
    assert [(r.target_id, r.before, r.after) for r in rows] == [
        (str(stale.id), {"valid_until": "2027-11-30"}, {"valid_until": "2027-12-01"})
    ]
    assert lists.recompute_validity(session, catalog=catalog, actor=office) == []


def test_a_dry_run_lists_without_changing(session, catalog, calendar):
    officer = Actor(kind="user", id=77, label="认定人员", role=Role.OFFICER)
    entry = _decided(session, catalog, calendar, officer)
    entry.valid_until = date(2027, 11, 30)  # stored the old way: one day short of 2027-12-01
    session.flush()
    found = lists.recompute_validity(session, catalog=catalog, actor=Actor.system(), dry_run=True)
    assert [c.entry_id for c in found] == [entry.id]
    assert entry.valid_until == date(2027, 11, 30)
