"""repair_applications, repair_materials and the sync log of outcomes for the upstream platforms.

The workflow (xinyong/repair/) owns the rows. A decision changes `status` only through a
conditional UPDATE … WHERE status = 'accepted', so two officers cannot both decide.
An application targets exactly one thing (a check constraint): a record version (`record`) or a
list entry decided on this platform (`list_entry`: 提前移出).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.db.base import Base, BigId, CreatedMixin, IdMixin
from xinyong.enums import RepairStatus, RepairTarget

OPEN_WHERE = "status IN ('submitted', 'accepted')"  # waiting on the authority


class RepairApplication(IdMixin, CreatedMixin, Base):
    __tablename__ = "repair_applications"

    subject_id: Mapped[int] = mapped_column(BigId, ForeignKey("subjects.id"), index=True)
    target_kind: Mapped[str] = mapped_column(String(16), default=RepairTarget.RECORD.value)
    record_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("records.id"))  # version
    list_entry_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("list_entries.id"))
    info_class: Mapped[str] = mapped_column(String(40))  # list entries: the list type id
    natural_key: Mapped[str] = mapped_column(String(500))  # list entries: the decision number
    provider_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("providers.id"), index=True)
    commitment_id: Mapped[int] = mapped_column(BigId, ForeignKey("commitments.id"))
    # submitted → accepted → approved | refused; submitted → not_accepted; approved → revoked
    status: Mapped[str] = mapped_column(String(16), default=RepairStatus.SUBMITTED.value)
    statement: Mapped[str] = mapped_column(Text)
    severity: Mapped[str | None] = mapped_column(String(16))
    eligibility: Mapped[dict[str, Any]] = mapped_column(default=dict)
    applied_on: Mapped[date] = mapped_column(Date)
    accept_due: Mapped[date] = mapped_column(Date)
    accepted_on: Mapped[date | None] = mapped_column(Date)
    decide_due: Mapped[date | None] = mapped_column(Date)
    extended: Mapped[bool] = mapped_column(Boolean, default=False)
    extension_reason: Mapped[str | None] = mapped_column(Text)
    decided_on: Mapped[date | None] = mapped_column(Date)
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    repaired_record_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("records.id"))
    catalog_version: Mapped[str] = mapped_column(String(64))

    __table_args__ = (
        Index("ix_repair_applications_status_due", "status", "accept_due"),
        Index("ix_repair_applications_key", "info_class", "natural_key"),
        Index("ix_repair_applications_list_entry_id", "list_entry_id"),
        # the work queue's open applications by department and deadline (migration 18e7a9b1c2d3)
        Index(
            "ix_repair_applications_open",
            "provider_id",
            "status",
            "accept_due",
            "decide_due",
            "id",
            postgresql_where=text(OPEN_WHERE),
            sqlite_where=text(OPEN_WHERE),
        ),
        CheckConstraint(
            "(target_kind = 'record' AND record_id IS NOT NULL AND list_entry_id IS NULL)"
            " OR (target_kind = 'list_entry' AND list_entry_id IS NOT NULL AND record_id IS NULL)",
            name="one_target",
        ),
    )


class RepairMaterial(IdMixin, CreatedMixin, Base):
    __tablename__ = "repair_materials"

    repair_id: Mapped[int] = mapped_column(BigId, ForeignKey("repair_applications.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))  # catalog material id
    filename: Mapped[str] = mapped_column(String(200))  # as uploaded, for display only
    content_type: Mapped[str] = mapped_column(String(40))  # sniffed from the bytes
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    stored_as: Mapped[str] = mapped_column(String(200))  # path under settings.data_dir
