"""evaluation_runs and evaluation_results: grades per model version and as-of date, with history.

A result row is never updated: a re-evaluation (a run, or a subject's archive changing) appends a
new row; a subject's current grade is its newest row. `facts_hash` marks the facts the grade was
computed from (`evaluation.plan.facts_hash`: a change marker, not a proof), so an unchanged archive
re-evaluated on the same day adds no row.

A result's explanation lives in `evaluation_explanations`, referenced by `explanation_id`: a
whole run stores each distinct (compact) explanation once — at 1M subjects ≈ 10k distinct ones,
every subject with the same tallies shares one — and a single subject's re-evaluation stores its
full explanation (with the record ids) in a row of its own. No foreign key: rows are only ever
appended, and a key would cost a look-up per result row in a run's COPY.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import JSON, Date, Float, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.db.base import Base, BigId, CreatedMixin, IdMixin


class EvaluationRun(IdMixin, CreatedMixin, Base):
    __tablename__ = "evaluation_runs"

    model_id: Mapped[str] = mapped_column(String(64))
    model_version: Mapped[str] = mapped_column(String(64))
    as_of: Mapped[date] = mapped_column(Date)
    engine: Mapped[str] = mapped_column(String(16))  # embedded | spark
    subjects: Mapped[int] = mapped_column(Integer, default=0)
    grades: Mapped[dict[str, Any]] = mapped_column(default=dict)  # {"A": n, ...}
    seconds: Mapped[float] = mapped_column(Float, default=0.0)
    actor_label: Mapped[str] = mapped_column(String(200))


class EvaluationResult(IdMixin, CreatedMixin, Base):
    __tablename__ = "evaluation_results"

    subject_id: Mapped[int] = mapped_column(BigId)
    model_id: Mapped[str] = mapped_column(String(64))
    model_version: Mapped[str] = mapped_column(String(64))
    as_of: Mapped[date] = mapped_column(Date)
    score: Mapped[float] = mapped_column(Float)
    grade: Mapped[str] = mapped_column(String(4))
    run_id: Mapped[int | None] = mapped_column(BigId)  # None: re-evaluated after a change
    trigger: Mapped[str] = mapped_column(String(32))  # run | archive_change | read
    facts_hash: Mapped[str] = mapped_column(String(64))
    explanation_id: Mapped[int] = mapped_column(BigId)  # evaluation_explanations.id

    # Every reader asks by subject (its newest row, its history) or by run; none by version and
    # as-of date alone, so that index (dropped by 2026_11_29_1840_12w) only cost each COPY.
    __table_args__ = (Index("ix_evaluation_results_subject", "subject_id", "id"),)


class EvaluationExplanation(IdMixin, Base):
    """An explanation (`Evaluation.compact()` for a run, `Evaluation.as_dict()` for a subject's
    re-evaluation), shared by every result that references it."""

    __tablename__ = "evaluation_explanations"

    # JSON text (`json` on PostgreSQL, not jsonb): read whole, never queried inside, so the
    # server only checks its syntax when a run stores it (≈ 0.6 × jsonb's cost)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
