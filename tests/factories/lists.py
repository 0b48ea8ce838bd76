"""Reach list-entry states through the real due-process actions (never by inserting state)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from xinyong import clock, lists
from xinyong.audit import Actor
from xinyong.catalog import Catalog
from xinyong.clock import Calendar
from xinyong.db.tables import ListEntry, Subject


def listed(
    session: Session,
    subject: Subject,
    list_type: str,
    *,
    catalog: Catalog,
    calendar: Calendar,
    actor: Actor,
    proposed_on: date,
    publish: bool = True,
) -> ListEntry:
    """Propose, notify, wait out the period, approve where needed, decide, publish."""
    entry = lists.propose_entry(
        session, subject, list_type, "经查实的失信事实", catalog=catalog, actor=actor,
        today=proposed_on,
    )  # fmt: skip
    entry = lists.send_prior_notice(
        session, entry, f"告知〔{proposed_on.year}〕{entry.id}号", catalog=catalog,
        calendar=calendar, actor=actor, today=proposed_on,
    )  # fmt: skip
    assert entry.statement_deadline is not None
    after = clock.add_working_days(entry.statement_deadline, 1, calendar)
    if "approval" in lists.steps_of(catalog.list_type(list_type)):
        entry = lists.approve_entry(
            session, entry, "同意", catalog=catalog, actor=actor, today=after
        )
    entry = lists.decide_entry(
        session, entry, f"认定〔{after.year}〕{entry.id}号", catalog=catalog, actor=actor,
        today=after,
    )  # fmt: skip
    if publish:
        entry = lists.publish_entry(session, entry, actor=actor, today=after)
    return entry
