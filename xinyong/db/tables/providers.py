"""providers: departments that submit records (报送部门) or decide (认定部门)."""

from __future__ import annotations

from sqlalchemy import Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.db.base import Base, CreatedMixin, IdMixin


class Provider(IdMixin, CreatedMixin, Base):
    __tablename__ = "providers"

    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str | None] = mapped_column(String(64))  # e.g. market_regulation, court, tax
    region_code: Mapped[str | None] = mapped_column(String(12))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
