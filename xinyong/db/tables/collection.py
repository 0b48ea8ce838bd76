"""batches, batch_chunks and batch_rows: one submission, its committed chunks, its rejected rows.

A batch is identified by (provider, info class, content hash of the file): the same file submitted
again is the same batch. A batch is processed in chunks of consecutive source rows; each chunk
commits its records, its `batch_chunks` row (the chunk's counts, unique on (batch_id, first_row))
and the `batch_rows` of its rejected rows (field, code, message, original cells) in one
transaction, which is what lets a killed import resume without losing or duplicating rows.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.db.base import Base, BigId, CreatedMixin, IdMixin
from xinyong.enums import BatchStatus


class Batch(IdMixin, CreatedMixin, Base):
    __tablename__ = "batches"

    provider_id: Mapped[int] = mapped_column(BigId, ForeignKey("providers.id"), index=True)
    info_class: Mapped[str] = mapped_column(String(40))
    content_hash: Mapped[str] = mapped_column(String(64))
    file_name: Mapped[str | None] = mapped_column(String(255))
    source_format: Mapped[str] = mapped_column(String(8))  # csv | xlsx | json
    encoding: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default=BatchStatus.PROCESSING.value)
    received_on: Mapped[date] = mapped_column(Date)  # the platform's date at submission
    catalog_version: Mapped[str] = mapped_column(String(64))
    submitted_by: Mapped[str] = mapped_column(String(200))
    received: Mapped[int] = mapped_column(Integer, default=0)
    accepted: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    new: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    timely: Mapped[int] = mapped_column(Integer, default=0)
    late: Mapped[int] = mapped_column(Integer, default=0)
    timeliness_unknown: Mapped[int] = mapped_column(Integer, default=0)
    columns: Mapped[list[str]] = mapped_column(default=list)  # headers as sent
    warnings: Mapped[list[str]] = mapped_column(default=list)
    fill_counts: Mapped[dict[str, Any]] = mapped_column(default=dict)  # field id → filled rows
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (UniqueConstraint("provider_id", "info_class", "content_hash"),)


class BatchChunk(IdMixin, Base):
    __tablename__ = "batch_chunks"

    batch_id: Mapped[int] = mapped_column(BigId, ForeignKey("batches.id"))
    first_row: Mapped[int] = mapped_column(Integer)  # source row numbers, inclusive
    last_row: Mapped[int] = mapped_column(Integer)
    new: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    timely: Mapped[int] = mapped_column(Integer, default=0)  # accepted rows reported in time
    late: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (UniqueConstraint("batch_id", "first_row"),)


class BatchRow(IdMixin, Base):
    __tablename__ = "batch_rows"

    batch_id: Mapped[int] = mapped_column(BigId, ForeignKey("batches.id"))
    row_no: Mapped[int] = mapped_column(Integer)  # source row number as the clerk sees it
    outcome: Mapped[str] = mapped_column(String(12))  # rejected (accepted rows: batch_chunks)
    timely: Mapped[bool | None] = mapped_column(Boolean)
    issues: Mapped[list[Any] | None] = mapped_column()  # [{field, code, message}]
    source: Mapped[dict[str, Any] | None] = mapped_column()  # original cells, rejected rows only

    __table_args__ = (UniqueConstraint("batch_id", "row_no"),)
