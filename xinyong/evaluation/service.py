"""Evaluate one subject, store its result (history kept), read its current grade.

`current_grade(session, subject_id)` is what other modules call (reports, dashboard, 信易贷, the
joint check): the newest stored result, or None when the subject has never been graded. A result
computed before the subject existed is never its grade (`of_its_subject`, the one place of that
rule: the joint check's `supervision.grade_statement` reads through it too).
`evaluate_subject` computes afresh from the archive and appends a result when the facts or the
as-of date changed (an unchanged archive on the same day adds nothing).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, Select, func, insert, select
from sqlalchemy.orm import Session

from xinyong.catalog import Catalog
from xinyong.config import get_settings
from xinyong.db.tables import EvaluationExplanation, EvaluationResult, EvaluationRun, Subject
from xinyong.evaluation import subject_facts
from xinyong.evaluation.models import LoadedModel, ModelSet, load_models
from xinyong.evaluation.plan import facts_hash
from xinyong.evaluation.scoring import Evaluation, Fact, score

_lock = threading.Lock()
_cache: dict[tuple[str, str, str], ModelSet] = {}


def models_for(
    catalog: Catalog, directory: Path | None = None, override_dir: Path | None = None
) -> ModelSet:
    """The evaluation models checked against this catalog (cached per catalog version)."""
    settings = get_settings()
    directory = directory or settings.catalog_dir
    override_dir = override_dir or settings.catalog_override_dir
    key = (catalog.version, str(directory), str(override_dir))
    with _lock:
        found = _cache.get(key)
        if found is None:
            found = _cache[key] = load_models(directory, catalog, override_dir)
        return found


@dataclass(frozen=True, slots=True)
class StoredGrade:
    """A subject's stored grade: what the joint check, reports and 信易贷 read."""

    subject_id: int
    model_id: str
    model_version: str
    as_of: date
    score: float
    grade: str
    public: bool
    explanation: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {
            "model": self.model_id,
            "version": self.model_version,
            "as_of": self.as_of.isoformat(),
            "score": self.score,
            "grade": self.grade,
            "grade_title": self.explanation.get("grade_title"),
            "public": self.public,
        }


def _stored(row: EvaluationResult, explanation: dict[str, Any] | None) -> StoredGrade:
    body = explanation or {}
    return StoredGrade(
        row.subject_id,
        row.model_id,
        row.model_version,
        row.as_of,
        row.score,
        row.grade,
        bool(body.get("public")),
        body,
    )


def computed_at() -> ColumnElement[datetime]:
    """When a stored result's computation started: its run's row for a run's result, its own for
    a single re-evaluation (each reads the archive in the transaction that writes that row;
    `shown._times` says why that time is the one that counts)."""
    run = EvaluationRun
    started = select(run.created_at).where(run.id == EvaluationResult.run_id).scalar_subquery()
    return func.coalesce(started, EvaluationResult.created_at)


def of_its_subject() -> ColumnElement[bool]:
    """A stored result is its subject's grade only if it was computed once the subject existed:
    on SQLite a new subject can take a deleted one's id, whose results would still name it.
    A condition on `EvaluationResult` rows (two primary-key look-ups a row), for every reader of
    a stored grade: `current_grade`, `history`, `current_grades`, the joint check on both paths."""
    created = select(Subject.created_at).where(Subject.id == EvaluationResult.subject_id)
    return computed_at() >= created.scalar_subquery()


def _with_explanation() -> Select[Any]:
    """Result rows (of their subject: `of_its_subject`) with their explanation's body (shared by
    the run's subjects alike)."""
    e = EvaluationExplanation
    return (
        select(EvaluationResult, e.body)
        .outerjoin(e, e.id == EvaluationResult.explanation_id)
        .where(of_its_subject())
    )


def current_grade(session: Session, subject_id: int) -> StoredGrade | None:
    """The subject's current grade: its newest stored evaluation result (None: never graded)."""
    found = history(session, subject_id, limit=1)
    return found[0] if found else None


