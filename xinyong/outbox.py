"""Outbox: every change that leaves the region, written in the transaction of the change.

Owns: the `outbox` table (generalised from the former `sync_log`) and the only ways to append to
it — `append` for a workflow's change (ORM session) and `append_chunk` for a committed collection
chunk (driver connection, inside the chunk's transaction). Does not: read or send the feed
(`xinyong.exchange`).

Ordering: the id is the change feed's cursor, so ids must become visible in increasing order.
Before taking an id every writer takes the audit chain's transaction lock on PostgreSQL
(`audit.CHAIN_LOCK_KEY`, held until commit), so a transaction that took id n commits before any
transaction can take n + 1; a reader that has seen n never later finds a smaller id. SQLite has
one writer at a time anyway. See docs/decisions/0011-outbox.md.
"""

from __future__ import annotations

import json
from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from xinyong import audit
from xinyong.db.session import is_postgres
from xinyong.db.tables import OutboxEntry


class Event(StrEnum):
    """What an outbox row records (`<object>.<what happened>`)."""

    RECORDS_COLLECTED = "records.collected"  # one committed collection chunk: its new versions
    RECORD_VERSIONED = "record.versioned"  # a corrected / repaired / withdrawn version
    RECORD_CREATED = "record.created"  # a record written by a workflow (a breach)
    REPAIR_APPROVED = "repair.approved"
    REPAIR_REFUSED = "repair.refused"
    REPAIR_NOT_ACCEPTED = "repair.not_accepted"
    REPAIR_REVOKED = "repair.revoked"
    OBJECTION_ANSWERED = "objection.answered"
    LIST_DECIDED = "list.decided"
    LIST_EXITED = "list.exited"
    COMMITMENT_SIGNED = "commitment.signed"
    COMMITMENT_BREACHED = "commitment.breached"


def _serialise(session: Session) -> None:
    if is_postgres(session):
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": audit.CHAIN_LOCK_KEY})


def append(
    session: Session,
    event: Event | str,
    *,
    target_type: str,
    target_id: int | None,
    subject_id: int | None,
    occurred_on: date,
    payload: dict[str, Any] | None = None,
    provider_id: int | None = None,
) -> OutboxEntry:
    """Queue one change for the provincial / national platforms (caller's transaction)."""
    _serialise(session)
    entry = OutboxEntry(
        event=str(event),
        subject_id=subject_id,
        target_type=target_type,
        target_id=target_id,
        provider_id=provider_id,
        payload=audit.jsonable(payload or {}),
        occurred_on=occurred_on,
        attempts=0,
    )
    session.add(entry)
    session.flush()
    return entry


_CHUNK_SQL = (
    "INSERT INTO outbox (event, subject_id, target_type, target_id, provider_id, payload,"
    " occurred_on, attempts) VALUES ({})"
)


def append_chunk(
    connection: Any,
    *,
    postgres: bool,
    batch_id: int,
    provider_id: int | None,
    info_class: str,
    rows: tuple[int, int],
    ids: tuple[int, int],
    count: int,
    occurred_on: date,
) -> None:
    """The outbox row of one committed collection chunk, on the writer's connection, in the
    chunk's transaction: it stands for the `count` record versions of batch `batch_id`, source
    rows `rows`, whose ids lie in `ids` (first, last). A psycopg connection on PostgreSQL,
    a SQLAlchemy Connection on SQLite."""
    payload = json.dumps(
        {"batch_id": batch_id, "info_class": info_class, "first_row": rows[0],
         "last_row": rows[1], "first_id": ids[0], "last_id": ids[1], "count": count},
        ensure_ascii=False,
    )  # fmt: skip
    values = (str(Event.RECORDS_COLLECTED), None, "batch", batch_id, provider_id, payload,
              occurred_on, 0)  # fmt: skip
    if postgres:
        connection.execute("SELECT pg_advisory_xact_lock(%s)", (audit.CHAIN_LOCK_KEY,))
        marks = "%s, %s, %s, %s, %s, %s::jsonb, %s, %s"
        connection.execute(_CHUNK_SQL.format(marks), values)
    else:
        marks = ", ".join("?" * len(values))
        sqlite_values = (*values[:6], occurred_on.isoformat(), 0)
        connection.exec_driver_sql(_CHUNK_SQL.format(marks), sqlite_values)
