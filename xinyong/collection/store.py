"""Store: the bulk write path of collection, one committed transaction per chunk.

With writer.py, the only domain code that commits (STYLE.md §4, collection/README.md): a
1M-row import must survive `kill -9`. Each chunk writes its records, the `batch_rows` of its
rejected rows and its `batch_chunks` row (the chunk's counts) in one transaction; the rerun skips
every chunk already in `batch_chunks`, so nothing is lost or written twice.

Set-based throughout: `prepare` asks for the current versions of the chunk's natural keys in one
query and classifies every row new / updated / unchanged with one join (Polars); the writer flips
`is_current` with one UPDATE and adds the rows.

`writer.py` writes the prepared chunks (PostgreSQL COPY from a thread, or in place).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl
from sqlalchemy import ColumnElement, any_, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.types import BigInteger, String

from xinyong import archive
from xinyong.db.session import is_postgres
from xinyong.db.tables import Batch, BatchChunk, Record
from xinyong.enums import BatchStatus

_IN_CHUNK = 900  # stays under SQLite's bound-parameter limit
RECORD_COLUMNS = archive.RECORD_COLUMNS  # the records frame a chunk hands to archive
ROW_COLUMNS = ("batch_id", "row_no", "outcome", "timely", "issues", "source")
CHUNK_COLUMNS = (
    "batch_id", "first_row", "last_row", "new", "updated", "unchanged", "rejected", "timely",
    "late",
)  # fmt: skip
_COUNTS = ("new", "updated", "unchanged", "rejected", "timely", "late")
_CURRENT = {
    "natural_key": pl.String, "current_id": pl.Int64, "current_version": pl.Int64,
    "current_hash": pl.String, "current_status": pl.String,
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Chunk:
    """Everything one committed chunk writes: rows [first_row, last_row] of a batch."""

    batch_id: int
    first_row: int
    last_row: int
    records: pl.DataFrame  # RECORD_COLUMNS, new versions only
    superseded: list[int]  # record ids whose is_current flips to false
    rejected: list[dict[str, Any]]  # batch_rows dicts
    counts: dict[str, int]  # _COUNTS
    received_on: date  # the batch's day (the outbox row's date)
    provider_id: int | None = None

    def chunk_row(self) -> tuple[int, ...]:
        return (self.batch_id, self.first_row, self.last_row, *(self.counts[k] for k in _COUNTS))


def save_batch(session: Session, batch: Batch, *, durable: bool = True) -> None:
    """Make the batch row durable before any chunk (its id is the resume point)."""
    del batch
    end_chunk(session, durable=durable)


def end_chunk(session: Session, *, durable: bool) -> None:
    """Commit (resumable imports) or only flush (a caller that owns one transaction: the demo)."""
    session.flush()
    if durable:
        session.commit()


def done_chunks(session: Session, batch_id: int) -> set[int]:
    """First source row of every chunk already committed (a rerun skips them)."""
    stmt = select(BatchChunk.first_row).where(BatchChunk.batch_id == batch_id)
    return set(session.execute(stmt).scalars())


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


def select_pg(session: Session, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
    """PostgreSQL: run `sql` (%s placeholders) on the driver connection, in the session's
    transaction. Pass a long list of texts as `texts(values)` and match it with
    `= ANY(ARRAY(SELECT json_array_elements_text(%s::json)))`: binding 10k texts through
    SQLAlchemy's ARRAY type costs ~0.1 s, as a driver list ~40 ms, as one JSON text ~2 ms."""
    raw = session.connection().connection.driver_connection
    assert raw is not None
    return list(raw.execute(sql, params).fetchall())


def texts(values: Sequence[str]) -> str:
    return json.dumps(list(values), ensure_ascii=False)


ANY_TEXT = "ANY(ARRAY(SELECT json_array_elements_text(%s::json)))"


