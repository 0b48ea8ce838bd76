"""Store: the bulk write path of collection, one committed transaction per chunk.

The only domain module that commits (STYLE.md §4, collection/README.md): a 1M-row import must
survive `kill -9`. Each chunk writes its records and its `batch_rows` in one transaction; the rerun
skips every (batch_id, row_no) already in `batch_rows`, so nothing is lost or written twice.
PostgreSQL: `COPY` into `records` and `batch_rows` under a per-class advisory lock (the version
numbers are decided in Python from the current versions read inside the same lock).
SQLite: `executemany` in the chunk's transaction (SQLite has one writer anyway).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from xinyong.collection.validate import ValidRow
from xinyong.db.session import is_postgres
from xinyong.db.tables import Batch, BatchRow, Record

_IN_CHUNK = 900
_RECORD_COLUMNS = (
    "subject_id", "info_class", "natural_key", "version", "is_current", "status",
    "decision_number", "decision_date", "valid_from", "valid_until", "authority_name",
    "authority_uscc", "provider_id", "batch_id", "source_row", "catalog_version", "content_hash",
    "data", "reason",
)  # fmt: skip
_ROW_COLUMNS = ("batch_id", "row_no", "outcome", "timely", "issues", "source")


@dataclass(frozen=True, slots=True)
class Current:
    id: int
    version: int
    content_hash: str
    status: str


def save_batch(session: Session, batch: Batch, *, durable: bool = True) -> None:
    """Make the batch row durable before any chunk (its id is the resume point)."""
    del batch
    _end_chunk(session, durable=durable)


def _end_chunk(session: Session, *, durable: bool) -> None:
    """Commit (resumable imports) or only flush (a caller that owns one transaction: the demo)."""
    session.flush()
    if durable:
        session.commit()


def done_rows(session: Session, batch_id: int) -> set[int]:
    stmt = select(BatchRow.row_no).where(BatchRow.batch_id == batch_id)
    return set(session.execute(stmt).scalars())


def current_versions(session: Session, info_class: str, keys: Sequence[str]) -> dict[str, Current]:
    found: dict[str, Current] = {}
    for start in range(0, len(keys), _IN_CHUNK):
        stmt = select(
            Record.natural_key, Record.id, Record.version, Record.content_hash, Record.status
        ).where(
            Record.info_class == info_class,
            Record.is_current.is_(True),
            Record.natural_key.in_(keys[start : start + _IN_CHUNK]),
        )
        for key, record_id, version, digest, status in session.execute(stmt):
            found[key] = Current(record_id, version, digest, status)
    return found


def lock_class(session: Session, info_class: str) -> None:
    """Serialise version numbering per info class across concurrent batches (PostgreSQL)."""
    if is_postgres(session):
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:c))"), {"c": info_class})


def write_chunk(
    session: Session,
    batch: Batch,
    rows: Sequence[ValidRow],
    rejected: Sequence[dict[str, Any]],
    subject_ids: dict[str, int],
    *,
    durable: bool = True,
) -> None:
    """Classify each valid row new / updated / unchanged, write everything, commit."""
    current = current_versions(session, batch.info_class, [r.natural_key for r in rows])
    records: list[dict[str, Any]] = []
    outcomes: list[dict[str, Any]] = list(rejected)
    superseded: list[int] = []
    for row in rows:
        before = current.get(row.natural_key)
        if before is not None and before.content_hash == row.content_hash:
            outcome = "unchanged"
        else:
            outcome = "new" if before is None else "updated"
            if before is not None:
                superseded.append(before.id)
            records.append(_record(batch, row, subject_ids[row.subject_code], before))
        outcomes.append(_outcome(batch.id, row.row_no, outcome, row.timely))
    for start in range(0, len(superseded), _IN_CHUNK):
        ids = superseded[start : start + _IN_CHUNK]
        session.execute(update(Record).where(Record.id.in_(ids)).values(is_current=False))
    if is_postgres(session):
        _copy(session, "records", _RECORD_COLUMNS, records)
        _copy(session, "batch_rows", _ROW_COLUMNS, outcomes)
    else:
        _executemany(session, "records", _RECORD_COLUMNS, records)
        _executemany(session, "batch_rows", _ROW_COLUMNS, outcomes)
    _end_chunk(session, durable=durable)


def finish(session: Session, batch: Batch, values: dict[str, Any], *, durable: bool = True) -> None:
    """Counters recomputed from batch_rows (exact after any number of resumes), then commit."""
    stmt = (
        select(BatchRow.outcome, func.count())
        .where(BatchRow.batch_id == batch.id)
        .group_by(BatchRow.outcome)
    )
    counts = {row[0]: row[1] for row in session.execute(stmt)}
    timely = select(BatchRow.timely, func.count()).where(BatchRow.batch_id == batch.id)
    by_timely = {row[0]: row[1] for row in session.execute(timely.group_by(BatchRow.timely))}
    batch.new, batch.updated = counts.get("new", 0), counts.get("updated", 0)
    batch.unchanged, batch.rejected = counts.get("unchanged", 0), counts.get("rejected", 0)
    batch.accepted = batch.new + batch.updated + batch.unchanged
    batch.received = batch.accepted + batch.rejected
    batch.timely, batch.late = by_timely.get(True, 0), by_timely.get(False, 0)
    for key, value in values.items():
        setattr(batch, key, value)
    batch.status = "done"
    _end_chunk(session, durable=durable)


def _record(batch: Batch, row: ValidRow, subject_id: int, before: Current | None) -> dict[str, Any]:
    reason = f"归集批次 {batch.id} 第 {row.row_no} 行" + ("（更正）" if before else "")
    return {
        "subject_id": subject_id,
        "info_class": batch.info_class,
        "natural_key": row.natural_key,
        "version": before.version + 1 if before else 1,
        "is_current": True,
        "status": before.status if before else "active",
        **row.columns,
        "provider_id": batch.provider_id,
        "batch_id": batch.id,
        "source_row": row.row_no,
        "catalog_version": batch.catalog_version,
        "content_hash": row.content_hash,
        "data": _Json(row.data_json),
        "reason": reason,
    }


def _outcome(batch_id: int, row_no: int, outcome: str, timely: bool | None) -> dict[str, Any]:
    return {
        "batch_id": batch_id,
        "row_no": row_no,
        "outcome": outcome,
        "timely": timely,
        "issues": None,
        "source": None,
    }


# ---- PostgreSQL fast path ---------------------------------------------------------------------


def _copy(session: Session, table: str, columns: Sequence[str], rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    raw = session.connection().connection.driver_connection
    assert raw is not None
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with raw.cursor() as cursor, cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row([_pg_value(row[c]) for c in columns])


def _pg_value(value: Any) -> Any:
    if isinstance(value, _Json):
        return str(value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value


# ---- SQLite fast path -------------------------------------------------------------------------


def _executemany(
    session: Session, table: str, columns: Sequence[str], rows: list[dict[str, Any]]
) -> None:
    """One driver-level executemany in the chunk's transaction (no per-row ORM work)."""
    if not rows:
        return
    marks = ", ".join("?" for _ in columns)
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608
    values = [tuple(_sqlite_value(row[c]) for c in columns) for row in rows]
    session.connection().exec_driver_sql(sql, values)


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    return _pg_value(value)


class _Json(str):
    """JSON text already serialised (the canonical form that was hashed)."""

    __slots__ = ()
