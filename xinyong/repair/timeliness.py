"""信用修复及时率: the share of repair cases an authority handled within its working-day limits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.db.tables import Provider, RepairApplication
from xinyong.enums import RepairStatus

HANDLED = (
    RepairStatus.APPROVED,
    RepairStatus.REFUSED,
    RepairStatus.NOT_ACCEPTED,
    RepairStatus.REVOKED,
)


@dataclass(frozen=True, slots=True)
class Timeliness:
    provider_id: int | None
    provider_name: str
    handled: int
    on_time: int

    @property
    def rate(self) -> float | None:
        return None if self.handled == 0 else self.on_time / self.handled


def handled_on_time(application: RepairApplication) -> bool:
    """Accepted (or not) by accept_due, and decided by decide_due (after any extension)."""
    if application.decided_on is None:
        return False
    if application.accepted_on is None:  # not accepted: the answer itself was due at accept_due
        return application.decided_on <= application.accept_due
    if application.accepted_on > application.accept_due:
        return False
    return application.decide_due is not None and application.decided_on <= application.decide_due


def timeliness(
    session: Session, *, since: date | None = None, until: date | None = None
) -> list[Timeliness]:
    """Per deciding authority, over applications handled from `since` to `until` (inclusive)."""
    stmt = (
        select(RepairApplication, Provider.name)
        .outerjoin(Provider, Provider.id == RepairApplication.provider_id)
        .where(RepairApplication.status.in_(HANDLED))
    )
    if since is not None:
        stmt = stmt.where(RepairApplication.decided_on >= since)
    if until is not None:
        stmt = stmt.where(RepairApplication.decided_on <= until)
    counts: dict[int | None, list[int]] = {}
    names: dict[int | None, str] = {}
    for application, name in session.execute(stmt):
        bucket = counts.setdefault(application.provider_id, [0, 0])
        bucket[0] += 1
        bucket[1] += int(handled_on_time(application))
        names[application.provider_id] = name or "未指定认定单位"
    return [
        Timeliness(pid, names[pid], handled, on_time)
        for pid, (handled, on_time) in sorted(counts.items(), key=lambda kv: names[kv[0]])
    ]
