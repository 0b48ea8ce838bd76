"""信易+: partners registered for a scenario, and every verification they made."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.db.base import Base, BigId, CreatedMixin, IdMixin


class ScenarioPartner(IdMixin, CreatedMixin, Base):
    """A service window, landlord or transport operator registered for one scenario."""

    __tablename__ = "scenario_partners"

    scenario_id: Mapped[str] = mapped_column(String(64), index=True)  # catalogs/scenarios
    name: Mapped[str] = mapped_column(String(200))
    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class ScenarioVerification(IdMixin, Base):
    __tablename__ = "scenario_verifications"

    partner_id: Mapped[int] = mapped_column(BigId, ForeignKey("scenario_partners.id"), index=True)
    scenario_id: Mapped[str] = mapped_column(String(64), index=True)
    subject_id: Mapped[int] = mapped_column(BigId, ForeignKey("subjects.id"), index=True)
    method: Mapped[str] = mapped_column(String(16))  # code | qr
    eligible: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(String(1000))
    result: Mapped[dict[str, Any]] = mapped_column()
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
