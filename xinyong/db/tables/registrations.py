"""voluntary_registrations: facts a subject adds itself, public only once verified."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.db.base import Base, BigId, CreatedMixin, IdMixin
from xinyong.enums import RegistrationStatus


class VoluntaryRegistration(IdMixin, CreatedMixin, Base):
    __tablename__ = "voluntary_registrations"

    subject_id: Mapped[int] = mapped_column(BigId, ForeignKey("subjects.id"), index=True)
    kind: Mapped[str] = mapped_column(
        String(32)
    )  # certificate | contract_performance | public_welfare
    title: Mapped[str] = mapped_column(String(200))
    detail: Mapped[str] = mapped_column(Text)
    evidence: Mapped[str | None] = mapped_column(Text)  # where it can be checked (issuer, number …)
    occurred_on: Mapped[date | None] = mapped_column(Date)
    truth_commitment: Mapped[str] = mapped_column(Text)  # the text the subject affirmed
    submitted_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default=RegistrationStatus.SUBMITTED.value)
    verified_on: Mapped[date | None] = mapped_column(Date)
    verified_by: Mapped[str | None] = mapped_column(String(200))
    verification_note: Mapped[str | None] = mapped_column(Text)
    # The verifying department (catalog workflows/registrations.yaml); None: the credit office.
    provider_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("providers.id"), index=True)

    # the work queue's registrations to verify by department (migration 18e7a9b1c2d3)
    __table_args__ = (
        Index("ix_voluntary_registrations_submitted", "provider_id", "id",
              postgresql_where=text("status = 'submitted'"),
              sqlite_where=text("status = 'submitted'")),
    )  # fmt: skip
