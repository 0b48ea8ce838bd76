"""subjects: one row per credit subject, identified by USCC or ID number."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, Index, String, func
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.db.base import Base, CreatedMixin, IdMixin
from xinyong.enums import SubjectStatus


class Subject(IdMixin, CreatedMixin, Base):
    __tablename__ = "subjects"

    kind: Mapped[str] = mapped_column(String(32))  # enums.SubjectKind
    code: Mapped[str] = mapped_column(String(18), unique=True)  # USCC or ID number
    code_kind: Mapped[str] = mapped_column(String(16))  # "uscc" | "id_number"
    name: Mapped[str] = mapped_column(String(200))
    former_names: Mapped[list[str]] = mapped_column(default=list)
    legal_rep: Mapped[str | None] = mapped_column(String(100))
    region_code: Mapped[str | None] = mapped_column(String(12))
    industry_code: Mapped[str | None] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16), default=SubjectStatus.ACTIVE.value)
    registration_authority: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(300))
    established_on: Mapped[date | None] = mapped_column(Date)
    registered_on: Mapped[date | None] = mapped_column(Date)
    cancelled_on: Mapped[date | None] = mapped_column(Date)
    # False when created from a submitted record and not yet matched to the registry.
    verified: Mapped[bool] = mapped_column(Boolean, default=True)
    # Random token of the public address `/subjects/p<token>` of a subject registered under an ID
    # number (persons are never addressed by a guessable number); None for USCC subjects.
    public_token: Mapped[str | None] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )

    __table_args__ = (
        Index("ix_subjects_name", "name"),
        Index("ix_subjects_public_token", "public_token", unique=True),
    )
