"""One place that writes a step of an entry's history and its audit row, in one transaction."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from xinyong import audit
from xinyong.audit import Actor, AuditAction
from xinyong.db.tables import ListEntry, ListEntryStep
from xinyong.enums import ListStep


def record_step(
    session: Session,
    entry: ListEntry,
    step: ListStep,
    action: AuditAction,
    detail: dict[str, Any],
    *,
    actor: Actor,
    today: date,
    before: str | None,
    audited: dict[str, Any] | None = None,
) -> ListEntryStep:
    """Add the step row (who, which day, what) and audit it; `audited` narrows what the audit
    row repeats (a member of the public's contact details stay in the step only)."""
    row = ListEntryStep(
        entry_id=entry.id,
        step=step,
        on=today,
        actor_label=actor.label,
        detail=audit.jsonable(detail),
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        action,
        target_type="list_entry",
        target_id=entry.id,
        before={"stage": before},
        after={"stage": entry.stage, **(detail if audited is None else audited)},
    )
    return row
