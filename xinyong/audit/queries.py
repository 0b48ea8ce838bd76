"""The query log: who looked at a subject's non-public data, for what purpose, on which basis."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong import clock
from xinyong.audit.chain import Actor, jsonable
from xinyong.db.tables import QueryLogEntry


def log_query(
    session: Session,
    actor: Actor,
    subject_id: int,
    *,
    purpose: str,
    surface: str,
    detail: dict[str, Any] | None = None,
    basis: str | None = None,
    consent_id: int | None = None,
) -> QueryLogEntry:
    """Write who looked at a subject's non-public data and why, in the caller's transaction.

    `basis` is the legal basis (consent.Basis.kind: self | duty | consent) and `consent_id` the
    consent relied on, if any.
    """
    entry = QueryLogEntry(
        at=clock.now(),
        actor_kind=actor.kind,
        actor_id=actor.id,
        actor_label=actor.label,
        subject_id=subject_id,
        purpose=purpose,
        surface=surface,
        detail=jsonable(detail),
        basis=basis,
        consent_id=consent_id,
    )
    session.add(entry)
    session.flush()
    return entry


def list_queries(session: Session, subject_id: int, *, limit: int = 100) -> list[QueryLogEntry]:
    stmt = (
        select(QueryLogEntry)
        .where(QueryLogEntry.subject_id == subject_id)
        .order_by(QueryLogEntry.id.desc())
        .limit(limit)
    )
    return list(session.execute(stmt).scalars())


def search_queries(
    session: Session,
    *,
    who: str | None = None,
    subject_ids: list[int] | None = None,
    basis: str | None = None,
    limit: int = 200,
) -> list[QueryLogEntry]:
    """The auditor's search of the query log: by querier label, subject, basis; newest first."""
    stmt = select(QueryLogEntry).order_by(QueryLogEntry.id.desc()).limit(limit)
    if who:
        stmt = stmt.where(QueryLogEntry.actor_label.contains(who))
    if subject_ids is not None:
        stmt = stmt.where(QueryLogEntry.subject_id.in_(subject_ids))
    if basis:
        stmt = stmt.where(QueryLogEntry.basis == basis)
    return list(session.execute(stmt).scalars())
