"""Marks of subjects whose stored grade may not match their archive (`evaluation_pending`).

Written where a change is not followed by a new grade: the re-evaluation after a change failed
(`watch`), or a collected batch touched more subjects than are re-graded at once
(`watch.reevaluate_batch`). A successful re-evaluation of the subject deletes its mark; a run
that started after the mark supersedes it (`shown.stored_is_current` compares the times). Only the
public pages read the marks, to decide whether the stored grade may be shown (docs/decisions/
0010, addendum).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, delete, func, literal, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from xinyong.db.tables import EvaluationPending, Record

FAILED = "failed"
BATCH_TOO_LARGE = "batch_too_large"


def _upsert(session: Session) -> Any:
    """INSERT … ON CONFLICT (subject_id) DO UPDATE SET since = now(), reason: the dialect's."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(EvaluationPending)


def mark(session: Session, subject_ids: Iterable[int], *, reason: str) -> None:
    """Mark these subjects: their archive changed now and their grade was not recomputed."""
    rows = [{"subject_id": sid, "reason": reason} for sid in sorted(set(subject_ids))]
    if not rows:
        return
    stmt = _upsert(session)
    stmt = stmt.on_conflict_do_update(
        index_elements=["subject_id"], set_={"since": func.now(), "reason": stmt.excluded.reason}
    )
    session.execute(stmt, rows)


def mark_records(session: Session, where: ColumnElement[bool], *, reason: str) -> None:
    """Mark the subjects of the records `where` selects (set-based: a batch's own rows)."""
    chosen = select(Record.subject_id, literal(reason)).where(where).distinct()
    stmt = _upsert(session).from_select(["subject_id", "reason"], chosen)
    stmt = stmt.on_conflict_do_update(
        index_elements=["subject_id"], set_={"since": func.now(), "reason": stmt.excluded.reason}
    )
    session.execute(stmt)


def clear(session: Session, subject_ids: Iterable[int]) -> None:
    """The subjects were re-graded from their archive as it is now."""
    ids = sorted(set(subject_ids))
    column = EvaluationPending.subject_id
    for start in range(0, len(ids), 1000):
        session.execute(delete(EvaluationPending).where(column.in_(ids[start : start + 1000])))
