"""Which grade the public 信用评价 tab shows: the stored one while it is current, else live for a
small archive, else "being updated" (issue 17; docs/decisions/0010, addendum "the public tab").

The stored grade (`service.current_grade`, kept by the re-evaluation after every change and by
the runs) is shown when
- it was computed by the subject's model at its current version,
- its as-of date is not after today,
- it was computed after the subject was created (`service.of_its_subject`, which every reader of
  a stored grade goes through: on SQLite a new subject can take a deleted
  one's id; a grade computed before the subject existed is not its grade), and
- no change of the subject's archive is pending since it was computed (`pending`: a failed
  re-evaluation, a batch too large to re-grade at once): a mark newer than the grade's
  computation means the grade may not match the archive for its own as-of date.
It is shown with its as-of date (评价基准日). Otherwise the grade is computed from the archive now
(`service.assess`) when the subject holds at most `LIVE_LIMIT` current records (counted up to the
cap, one index range), and the tab says the evaluation is being updated when it holds more — it
never shows a grade that may be wrong for its stated date, and never reads a large archive on a
page view.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong import archive
from xinyong.catalog import Catalog
from xinyong.db.tables import (
    EvaluationPending,
    EvaluationResult,
    Record,
    Subject,
)
from xinyong.enums import GradeSource
from xinyong.evaluation.models import LoadedModel
from xinyong.evaluation.scoring import Evaluation, IndicatorResult
from xinyong.evaluation.service import (
    StoredGrade,
    assess,
    computed_at,
    current_grade,
    of_its_subject,
)

LIVE_LIMIT = 1_000  # current records at most for a live grade on a page view (~65 µs a record)
UPDATING = "该主体的信用评价正在更新（档案在上次评价后有变化），更新后将在此显示"


@dataclass(frozen=True, slots=True)
class Shown:
    """The grade a public page shows: `stored` or `live` (an Evaluation), or `updating`."""

    source: GradeSource
    evaluation: Evaluation | None
    records_known: bool = True  # a run's stored explanation holds no record ids


def public_grade(
    session: Session, subject: Subject, loaded: LoadedModel, *, catalog: Catalog, today: date
) -> Shown:
    stored = current_grade(session, subject.id)
    if stored is not None and stored_is_current(session, stored, loaded, today=today):
        ev, known = from_stored(stored, loaded)
        return Shown(GradeSource.STORED, ev, known)
    current = [Record.is_current.is_(True)]
    if archive.count_of_subject(session, subject.id, [current], cap=LIVE_LIMIT) <= LIVE_LIMIT:
        found = assess(session, subject, catalog=catalog, today=today)
        if found is not None:
            return Shown(GradeSource.LIVE, found[0])
    return Shown(GradeSource.UPDATING, None)


def stored_is_current(
    session: Session, stored: StoredGrade, loaded: LoadedModel, *, today: date
) -> bool:
    """Whether the stored grade still matches the subject's archive (see the module's rule)."""
    if (stored.model_id, stored.model_version) != (loaded.id, loaded.version):
        return False
    if stored.as_of > today:
        return False
    computed, since = _times(session, stored.subject_id)
    if computed is None:
        return False  # no result of this subject (`service.of_its_subject`)
    return since is None or since < computed


def _times(session: Session, subject_id: int) -> tuple[datetime | None, datetime | None]:
    """(when the computation of the subject's newest result started, the subject's pending
    mark): one statement, over the results of this subject only (`service.of_its_subject`).
    A run's result counts from its run's row, a single re-evaluation's from its own
    (`service.computed_at`): each reads the archive in the transaction that writes the row
    (`engine.run_embedded`: `run_totals` then `start_run`, one session), whose time is, on
    PostgreSQL, the transaction's start (`now()`), before the read; on SQLite the row's insert,
    and no other writer can commit between the read and that insert (SQLite refuses a write on
    an outdated snapshot)."""
    r, mark = EvaluationResult, EvaluationPending
    row = session.execute(
        select(computed_at(), mark.since)
        .select_from(r)
        .outerjoin(mark, mark.subject_id == r.subject_id)
        .where(r.subject_id == subject_id, of_its_subject())
        .order_by(r.id.desc())
        .limit(1)
    ).first()
    return (row[0], row[1]) if row is not None else (None, None)


def from_stored(stored: StoredGrade, loaded: LoadedModel) -> tuple[Evaluation, bool]:
    """The Evaluation a stored result describes, titles from its model; whether the records
    behind each indicator are known (a single re-evaluation stores them, a run does not)."""
    body = stored.explanation
    by_id = {i.id: (d, i) for d in loaded.model.dimensions for i in d.indicators}
    indicators = []
    known = True
    for item in body.get("indicators", []):
        found = by_id.get(str(item.get("id")))
        if found is None:
            continue
        dim, ind = found
        refs = item.get("refs")
        known = known and refs is not None
        indicators.append(IndicatorResult(
            id=ind.id, title=ind.title, dimension=dim.id, dimension_title=dim.title,
            direction=ind.direction, value=float(item.get("value", 0)),
            points=float(item.get("points", 0)), refs=tuple(refs or ()),
            public_text=ind.public_text,
        ))  # fmt: skip
    grade_title = body.get("grade_title") or next(
        (g.title for g in loaded.model.grades if g.grade == stored.grade), stored.grade
    )
    ev = Evaluation(
        model_id=stored.model_id,
        model_title=loaded.model.title,
        model_version=stored.model_version,
        public=loaded.model.public,
        as_of=stored.as_of,
        score=stored.score,
        grade=stored.grade,
        grade_title=str(grade_title),
        indicators=tuple(indicators),
        dimension_points=tuple((d["id"], d["points"]) for d in body.get("dimensions", [])),
        overrides=tuple(body.get("overrides", [])),
        base_score=float(body.get("base_score", 0)),
    )
    return ev, known


def explanation_lines(shown: Shown) -> list[str]:
    """The public explanation: the evaluation's own; for a run's stored result (no record ids)
    the same lines without "依据 N 条记录"."""
    ev = shown.evaluation
    return [] if ev is None else ev.explanation(with_counts=shown.records_known)


def as_json(shown: Shown) -> dict[str, Any]:
    """What the public tab says about where its grade comes from."""
    return {"source": shown.source, "records_known": shown.records_known}
