"""Retention of the logs: purge old query-log rows, joint-check log rows (with their feedback) and
the audit chain's prefix, keeping a signed checkpoint so the chain still verifies (`jobs run
retention`)."""

from __future__ import annotations

import json
from datetime import datetime

from cryptography.hazmat.primitives import hashes
from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from xinyong import clock, signing
from xinyong.audit.chain import (
    _AUDIT_LOCK_KEY,
    Actor,
    AuditAction,
    _utc_iso,
    chain_start,
    latest_checkpoint,
    record,
)
from xinyong.db.session import is_postgres
from xinyong.db.tables import AuditEntry, Check, CheckFeedback, LogCheckpoint, QueryLogEntry


def purge_before(
    session: Session,
    cutoff: datetime,
    *,
    actor: Actor,
    key: signing.SigningKey | None,
    retention_years: int,
) -> LogCheckpoint:
    """Delete query-log rows and the audit-chain prefix older than `cutoff`; keep a signed
    checkpoint (last purged hash, count, SM3 over the purged hashes) so `verify_chain` still holds,
    and audit the purge itself (a new chain row, after the checkpoint)."""
    if is_postgres(session):
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _AUDIT_LOCK_KEY})
    previous = latest_checkpoint(session)
    digest = hashes.Hash(hashes.SM3())
    last_id, last_hash, purged = None, chain_start(session), 0
    rows = session.execute(
        select(AuditEntry.id, AuditEntry.hash).where(AuditEntry.at < cutoff).order_by(AuditEntry.id)
    )
    for row_id, row_hash in rows:
        digest.update(row_hash.encode("ascii"))
        last_id, last_hash, purged = row_id, row_hash, purged + 1
    if last_id is not None:
        session.execute(delete(AuditEntry).where(AuditEntry.id <= last_id))
    query_purged = session.execute(
        select(func.count()).select_from(QueryLogEntry).where(QueryLogEntry.at < cutoff)
    ).scalar_one()
    session.execute(delete(QueryLogEntry).where(QueryLogEntry.at < cutoff))
    checks_purged, feedback_purged = _purge_checks(session, cutoff)
    body = {
        "cutoff": _utc_iso(cutoff),
        "retention_years": retention_years,
        "audit_last_id": last_id,
        "audit_last_hash": last_hash,
        "audit_purged": purged,
        "audit_purged_digest": digest.finalize().hex(),
        "query_purged": query_purged,
        "checks_purged": checks_purged,
        "check_feedback_purged": feedback_purged,
        "previous_checkpoint": previous.digest if previous else None,
    }
    statement = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    checkpoint = LogCheckpoint(
        at=clock.now().replace(microsecond=0),
        cutoff=cutoff,
        audit_last_id=last_id,
        audit_last_hash=last_hash,
        audit_purged=purged,
        query_purged=query_purged,
        digest=signing.sm3_hex(statement.encode("utf-8")),
        statement=statement,
        signature=key.sign(statement.encode("utf-8")).hex() if key else None,
        key_id=key.public_key.key_id if key else None,
    )
    session.add(checkpoint)
    session.flush()
    record(
        session,
        actor,
        AuditAction.LOGS_PURGED,
        target_type="log_checkpoint",
        target_id=checkpoint.id,
        after=body,
        reason=f"查询日志保存期限 {retention_years} 年",
    )
    return checkpoint


def _purge_checks(session: Session, cutoff: datetime) -> tuple[int, int]:
    """The joint-check log (the largest log) older than `cutoff`, and the feedback on those checks
    (it names them): counted, then deleted."""
    old = select(Check.check_id).where(Check.at < cutoff)
    count = select(func.count()).select_from(Check).where(Check.at < cutoff)
    checks = session.execute(count).scalar_one()
    if not checks:
        return 0, 0
    of_old = CheckFeedback.check_id.in_(old)
    feedback = session.execute(
        select(func.count()).select_from(CheckFeedback).where(of_old)
    ).scalar_one()
    session.execute(delete(CheckFeedback).where(of_old))
    session.execute(delete(Check).where(Check.at < cutoff))
    return checks, feedback
