"""Re-evaluation when a subject's archive changes, in the transaction that changed it.

How: a SQLAlchemy session listener. After each flush it notes the subjects of every new or changed
row that the evaluation reads — the subject itself, records (collection corrections, repair
outcomes, objection corrections, commitment breaches all write a new record version), list
entries (decision, exit),
commitments (signing, verification) and voluntary registrations (verification). Just before the
transaction commits, those subjects are re-evaluated (`service.reevaluate`) inside a savepoint, so
the new grade commits with the change that caused it, and a failing evaluation never blocks the
change itself (it is logged; the next run or change grades the subject again).

Bulk collection writes records over its own connection (COPY), which no session sees: its surfaces
call `reevaluate_batch` once the batch is stored.

`install(context)` turns this on for a process (the web app and the CLI do); `context()` returns
the catalog and today at commit time. Without it, nothing happens.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from xinyong import archive
from xinyong.catalog import Catalog
from xinyong.db.tables import Commitment, ListEntry, Record, Subject, VoluntaryRegistration
from xinyong.evaluation import pending
from xinyong.evaluation.service import reevaluate
from xinyong.log import get_logger

log = get_logger(__name__)

Context = Callable[[], tuple[Catalog, date]]
WATCHED = (Record, ListEntry, Commitment, VoluntaryRegistration)
KEY = "evaluation_changed_subjects"
_state: dict[str, Any] = {"context": None, "installed": False}


def install(context: Context) -> None:
    """Re-evaluate changed subjects at every commit of every session of this process."""
    _state["context"] = context
    if not _state["installed"]:
        event.listen(Session, "after_flush", _note)
        event.listen(Session, "before_commit", _reevaluate)
        _state["installed"] = True


def uninstall() -> None:
    _state["context"] = None


def _note(session: Session, _ctx: Any) -> None:
    if _state["context"] is None:
        return
    changed = session.info.setdefault(KEY, set())
    for obj in (*session.new, *session.dirty):
        if isinstance(obj, Subject):
            changed.add(obj.id)  # registered, or its kind or status changed
        elif isinstance(obj, WATCHED) and obj.subject_id is not None:
            changed.add(obj.subject_id)


def _reevaluate(session: Session) -> None:
    context = _state["context"]
    if context is None or not session.info.get(KEY):
        return
    session.flush()
    changed = session.info.pop(KEY, set())
    if not changed:
        return

    catalog, today = context()
    try:
        with session.begin_nested():
            reevaluate(session, changed, catalog=catalog, today=today)
            pending.clear(session, changed)
    except Exception:  # a grade must never block the change that caused it
        log.exception("re-evaluation failed", subjects=len(changed))
        # committed with the change: pages stop showing the grade it may no longer match
        pending.mark(session, changed, reason=pending.FAILED)
    session.info.pop(KEY, None)


BATCH_REGRADE_LIMIT = 2_000  # above this, the next `xinyong evaluate` run regrades (see below)


def reevaluate_batch(
    session: Session, batch_id: int, *, catalog: Catalog, today: date
) -> int | None:
    """Re-evaluate the subjects a collected batch touched (bulk writes bypass the listener).

    A batch touching more than BATCH_REGRADE_LIMIT subjects is left to the next run (None): one
    subject costs ~5–25 ms here, and a large import must not take hours longer (measured in
    docs/dev/scale.md). Until then their stored grade is that of the previous run.
    """

    ids = list(
        session.execute(
            select(Record.subject_id).where(archive.of_batch(session, batch_id)).distinct()
        ).scalars()
    )  # the batch's own rows (by their id range), not a scan of the whole archive
    if len(ids) > BATCH_REGRADE_LIMIT:
        log.info("batch too large to regrade now", batch_id=batch_id, subjects=len(ids))
        pending.mark_records(session, archive.of_batch(session, batch_id),
                             reason=pending.BATCH_TOO_LARGE)  # fmt: skip
        return None
    done = reevaluate(session, ids, catalog=catalog, today=today)
    pending.clear(session, ids)
    return done
