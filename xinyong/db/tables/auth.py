"""users, web sessions and API clients."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.db.base import Base, BigId, CreatedMixin, IdMixin


class User(IdMixin, CreatedMixin, Base):
    __tablename__ = "users"

    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32))  # enums.Role
    provider_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("providers.id"))
    subject_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("subjects.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class WebSession(IdMixin, CreatedMixin, Base):
    __tablename__ = "web_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id"), index=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ApiClient(IdMixin, CreatedMixin, Base):
    __tablename__ = "api_clients"

    name: Mapped[str] = mapped_column(String(200))
    key_prefix: Mapped[str] = mapped_column(String(16), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(32))  # enums.Role: system | provider_clerk | bank
    provider_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("providers.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # issue 11: what the client may call, its rate limit ("120/minute", the `limits` notation),
    # when its key was last used, rotated and revoked
    scopes: Mapped[list[Any]] = mapped_column(default=list)
    rate_limit: Mapped[str] = mapped_column(String(32), default="120/minute")
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    rotated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # an officer-role key of the credit office itself states so; a key without a department is
    # not the office by that alone (ADR 0018 addendum, `auth.is_credit_office`)
    credit_office: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
