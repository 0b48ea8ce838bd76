"""audit_log (append-only, SM3 hash chain) and query_log (who looked at whom, why)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.db.base import Base, BigId, IdMixin


class AuditEntry(IdMixin, Base):
    __tablename__ = "audit_log"

    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor_kind: Mapped[str] = mapped_column(String(16))  # user | api_client | system
    actor_id: Mapped[int | None] = mapped_column(BigInteger)
    actor_label: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(64), index=True)
    target_type: Mapped[str] = mapped_column(String(32))
    target_id: Mapped[str | None] = mapped_column(String(64))
    before: Mapped[dict[str, Any] | None] = mapped_column()
    after: Mapped[dict[str, Any] | None] = mapped_column()
    reason: Mapped[str | None] = mapped_column(Text)
    request_id: Mapped[str | None] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)

    __table_args__ = (Index("ix_audit_log_target", "target_type", "target_id"),)


class QueryLogEntry(IdMixin, Base):
    __tablename__ = "query_log"

    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor_kind: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(BigInteger)
    actor_label: Mapped[str] = mapped_column(String(200))
    subject_id: Mapped[int] = mapped_column(BigId, ForeignKey("subjects.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(200))
    surface: Mapped[str] = mapped_column(String(32))  # api | page | cli | check | report
    detail: Mapped[dict[str, Any] | None] = mapped_column()
    # The legal basis of the read: "self" | "duty" (officer with a purpose) | "consent".
    basis: Mapped[str | None] = mapped_column(String(16))
    consent_id: Mapped[int | None] = mapped_column(BigInteger)


class LogCheckpoint(IdMixin, Base):
    """What a retention run purged, signed by the office key, so the audit chain still verifies.

    The first audit row kept after a purge links to `last_hash`; `digest` is SM3 over the purged
    audit rows' hashes in order; `signature` is the office's SM2 signature over `statement`.
    """

    __tablename__ = "log_checkpoints"

    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    cutoff: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    audit_last_id: Mapped[int | None] = mapped_column(BigInteger)
    audit_last_hash: Mapped[str] = mapped_column(String(64))
    audit_purged: Mapped[int] = mapped_column(BigInteger)
    query_purged: Mapped[int] = mapped_column(BigInteger)
    digest: Mapped[str] = mapped_column(String(64))
    statement: Mapped[str] = mapped_column(Text)
    signature: Mapped[str | None] = mapped_column(Text)  # hex DER
    key_id: Mapped[str | None] = mapped_column(String(16))
