"""Named batch jobs: each maps to domain functions; the CLI (`xinyong jobs run NAME`) runs them.

Jobs hold no rules: they call the domain and return a plain summary for the caller to print.
`deadlines` is the daily digest of the officer work queue (overdue items first).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from xinyong import repair, workqueue
from xinyong.errors import NotFound


class UnknownJob(NotFound):
    code = "jobs.unknown"


def deadlines(session: Session, *, today: date) -> dict[str, Any]:
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


JOBS: dict[str, Callable[..., dict[str, Any]]] = {"deadlines": deadlines}


def run(name: str, session: Session, *, today: date) -> dict[str, Any]:
    job = JOBS.get(name)
    if job is None:
        raise UnknownJob(f"未知的任务“{name}”（可用：{'、'.join(sorted(JOBS))}）")
    return job(session, today=today)
