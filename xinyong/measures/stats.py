"""Check statistics for the admin page: 核查次数, 反馈率, hits by requester and matter."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import case, distinct, func, select
from sqlalchemy.orm import Session

from xinyong import clock
from xinyong.db.tables import Check, CheckFeedback


@dataclass(frozen=True, slots=True)
class CheckStats:
    checks: int
    with_hits: int
    with_feedback: int
    by_requester: list[tuple[str, int, int]]  # requesting system/department, checks, hits
    by_matter: list[tuple[str, int, int]]  # matter, checks, hits
    per_day: list[tuple[date, int]]  # last `days` days, oldest first

    @property
    def feedback_rate(self) -> float:
        """Share of checks with hits that got feedback."""
        return self.with_feedback / self.with_hits if self.with_hits else 0.0


def window_counts(session: Session, *, since: datetime, until: datetime) -> tuple[int, int, int]:
    """(checks, checks with hits, checks with hits that got feedback) asked in [since, until)."""
    in_window = (Check.at >= since) & (Check.at < until)
    hits = func.coalesce(func.sum(case((Check.hits > 0, 1), else_=0)), 0)
    total, with_hits = session.execute(select(func.count(), hits).where(in_window)).one()
    fed = session.execute(
        select(func.count(distinct(CheckFeedback.check_id)))
        .join(Check, Check.check_id == CheckFeedback.check_id)
        .where(in_window, Check.hits > 0)
    ).scalar_one()
    return int(total), int(with_hits), int(fed)


def check_stats(session: Session, *, today: date, days: int = 30) -> CheckStats:
    hits = func.sum(case((Check.hits > 0, 1), else_=0))
    total, with_hits = session.execute(select(func.count(), func.coalesce(hits, 0))).one()
    fed = session.execute(select(func.count(distinct(CheckFeedback.check_id)))).scalar_one()
    by_req = session.execute(
        select(Check.actor_label, func.count(), func.coalesce(hits, 0))
        .group_by(Check.actor_label)
        .order_by(func.count().desc())
    ).all()
    by_matter = session.execute(
        select(Check.matter, func.count(), func.coalesce(hits, 0))
        .group_by(Check.matter)
        .order_by(func.count().desc())
    ).all()
    start = today - timedelta(days=days - 1)
    since = clock.beijing_midnight(start)
    counts: dict[date, int] = {}
    for at in session.execute(select(Check.at).where(Check.at >= since)).scalars():
        day = clock.in_beijing(at).date()
        counts[day] = counts.get(day, 0) + 1
    span = [start + timedelta(days=i) for i in range(days)]
    per_day = [(d, counts.get(d, 0)) for d in span]
    return CheckStats(
        checks=int(total),
        with_hits=int(with_hits),
        with_feedback=int(fed),
        by_requester=[(str(a), int(b), int(c)) for a, b, c in by_req],
        by_matter=[(str(a), int(b), int(c)) for a, b, c in by_matter],
        per_day=per_day,
    )
