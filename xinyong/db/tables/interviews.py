"""interviews: 约谈 between an authority and a dishonest subject, with a follow-up date."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.db.base import Base, BigId, CreatedMixin, IdMixin

OPEN = "followed_up_on IS NULL"  # a follow-up still due


class Interview(IdMixin, CreatedMixin, Base):
    __tablename__ = "interviews"

    subject_id: Mapped[int] = mapped_column(BigId, ForeignKey("subjects.id"), index=True)
    provider_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("providers.id"))
    held_on: Mapped[date] = mapped_column(Date)
    participants: Mapped[str] = mapped_column(Text)  # who (names and roles)
    reason: Mapped[str] = mapped_column(Text)  # why
    agreed: Mapped[str] = mapped_column(Text)  # what was agreed
    record_ids: Mapped[list[Any]] = mapped_column(default=list)  # the dishonesty records discussed
    follow_up_on: Mapped[date] = mapped_column(Date)
    followed_up_on: Mapped[date | None] = mapped_column(Date)
    follow_up_note: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(200))

    # the work queue's follow-ups due by department and day (migration 18e7a9b1c2d3)
    __table_args__ = (
        Index("ix_interviews_follow_up_open", "provider_id", "follow_up_on", "id",
              postgresql_where=text(OPEN), sqlite_where=text(OPEN)),
    )  # fmt: skip
