"""list_entries and list_entry_steps: list entries decided on this platform, with their history.

An entry moves through the steps of its list type's procedure (proposal → prior notice or
publicity → statement → approval → decision → publication → exit). Whether it is in force on a day
is computed from its dates (decided_on, published_on, valid_until, exited_on) — never a flag.
Entries decided by other authorities are `records` (court_defaulter, abnormal_operation,
serious_list), not rows here.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.db.base import Base, BigId, CreatedMixin, IdMixin


class ListEntry(IdMixin, CreatedMixin, Base):
    __tablename__ = "list_entries"

    list_type: Mapped[str] = mapped_column(String(64))  # catalog list type id
    subject_id: Mapped[int] = mapped_column(BigId, ForeignKey("subjects.id"))
    stage: Mapped[str] = mapped_column(String(24))  # last step taken (lists.Stage)
    facts: Mapped[str] = mapped_column(Text)
    basis: Mapped[list[Any]] = mapped_column(default=list)  # legal basis dicts from the list type
    measures: Mapped[list[Any]] = mapped_column(default=list)  # measure ids named in the notice
    deciding_authority: Mapped[str] = mapped_column(String(200))
    # the department whose officer made the decision (谁认定、谁修复: early exit is routed to it)
    provider_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("providers.id"))
    catalog_version: Mapped[str] = mapped_column(String(64))
    proposed_on: Mapped[date] = mapped_column(Date)
    notice_number: Mapped[str | None] = mapped_column(String(128))
    notice_sent_on: Mapped[date | None] = mapped_column(Date)
    notice_html: Mapped[str | None] = mapped_column(Text)
    statement_deadline: Mapped[date | None] = mapped_column(Date)  # or end of publicity
    statement_on: Mapped[date | None] = mapped_column(Date)
    statement_text: Mapped[str | None] = mapped_column(Text)
    statement_answer: Mapped[str | None] = mapped_column(Text)
    approved_on: Mapped[date | None] = mapped_column(Date)
    decision_number: Mapped[str | None] = mapped_column(String(128))
    decided_on: Mapped[date | None] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)  # decided_on + validity months
    published_on: Mapped[date | None] = mapped_column(Date)
    exited_on: Mapped[date | None] = mapped_column(Date)
    exit_kind: Mapped[str | None] = mapped_column(String(16))  # early | annulled | withdrawn
    exit_reason: Mapped[str | None] = mapped_column(Text)
    exit_basis: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        Index("ix_list_entries_subject_id", "subject_id"),
        Index("ix_list_entries_list_type_stage", "list_type", "stage"),
    )


class ListEntryStep(IdMixin, CreatedMixin, Base):
    """One step taken on an entry: who, on which day, with what."""

    __tablename__ = "list_entry_steps"

    entry_id: Mapped[int] = mapped_column(BigId, ForeignKey("list_entries.id"))
    step: Mapped[str] = mapped_column(String(24))
    on: Mapped[date] = mapped_column(Date)
    actor_label: Mapped[str] = mapped_column(String(200))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)

    __table_args__ = (Index("ix_list_entry_steps_entry_id", "entry_id"),)
