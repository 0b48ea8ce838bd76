"""checks, check_feedback, screening_decisions: the joint-check log and what followed it.

Every joint check is logged before the answer is returned: who asked, about whom, for which
matter, and what reproduces the answer (catalog version, day checked, the hits' entry/record ids,
the grade result, the measures returned) with the SHA-256 of the answer's canonical JSON
(`measures.replay` rebuilds and compares). Rows written before that carry the whole `answer`.
Feedback says what the business system did with each measure. Screening decisions remember a
reviewer's verdict on a name-only match so the same non-match does not return.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, Date, DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.db.base import Base, BigId, CreatedMixin, IdMixin


class Check(IdMixin, Base):
    __tablename__ = "checks"

    check_id: Mapped[str] = mapped_column(String(32), unique=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor_kind: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(BigInteger)
    actor_label: Mapped[str] = mapped_column(String(200))
    subject_id: Mapped[int | None] = mapped_column(BigInteger)
    matter: Mapped[str] = mapped_column(String(64))
    hits: Mapped[int] = mapped_column(default=0)
    mandatory: Mapped[int] = mapped_column(default=0)  # mandatory measures in the answer
    catalog_version: Mapped[str | None] = mapped_column(String(16))
    checked_on: Mapped[date | None] = mapped_column(Date)  # the answer's "today"
    code: Mapped[str | None] = mapped_column(String(32))  # masked code, unknown subjects only
    basis: Mapped[dict[str, Any] | None]  # measures.replay.log_basis
    digest: Mapped[str | None] = mapped_column(String(64))  # SHA-256 of the canonical answer
    answer: Mapped[dict[str, Any] | None]  # whole answer: rows logged before the slim log only

    __table_args__ = (
        Index("ix_checks_at", "at"),
        Index("ix_checks_subject_at", "subject_id", "at"),  # 谁查询了我的信用信息
    )


class CheckFeedback(IdMixin, CreatedMixin, Base):
    """实施反馈: one row per measure of a check that the business system reports on."""

    __tablename__ = "check_feedback"

    check_id: Mapped[str] = mapped_column(String(32), ForeignKey("checks.check_id"))
    measure_id: Mapped[str] = mapped_column(String(64))
    applied: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str | None] = mapped_column(Text)
    actor_label: Mapped[str] = mapped_column(String(200))

    __table_args__ = (Index("ix_check_feedback_check_id", "check_id"),)


class ScreeningDecision(IdMixin, CreatedMixin, Base):
    """A reviewer's verdict on a name-only screening match (normalised name × subject)."""

    __tablename__ = "screening_decisions"

    normalised_name: Mapped[str] = mapped_column(String(200))
    subject_id: Mapped[int] = mapped_column(BigId, ForeignKey("subjects.id"))
    is_match: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str | None] = mapped_column(Text)
    actor_label: Mapped[str] = mapped_column(String(200))

    __table_args__ = (
        Index("uq_screening_decisions_name_subject", "normalised_name", "subject_id", unique=True),
    )
