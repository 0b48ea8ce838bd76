"""reports: one row per issued credit report (a snapshot): number, digest, validity, revocation."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.db.base import Base, BigId, IdMixin


class Report(IdMixin, Base):
    __tablename__ = "reports"

    number: Mapped[str] = mapped_column(String(22), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # reports.ReportKind
    subject_id: Mapped[int] = mapped_column(BigId, ForeignKey("subjects.id"), index=True)
    domains: Mapped[list[str]] = mapped_column()  # special report: report_domains ids
    period_from: Mapped[date | None] = mapped_column(Date)
    period_to: Mapped[date] = mapped_column(Date)
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    valid_until: Mapped[date] = mapped_column(Date)
    digest: Mapped[str] = mapped_column(String(64))  # SM3 of the signed bytes
    key_id: Mapped[str] = mapped_column(String(16))
    size: Mapped[int] = mapped_column(Integer)
    requested_by: Mapped[str] = mapped_column(String(200))
    requester_kind: Mapped[str] = mapped_column(String(16))
    requester_id: Mapped[int | None] = mapped_column(BigInteger)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_by: Mapped[str | None] = mapped_column(String(200))
    revoke_reason: Mapped[str | None] = mapped_column(Text)