def current_grades(session: Session, subject_ids: Iterable[int]) -> dict[int, StoredGrade]:
    ids = list(subject_ids)
    if not ids:
        return {}
    newest = (
        select(EvaluationResult.subject_id, EvaluationResult.id)
        .where(EvaluationResult.subject_id.in_(ids), of_its_subject())
        .order_by(EvaluationResult.subject_id, EvaluationResult.id.desc())
    )
    latest: dict[int, int] = {}
    for sid, rid in session.execute(newest):
        latest.setdefault(sid, rid)
    rows = session.execute(
        _with_explanation().where(EvaluationResult.id.in_(list(latest.values())))
    ).all()
    return {r.subject_id: _stored(r, body) for r, body in rows}


def history(session: Session, subject_id: int, limit: int = 20) -> list[StoredGrade]:
    rows = session.execute(
        _with_explanation()
        .where(EvaluationResult.subject_id == subject_id)
        .order_by(EvaluationResult.id.desc())
        .limit(limit)
    ).all()
    return [_stored(r, body) for r, body in rows]


def result_row(
    ev: Evaluation, subject_id: int, fhash: str, *, trigger: str, run_id: int | None
) -> dict[str, Any]:
    """A result row but its `explanation_id` (`store_explanation`)."""
    return {
        "subject_id": subject_id,
        "model_id": ev.model_id,
        "model_version": ev.model_version,
        "as_of": ev.as_of,
        "score": ev.score,
        "grade": ev.grade,
        "run_id": run_id,
        "trigger": trigger,
        "facts_hash": fhash,
    }


def store_explanations(session: Session, bodies: list[dict[str, Any]]) -> list[int]:
    """Append explanations; their ids in the order given."""
    if not bodies:
        return []
    stmt = insert(EvaluationExplanation).returning(
        EvaluationExplanation.id, sort_by_parameter_order=True
    )
    return list(session.scalars(stmt, [{"body": b} for b in bodies]))


def model_of(subject: Subject, catalog: Catalog) -> LoadedModel | None:
    return models_for(catalog).for_kind(subject.kind)


def assess(
    session: Session, subject: Subject, *, catalog: Catalog, today: date
) -> tuple[Evaluation, list[Fact]] | None:
    """Compute the subject's evaluation on `today` without storing it (None: no model)."""
    loaded = model_of(subject, catalog)
    if loaded is None:
        return None
    facts = subject_facts.of_subject(session, subject.id, catalog=catalog, today=today)
    return score(loaded.model, loaded.version, facts, today), facts


def evaluate_subject(
    session: Session,
    subject: Subject,
    *,
    catalog: Catalog,
    today: date,
    trigger: str = "archive_change",
) -> Evaluation | None:
    """Evaluate afresh and append a result unless the newest one has the same facts and day."""
    found = assess(session, subject, catalog=catalog, today=today)
    if found is None:
        return None
    ev, facts = found
    row = result_row(ev, subject.id, facts_hash(facts), trigger=trigger, run_id=None)
    if not _same_as_newest(session, row):
        (row["explanation_id"],) = store_explanations(session, [ev.as_dict()])  # JSON-ready
        session.execute(insert(EvaluationResult), [row])
    return ev


def _same_as_newest(session: Session, row: dict[str, Any]) -> bool:
    """Whether the subject's newest result has the same model version, as-of date and facts'
    hash (then an unchanged archive on the same day adds nothing)."""
    t = EvaluationResult
    newest = session.execute(
        select(t.model_version, t.as_of, t.facts_hash)
        .where(t.subject_id == row["subject_id"])
        .order_by(t.id.desc())
        .limit(1)
    ).first()
    return newest is not None and tuple(newest) == (
        row["model_version"],
        row["as_of"],
        row["facts_hash"],
    )


def reevaluate(
    session: Session,
    subject_ids: Iterable[int],
    *,
    catalog: Catalog,
    today: date,
    trigger: str = "archive_change",
) -> int:
    """Re-evaluate the subjects whose archive changed; returns how many were graded."""
    ids = sorted(set(subject_ids))
    if not ids:
        return 0
    subjects = session.execute(select(Subject).where(Subject.id.in_(ids))).scalars().all()
    done = 0
    for subject in subjects:
        if evaluate_subject(session, subject, catalog=catalog, today=today, trigger=trigger):
            done += 1
    return done
