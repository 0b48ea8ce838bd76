"""Named batch jobs: each maps to domain functions; the CLI (`xinyong jobs run NAME`) runs them.

Jobs hold no rules: they call the domain and return a plain summary for the caller to print.
`deadlines` is the daily digest of the officer work queue (overdue items first); `retention`
purges query-log and audit rows older than the retention period (default 5 years, rules.md
§7.5) behind a signed checkpoint; `dashboard` recomputes the credit office's dashboard of the
running month (or `month`) and stores it with its time (run it by cron more often than
`indicators.dashboard.MAX_AGE`: readers never compute, they see the stored document with its
time, marked out of date after MAX_AGE).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from xinyong import audit, clock, indicators, repair, signing, workqueue
from xinyong.audit import Actor
from xinyong.catalog import Catalog
from xinyong.errors import InvalidInput, NotFound

MIN_RETENTION_YEARS = 5  # 深圳条例 第45条: at least five years


class UnknownJob(NotFound):
    code = "jobs.unknown"


def retention(
    session: Session,
    *,
    today: date,
    retention_years: int = MIN_RETENTION_YEARS,
    key: signing.SigningKey | None = None,
    actor: Actor | None = None,
    **_: Any,
) -> dict[str, Any]:
    """Purge logs older than `retention_years` before `today`; signed checkpoint; audited."""
    if retention_years < MIN_RETENTION_YEARS:
        raise InvalidInput(
            f"查询记录保存期限不得少于 {MIN_RETENTION_YEARS} 年（深圳条例 第45条）",
            code="jobs.retention_too_short",
        )
    cutoff_day = clock.add_months(today, -12 * retention_years)
    cutoff = clock.beijing_midnight(cutoff_day)  # the day starts in Beijing, not at UTC midnight
    checkpoint = audit.purge_before(
        session,
        cutoff,
        actor=actor or Actor.system("保存期限任务"),
        key=key,
        retention_years=retention_years,
    )
    return {
        "today": today,
        "cutoff": cutoff,
        "cutoff_day": cutoff_day,
        "retention_years": retention_years,
        "audit_purged": checkpoint.audit_purged,
        "query_purged": checkpoint.query_purged,
        "checks_purged": json.loads(checkpoint.statement)["checks_purged"],
        "checkpoint": checkpoint.id,
        "signed": checkpoint.signature is not None,
    }


def deadlines(session: Session, *, today: date, **_: Any) -> dict[str, Any]:
    """The daily digest: every waiting item by deadline, overdue marked, and 信用修复及时率."""
    digest = workqueue.digest(session, today=today)
    return {
        "today": today,
        "waiting": len(digest.items),
        "overdue": len(digest.overdue),
        "due_today": len(digest.due_today),
        "counts": {workqueue.KIND_LABELS[k]: v for k, v in digest.counts.items()},
        "items": [
            {
                "kind": item.label,
                "id": item.target_id,
                "subject_id": item.subject_id,
                "provider_id": item.provider_id,
                "due": item.due,
                "overdue": item.overdue,
                "summary": item.summary,
            }
            for item in (*digest.overdue, *(i for i in digest.items if not i.overdue))
        ],
        "repair_timeliness": [
            {
                "provider": t.provider_name,
                "handled": t.handled,
                "on_time": t.on_time,
                "rate": t.rate,
            }
            for t in repair.timeliness(session)
        ],
    }


def dashboard(
    session: Session, *, today: date, catalog: Catalog, definitions: indicators.Definitions,
    month: str | None = None, **_: Any,
) -> dict[str, Any]:  # fmt: skip
    """Refresh the stored dashboard of the month (default: the running one)."""
    from xinyong.indicators import dashboard as board  # noqa: PLC0415

    period = indicators.Period.of(month, today=today, catalog=catalog)
    found = board.refresh(session, definitions, period, actor=Actor.system("jobs.dashboard"))
    return {"month": period.month, "as_of": period.as_of, "computed_at": found.computed_at,
            "seconds": found.seconds, "figures": len(found.figures)}  # fmt: skip


JOBS: dict[str, Callable[..., dict[str, Any]]] = {
    "dashboard": dashboard,
    "deadlines": deadlines,
    "retention": retention,
}


def run(name: str, session: Session, *, today: date, **options: Any) -> dict[str, Any]:
    job = JOBS.get(name)
    if job is None:
        raise UnknownJob(f"未知的任务“{name}”（可用：{'、'.join(sorted(JOBS))}）")
    return job(session, today=today, **options)
