"""outbox: every change that leaves the region, in the order it committed (the change feed).

Generalises the former `sync_log` (repair outcomes only). One row per change written by a
workflow (repair outcome, objection correction, list decision or exit, commitment, breach, a
record version made by `archive.new_version`) and one row per committed collection chunk, which
stands for that chunk's record versions (docs/decisions/0011-outbox.md). `id` is the cursor.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.db.base import Base, BigId, CreatedMixin, IdMixin


class OutboxEntry(IdMixin, CreatedMixin, Base):
    __tablename__ = "outbox"

    event: Mapped[str] = mapped_column(String(40))  # exchange.events: record.versioned, …
    subject_id: Mapped[int | None] = mapped_column(BigId)  # None for a collection chunk
    target_type: Mapped[str] = mapped_column(String(40))
    target_id: Mapped[int | None] = mapped_column(BigId)
    provider_id: Mapped[int | None] = mapped_column(BigId)  # the deciding department, if known
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    occurred_on: Mapped[date] = mapped_column(Date)
    # delivery to the configured outbox folder / URL (`xinyong jobs run exchange`)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)


class RelatedParty(IdMixin, CreatedMixin, Base):
    """关联关系 from registration data: who represents or invests in a subject.

    `party_code` is a USCC (organisation) or a resident ID number (person): internal, never shown
    unmasked. Replaced as a whole each time a registration version of the subject is applied.
    """

    __tablename__ = "related_parties"

    subject_id: Mapped[int] = mapped_column(BigId, index=True)
    role: Mapped[str] = mapped_column(String(16))  # legal_rep | investor
    party_kind: Mapped[str] = mapped_column(String(16))  # organisation | person
    party_name: Mapped[str] = mapped_column(String(200))
    party_code: Mapped[str | None] = mapped_column(String(18), index=True)
    share: Mapped[str | None] = mapped_column(String(20))  # "60%" as registered
    batch_id: Mapped[int | None] = mapped_column(BigId)
    source_row: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
