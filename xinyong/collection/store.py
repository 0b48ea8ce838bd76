"""Store: the bulk write path of collection, one committed transaction per chunk.

The only domain module that commits (STYLE.md §4, collection/README.md): a 1M-row import must
survive `kill -9`. Each chunk writes its records and its `batch_rows` in one transaction; the rerun
skips every (batch_id, row_no) already in `batch_rows`, so nothing is lost or written twice.
Set-based throughout: one query for the current versions of the chunk's natural keys, one join
(Polars) classifies every row new / updated / unchanged, one UPDATE flips `is_current`.
PostgreSQL: `COPY … (FORMAT csv)` of a CSV that Polars writes, under a per-class advisory lock.
SQLite: driver `executemany` in the chunk's transaction (SQLite has one writer anyway).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

import polars as pl
from sqlalchemy import ColumnElement, any_, bindparam, func, select, text, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.types import BigInteger, String

from xinyong.db.session import is_postgres
from xinyong.db.tables import Batch, BatchRow, Record

_IN_CHUNK = 900  # stays under SQLite's bound-parameter limit
_RECORD_COLUMNS = (
    "subject_id", "info_class", "natural_key", "version", "is_current", "status",
    "decision_number", "decision_date", "valid_from", "valid_until", "authority_name",
    "authority_uscc", "provider_id", "batch_id", "source_row", "catalog_version", "content_hash",
    "data", "reason",
)  # fmt: skip
_ROW_COLUMNS = ("batch_id", "row_no", "outcome", "timely", "issues", "source")
_CURRENT = {
    "natural_key": pl.String, "current_id": pl.Int64, "current_version": pl.Int64,
    "current_hash": pl.String, "current_status": pl.String,
}  # fmt: skip


def save_batch(session: Session, batch: Batch, *, durable: bool = True) -> None:
    """Make the batch row durable before any chunk (its id is the resume point)."""
    del batch
    _end_chunk(session, durable=durable)


def _end_chunk(session: Session, *, durable: bool) -> None:
    """Commit (resumable imports) or only flush (a caller that owns one transaction: the demo)."""
    session.flush()
    if durable:
        session.commit()


def done_rows(session: Session, batch_id: int) -> pl.Series:
    stmt = select(BatchRow.row_no).where(BatchRow.batch_id == batch_id)
    return pl.Series("row_no", list(session.execute(stmt).scalars()), dtype=pl.Int64)


def matching(
    session: Session, column: InstrumentedAttribute[Any], values: Sequence[Any]
) -> Iterator[ColumnElement[bool]]:
    """`column IN values` as few statements as the database allows: one `= ANY(array)` on
    PostgreSQL, chunks of 900 bound parameters on SQLite."""
    if not values:
        return
    if is_postgres(session):
        kind = BigInteger() if isinstance(values[0], int) else String()
        yield column == any_(bindparam(None, list(values), type_=ARRAY(kind)))
        return
    for start in range(0, len(values), _IN_CHUNK):
        yield column.in_(values[start : start + _IN_CHUNK])


def current_versions(session: Session, info_class: str, keys: Sequence[str]) -> pl.DataFrame:
    rows: list[tuple[Any, ...]] = []
    for clause in matching(session, Record.natural_key, keys):
        stmt = select(
            Record.natural_key, Record.id, Record.version, Record.content_hash, Record.status
        ).where(Record.info_class == info_class, Record.is_current.is_(True), clause)
        rows.extend(tuple(r) for r in session.execute(stmt))
    return pl.DataFrame(rows, schema=_CURRENT, orient="row")


def lock_class(session: Session, info_class: str) -> None:
    """Serialise version numbering per info class across concurrent batches (PostgreSQL)."""
    if is_postgres(session):
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:c))"), {"c": info_class})


def write_chunk(
    session: Session,
    batch: Batch,
    rows: pl.DataFrame,
    rejected: Sequence[dict[str, Any]],
    subject_ids: pl.DataFrame,
    *,
    durable: bool = True,
) -> None:
    """Classify each accepted row new / updated / unchanged, write everything, commit."""
    current = current_versions(session, batch.info_class, rows["natural_key"].to_list())
    joined = rows.join(current, on="natural_key", how="left").with_columns(
        outcome=pl.when(pl.col("current_id").is_null())
        .then(pl.lit("new"))
        .when(pl.col("current_hash") == pl.col("content_hash"))
        .then(pl.lit("unchanged"))
        .otherwise(pl.lit("updated"))
    )
    superseded = joined.filter(pl.col("outcome") == "updated")["current_id"].to_list()
    for clause in matching(session, Record.id, superseded):
        session.execute(update(Record).where(clause).values(is_current=False))
    changed = joined.filter(pl.col("outcome") != "unchanged")
    records = _records(batch, changed.join(subject_ids, on="subject_code", how="left"))
    outcomes = joined.select(
        batch_id=pl.lit(batch.id, dtype=pl.Int64),
        row_no="row_no",
        outcome="outcome",
        timely="timely",
        issues=pl.lit(None, dtype=pl.String),
        source=pl.lit(None, dtype=pl.String),
    )
    rejected_rows = [{**r, "batch_id": batch.id} for r in rejected]
    if is_postgres(session):
        _copy_frame(session, "records", records)
        _copy_frame(session, "batch_rows", outcomes)
        _copy_rows(session, "batch_rows", _ROW_COLUMNS, rejected_rows)
    else:
        _executemany(session, "records", _RECORD_COLUMNS, _sqlite_rows(records))
        _executemany(session, "batch_rows", _ROW_COLUMNS, _sqlite_rows(outcomes))
        values = [tuple(_pg_value(r[c]) for c in _ROW_COLUMNS) for r in rejected_rows]
        _executemany(session, "batch_rows", _ROW_COLUMNS, values)
    _end_chunk(session, durable=durable)


def _records(batch: Batch, rows: pl.DataFrame) -> pl.DataFrame:
    """The `records` rows in column order: version n+1 of the current one, status carried over."""
    corrected = pl.col("current_id").is_not_null()
    return rows.sort("row_no").select(
        subject_id="subject_id",
        info_class=pl.lit(batch.info_class),
        natural_key="natural_key",
        version=pl.col("current_version").fill_null(0) + 1,
        is_current=pl.lit(True),
        status=pl.col("current_status").fill_null("active"),
        decision_number="decision_number",
        decision_date="decision_date",
        valid_from="valid_from",
        valid_until="valid_until",
        authority_name="authority_name",
        authority_uscc="authority_uscc",
        provider_id=pl.lit(batch.provider_id, dtype=pl.Int64),
        batch_id=pl.lit(batch.id, dtype=pl.Int64),
        source_row="row_no",
        catalog_version=pl.lit(batch.catalog_version),
        content_hash="content_hash",
        data="data",
        reason=pl.concat_str(
            pl.lit(f"归集批次 {batch.id} 第 "),
            pl.col("row_no").cast(pl.String),
            pl.lit(" 行"),
            pl.when(corrected).then(pl.lit("（更正）")).otherwise(pl.lit("")),
        ),
    )


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


# ---- PostgreSQL fast path ---------------------------------------------------------------------


def _copy_frame(session: Session, table: str, frame: pl.DataFrame) -> None:
    """COPY a frame as CSV: Polars writes it (empty string quoted, null as an empty field)."""
    if frame.height == 0:
        return
    raw = session.connection().connection.driver_connection
    assert raw is not None
    sql = f"COPY {table} ({', '.join(frame.columns)}) FROM STDIN (FORMAT csv)"
    with raw.cursor() as cursor, cursor.copy(sql) as copy:
        copy.write(frame.write_csv(include_header=False).encode("utf-8"))


def _copy_rows(
    session: Session, table: str, columns: Sequence[str], rows: list[dict[str, Any]]
) -> None:
    if not rows:
        return
    raw = session.connection().connection.driver_connection
    assert raw is not None
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with raw.cursor() as cursor, cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row([_pg_value(row[c]) for c in columns])


def _pg_value(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value


# ---- SQLite fast path -------------------------------------------------------------------------


def _sqlite_rows(frame: pl.DataFrame) -> list[tuple[Any, ...]]:
    dates = [c for c, t in frame.schema.items() if t == pl.Date]
    return frame.with_columns(pl.col(dates).dt.to_string("%Y-%m-%d")).rows()


def _executemany(
    session: Session, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]
) -> None:
    """One driver-level executemany in the chunk's transaction (no per-row ORM work)."""
    if not rows:
        return
    marks = ", ".join("?" for _ in columns)
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608
    session.connection().exec_driver_sql(sql, rows)
