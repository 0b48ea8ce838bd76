"""consents: a subject authorises a named party to read its non-public credit information."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Date, DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.db.base import Base, BigId, CreatedMixin, IdMixin


class Consent(IdMixin, CreatedMixin, Base):
    __tablename__ = "consents"

    subject_id: Mapped[int] = mapped_column(BigId, ForeignKey("subjects.id"), index=True)
    grantee_kind: Mapped[str] = mapped_column(String(16))  # "user" | "api_client"
    grantee_id: Mapped[int] = mapped_column(BigInteger)
    grantee_label: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(String(200))
    scopes: Mapped[list[str]] = mapped_column()  # consent.Scope values
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)
    granted_by: Mapped[str] = mapped_column(String(200))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_by: Mapped[str | None] = mapped_column(String(200))
    revoke_reason: Mapped[str | None] = mapped_column(Text)
    # Free-form proof of a written authorisation recorded for the subject (e.g. a scanned form).
    proof: Mapped[dict[str, Any] | None] = mapped_column()

    __table_args__ = (Index("ix_consents_grantee", "grantee_kind", "grantee_id"),)
