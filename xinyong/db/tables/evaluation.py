"""evaluation_runs and evaluation_results: grades per model version and as-of date, with history.

A result row is never updated: a re-evaluation (a run, or a subject's archive changing) appends a
new row; a subject's current grade is its newest row. `facts_hash` marks the facts the grade was
computed from (`evaluation.plan.facts_hash`: a change marker, not a proof), so an unchanged archive
re-evaluated on the same day adds no row.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Date, Float, Index, Integer, String
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
    explanation: Mapped[dict[str, Any]] = mapped_column(default=dict)  # Evaluation.as_dict()

    __table_args__ = (
        Index("ix_evaluation_results_subject", "subject_id", "id"),
        Index("ix_evaluation_results_version", "model_version", "as_of"),
    )
