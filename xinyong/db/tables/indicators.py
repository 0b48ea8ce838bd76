"""indicator_values: indicators the platform cannot compute, entered by hand with source and date.

Append-only: a correction is a new row; the latest row for (key, month) is the value shown, and
the audit chain keeps who entered what.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, DateTime, Float, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.db.base import Base, CreatedMixin, IdMixin


class IndicatorValue(IdMixin, CreatedMixin, Base):
    __tablename__ = "indicator_values"

    key: Mapped[str] = mapped_column(String(64))  # catalogs/indicators key
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    value: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(300))  # where the figure comes from
    source_date: Mapped[date] = mapped_column(Date)  # date of that source
    note: Mapped[str | None] = mapped_column(Text)
    entered_by: Mapped[str] = mapped_column(String(200))

    __table_args__ = (Index("ix_indicator_values_key_month", "key", "month"),)


class IndicatorSnapshot(IdMixin, Base):
    """A computed indicator's figure for a closed month, kept so trends read one row per month.

    Written on the first computation after the month has ended (the current month is always
    computed live); `xinyong stats --month M --refresh` recomputes and replaces a month's rows.
    A row whose key starts with "@" holds a whole document instead (`data`): the dashboard of a
    month, running months included, with its computation time and how long it took (`seconds`).
    """

    __tablename__ = "indicator_snapshots"

    key: Mapped[str] = mapped_column(String(64))
    month: Mapped[str] = mapped_column(String(7))
    value: Mapped[float | None] = mapped_column(Float)
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    data: Mapped[dict[str, Any] | None] = mapped_column()
    seconds: Mapped[float | None] = mapped_column(Float)

    __table_args__ = (UniqueConstraint("key", "month"),)
