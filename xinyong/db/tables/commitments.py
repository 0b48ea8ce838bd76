"""commitments: signed credit commitments (信用承诺), their verification and breach record.

Columns follow the national commitment template (rules.md §7.2).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.db.base import Base, BigId, CreatedMixin, IdMixin
from xinyong.enums import CommitmentStatus


class Commitment(IdMixin, CreatedMixin, Base):
    __tablename__ = "commitments"

    code: Mapped[str] = mapped_column(String(20), unique=True)  # 承诺编码
    subject_id: Mapped[int] = mapped_column(BigId, ForeignKey("subjects.id"), index=True)
    template_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))  # 承诺类型
    matter: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)  # 承诺事由
    content: Mapped[str] = mapped_column(Text)
    liability: Mapped[str] = mapped_column(Text)
    breach_consequence: Mapped[str] = mapped_column(Text)
    legal_basis: Mapped[list[Any]] = mapped_column(default=list)
    publication: Mapped[str] = mapped_column(String(16))  # 公开类型
    signed_on: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    signed_by: Mapped[str] = mapped_column(String(200))
    acceptance_provider_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("providers.id"))
    record_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("records.id"))  # 信用修复型
    status: Mapped[str] = mapped_column(String(16), default=CommitmentStatus.SIGNED.value)
    fulfillment_status: Mapped[str | None] = mapped_column(String(16))  # 全部履行 / 部分履行 / …
    unperformed_content: Mapped[str | None] = mapped_column(Text)
    false_statement: Mapped[bool | None] = mapped_column()
    verified_on: Mapped[date | None] = mapped_column(Date)
    verified_by: Mapped[str | None] = mapped_column(String(200))
    breach_record_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("records.id"))
    catalog_version: Mapped[str] = mapped_column(String(64))

    # the work queue's commitments to verify by department and day (migration 18e7a9b1c2d3)
    __table_args__ = (
        Index("ix_commitments_signed", "acceptance_provider_id", "valid_until", "id",
              postgresql_where=text("status = 'signed'"), sqlite_where=text("status = 'signed'")),
    )  # fmt: skip
