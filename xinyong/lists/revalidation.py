"""One-off correction of `valid_until` stored before the period-end rule was unified.

Until 2026-11-29 a platform decision stored `valid_until` as decision day + validity months − 1
day; since then `validity.expiry` (that is `clock.period_last_day`, 民法典 第201–202条) decides it
and entries stored earlier end one day short of what the portal and the joint check now say. This
finds exactly those entries — stored end == today's rule − 1 day — and sets the end the rule gives,
with one audit row each. An entry stored any other way (the rule's own answer, an end set from a
catalog version whose validity differed) is left alone, so running it twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong import audit, auth
from xinyong.audit import Actor, AuditAction
from xinyong.catalog import Catalog
from xinyong.db.tables import ListEntry
from xinyong.enums import Role
from xinyong.lists.validity import expiry

REASON = "有效期按民法典第二百零一条、第二百零二条重新计算（原存储值少计一日）"


@dataclass(frozen=True, slots=True)
class Correction:
    entry_id: int
    list_type: str
    decided_on: date
    stored: date
    corrected: date


def stale_validity(session: Session, *, catalog: Catalog) -> list[Correction]:
    """Decided platform entries whose stored end is one day short of `validity.expiry`."""
    rows = session.execute(
        select(ListEntry)
        .where(ListEntry.decided_on.is_not(None), ListEntry.valid_until.is_not(None))
        .order_by(ListEntry.id)
    ).scalars()
    found = []
    for entry in rows:
        lt = catalog.list_types.get(entry.list_type)
        assert entry.decided_on is not None
        assert entry.valid_until is not None
        end = expiry(entry.decided_on, lt) if lt is not None else None
        if end is not None and entry.valid_until == end - timedelta(days=1):
            found.append(
                Correction(entry.id, entry.list_type, entry.decided_on, entry.valid_until, end)
            )
    return found


def recompute_validity(
    session: Session, *, catalog: Catalog, actor: Actor, dry_run: bool = False
) -> list[Correction]:
    """Correct every stale `valid_until` (see the module doc), auditing each change."""
    auth.require_role(actor, Role.ADMIN)
    found = stale_validity(session, catalog=catalog)
    if dry_run:
        return found
    for c in found:
        entry = session.get_one(ListEntry, c.entry_id)
        entry.valid_until = c.corrected
        audit.record(
            session, actor, AuditAction.LIST_VALIDITY_CORRECTED, target_type="list_entry",
            target_id=c.entry_id, before={"valid_until": c.stored.isoformat()},
            after={"valid_until": c.corrected.isoformat()}, reason=REASON,
        )  # fmt: skip
    session.flush()
    return found