def current_versions(session: Session, info_class: str, keys: Sequence[str]) -> pl.DataFrame:
    rows: list[tuple[Any, ...]] = []
    if is_postgres(session):
        # the stored hash is bytea on PostgreSQL (db/tables/archive.HexDigest): compared as hex
        columns = "natural_key, id, version, encode(content_hash, 'hex'), status"
        where = f"info_class = %s AND is_current AND natural_key = {ANY_TEXT}"
        sql = f"SELECT {columns} FROM records WHERE {where}"  # noqa: S608
        rows = select_pg(session, sql, (info_class, texts(keys))) if keys else []
        return pl.DataFrame(rows, schema=_CURRENT, orient="row")
    for clause in matching(session, Record.natural_key, keys):
        stmt = select(
            Record.natural_key, Record.id, Record.version, Record.content_hash, Record.status
        ).where(Record.info_class == info_class, Record.is_current.is_(True), clause)
        rows.extend(tuple(r) for r in session.execute(stmt))
    return pl.DataFrame(rows, schema=_CURRENT, orient="row")


def others_in_class(session: Session, batch: Batch) -> bool:
    """Whether the batch's class holds any record that this batch did not write."""
    stmt = select(Record.id).where(
        Record.info_class == batch.info_class,
        Record.batch_id.is_(None) | (Record.batch_id != batch.id),
    )
    return session.execute(stmt.limit(1)).first() is not None


def prepare(
    session: Session,
    batch: Batch,
    bounds: tuple[int, int],
    rows: pl.DataFrame,
    rejected: Sequence[dict[str, Any]],
    subject_ids: pl.DataFrame,
    severity: Callable[[pl.DataFrame], pl.DataFrame] | None = None,
    *,
    probe: bool = True,
) -> Chunk:
    """Classify each accepted row new / updated / unchanged against the current versions;
    `severity` adds the stored severity to the rows written (disclosure.stored.classify_frame).
    `probe=False`: the caller knows no key has a current version (`others_in_class`), so the
    database is not asked."""
    keys = rows["natural_key"].to_list() if probe else []
    current = current_versions(session, batch.info_class, keys)
    joined = rows.join(current, on="natural_key", how="left").with_columns(
        outcome=pl.when(pl.col("current_id").is_null())
        .then(pl.lit("new"))
        .when(pl.col("current_hash") == pl.col("content_hash"))
        .then(pl.lit("unchanged"))
        .otherwise(pl.lit("updated"))
    )
    outcome, timely = joined["outcome"], joined["timely"]
    counts = {
        "new": int((outcome == "new").sum()),
        "updated": int((outcome == "updated").sum()),
        "unchanged": int((outcome == "unchanged").sum()),
        "rejected": len(rejected),
        "timely": int(timely.fill_null(False).sum()),
        "late": int((~timely).fill_null(False).sum()),
    }
    changed = joined.filter(pl.col("outcome") != "unchanged")
    if severity is not None:
        changed = severity(changed)
    return Chunk(
        batch_id=batch.id,
        first_row=bounds[0],
        last_row=bounds[1],
        records=_records(batch, changed.join(subject_ids, on="subject_code", how="left")),
        superseded=joined.filter(pl.col("outcome") == "updated")["current_id"].to_list(),
        rejected=[{**r, "batch_id": batch.id} for r in rejected],
        counts=counts,
        received_on=batch.received_on,
        provider_id=batch.provider_id,
    )


def _records(batch: Batch, rows: pl.DataFrame) -> pl.DataFrame:
    """The `records` rows in column order: version n+1 of the current one, status carried over."""
    corrected = pl.col("current_id").is_not_null()
    unclassified = pl.lit(None, dtype=pl.String)
    has = set(rows.columns)
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
        severity_class="severity_class" if "severity_class" in has else unclassified,
        severity_basis="severity_basis" if "severity_basis" in has else unclassified,
    )


def finish(session: Session, batch: Batch, values: dict[str, Any], *, durable: bool = True) -> None:
    """Counters summed from batch_chunks (exact after any number of resumes), then commit."""
    sums = session.execute(
        select(*(func.coalesce(func.sum(getattr(BatchChunk, k)), 0) for k in _COUNTS)).where(
            BatchChunk.batch_id == batch.id
        )
    ).one()
    totals = dict(zip(_COUNTS, (int(v) for v in sums), strict=True))
    for key, total in totals.items():
        setattr(batch, key, total)
    batch.accepted = batch.new + batch.updated + batch.unchanged
    batch.received = batch.accepted + batch.rejected
    for key, value in values.items():
        setattr(batch, key, value)
    batch.status = BatchStatus.DONE.value
    # the database's clock, like created_at's default, so the two make a duration
    batch.finished_at = func.now()
    end_chunk(session, durable=durable)
