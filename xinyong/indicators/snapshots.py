"""Closed months' figures, materialised: a month that has ended is computed once and read back.

Fresh because of what the figures count: insertion times (归集量, 核查量), submission dates
(归集质量) and decision dates of actions taken on their own day do not move once the month is
over. What can still move — a record withdrawn or a court-defaulter entry imported late with an
earlier date — is picked up by `xinyong stats --month YYYY-MM --refresh`, which recomputes the
month and replaces its rows. The running month's indicator values are never stored here.

Documents (`read_document` / `store_document`): a whole computed page kept under a key starting
with "@" — the dashboard of a month, running month included — with the time it was computed and
how long that took. Their owner decides when one is stale (see `dashboard.current`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from xinyong import clock
from xinyong.db.tables import IndicatorSnapshot
from xinyong.indicators.compute import COMPUTERS
from xinyong.indicators.period import Period


def closed(period: Period) -> bool:
    return period.end < period.today


def values(session: Session, key: str, periods: Iterable[Period]) -> dict[str, float | None]:
    """The figure of `key` for each period: stored for closed months (computed and stored on a
    miss), computed live for the running month."""
    periods = list(periods)
    months = [p.month for p in periods if closed(p)]
    stored = dict(
        session.execute(
            select(IndicatorSnapshot.month, IndicatorSnapshot.value).where(
                IndicatorSnapshot.key == key, IndicatorSnapshot.month.in_(months)
            )
        ).all()
    )
    out: dict[str, float | None] = {}
    for period in periods:
        if period.month in stored:
            out[period.month] = stored[period.month]
            continue
        value = COMPUTERS[key].value(session, period)
        out[period.month] = None if value is None else float(value)
        if closed(period):
            _store(session, key, period.month, out[period.month])
    return out


def refresh(session: Session, period: Period) -> int:
    """Recompute every computed indicator of a closed month and replace its stored rows."""
    if not closed(period):
        return 0
    session.execute(delete(IndicatorSnapshot).where(IndicatorSnapshot.month == period.month))
    for key, computer in COMPUTERS.items():
        value = computer.value(session, period)
        _store(session, key, period.month, None if value is None else float(value))
    return len(COMPUTERS)


def _insert(session: Session) -> Any:
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(IndicatorSnapshot)


def _store(session: Session, key: str, month: str, value: float | None) -> None:
    """Insert once; a concurrent first reader may have stored the same month already."""
    row = {"key": key, "month": month, "value": value, "computed_at": clock.now()}
    session.execute(_insert(session).values(**row).on_conflict_do_nothing())


@dataclass(frozen=True, slots=True)
class Document:
    data: dict[str, Any]
    computed_at: datetime
    seconds: float


def read_document(session: Session, key: str, month: str) -> Document | None:
    found = session.execute(
        select(IndicatorSnapshot.data, IndicatorSnapshot.computed_at, IndicatorSnapshot.seconds)
        .where(IndicatorSnapshot.key == key, IndicatorSnapshot.month == month)
    ).first()  # fmt: skip
    if found is None or found.data is None:
        return None
    return Document(found.data, clock.as_utc(found.computed_at), found.seconds or 0.0)


def store_document(
    session: Session, key: str, month: str, data: dict[str, Any], *, computed_at: datetime,
    seconds: float,
) -> None:  # fmt: skip
    """Insert or replace the month's document (the last writer of concurrent refreshes wins)."""
    row = {"key": key, "month": month, "value": None, "computed_at": computed_at, "data": data,
           "seconds": seconds}  # fmt: skip
    stmt = _insert(session).values(**row)
    session.execute(stmt.on_conflict_do_update(
        index_elements=["key", "month"],
        set_={"computed_at": computed_at, "data": data, "seconds": seconds},
    ))  # fmt: skip


def mark_documents_stale(session: Session, month: str, reason: str) -> None:
    """Mark the month's documents out of date (a hand-entered value changed what they show):
    readers still get them, with the reason, until the job or an office 刷新 recomputes them."""
    rows = session.execute(
        select(IndicatorSnapshot).where(
            IndicatorSnapshot.month == month, IndicatorSnapshot.key.startswith("@")
        )
    ).scalars()
    for row in rows:
        if row.data is not None:
            row.data = {**row.data, "stale": reason}
    session.flush()
