"""objections: a subject disputes a record; the record shows 异议处理中 while one is open.

The workflow (objections.py) owns the rows; disclosure reads an `ObjectionStatus.OPEN` row to flag
records.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, DateTime, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.db.base import Base, BigId, CreatedMixin, IdMixin
from xinyong.enums import ObjectionStatus


class Objection(IdMixin, CreatedMixin, Base):
    __tablename__ = "objections"

    record_id: Mapped[int] = mapped_column(BigId, ForeignKey("records.id"))
    subject_id: Mapped[int] = mapped_column(BigId, ForeignKey("subjects.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=ObjectionStatus.OPEN.value)
    grounds: Mapped[str] = mapped_column(Text)
    filed_on: Mapped[date] = mapped_column(Date)
    answer_due: Mapped[date] = mapped_column(Date)
    outcome: Mapped[str | None] = mapped_column(String(16))  # enums.ObjectionOutcome
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Added by the objection workflow (issue 6), all nullable:
    provider_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("providers.id"), index=True)
    answered_by: Mapped[str | None] = mapped_column(String(200))
    field_changes: Mapped[list[Any] | None] = mapped_column()  # [{field, before, after}]
    result_record_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("records.id"))

    __table_args__ = (
        Index("ix_objections_record_status", "record_id", "status"),
        # the work queue's open objections by department and deadline (migration 18e7a9b1c2d3)
        Index("ix_objections_open", "provider_id", "answer_due", "id",
              postgresql_where=text("status = 'open'"), sqlite_where=text("status = 'open'")),
    )  # fmt: skip
