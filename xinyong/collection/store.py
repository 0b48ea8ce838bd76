"""Store: the bulk write path of collection, one committed transaction per chunk.

The only domain module that commits (STYLE.md §4, collection/README.md): a 1M-row import must
survive `kill -9`. Each chunk writes its records, the `batch_rows` of its rejected rows and its
`batch_chunks` row (the chunk's counts) in one transaction; the rerun skips every chunk already in
`batch_chunks`, so nothing is lost or written twice.

Set-based throughout: `prepare` asks for the current versions of the chunk's natural keys in one
query and classifies every row new / updated / unchanged with one join (Polars); `write` flips
`is_current` with one UPDATE and adds the rows.

PostgreSQL: `COPY … (FORMAT csv)` of a CSV that Polars writes. A durable import writes from a
thread on its own connection (`Writer`), so PostgreSQL stores chunk n while this process validates
and links chunk n + 1 on the other core; that connection holds the class's advisory lock for the
whole batch, which serialises version numbering across concurrent batches of one class.
SQLite (one writer anyway) and a caller that owns the transaction (the demo loader): the chunk is
written in place with driver `executemany`.
"""

from __future__ import annotations

import io
import json
import queue
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import polars as pl
from sqlalchemy import ColumnElement, any_, bindparam, func, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Engine
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.types import BigInteger, String

from xinyong.db.session import is_postgres
from xinyong.db.tables import Batch, BatchChunk, Record

_IN_CHUNK = 900  # stays under SQLite's bound-parameter limit
_RECORD_COLUMNS = (
    "subject_id", "info_class", "natural_key", "version", "is_current", "status",
    "decision_number", "decision_date", "valid_from", "valid_until", "authority_name",
    "authority_uscc", "provider_id", "batch_id", "source_row", "catalog_version", "content_hash",
    "data", "reason",
)  # fmt: skip
_ROW_COLUMNS = ("batch_id", "row_no", "outcome", "timely", "issues", "source")
_CHUNK_COLUMNS = (
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
    records: pl.DataFrame  # _RECORD_COLUMNS, new versions only
    superseded: list[int]  # record ids whose is_current flips to false
    rejected: list[dict[str, Any]]  # batch_rows dicts
    counts: dict[str, int]  # _COUNTS

    def chunk_row(self) -> tuple[int, ...]:
        return (self.batch_id, self.first_row, self.last_row, *(self.counts[k] for k in _COUNTS))


def save_batch(session: Session, batch: Batch, *, durable: bool = True) -> None:
    """Make the batch row durable before any chunk (its id is the resume point)."""
    del batch
    _end_chunk(session, durable=durable)


def _end_chunk(session: Session, *, durable: bool) -> None:
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
        columns = "natural_key, id, version, content_hash, status"
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


def prepare(
    session: Session,
    batch: Batch,
    bounds: tuple[int, int],
    rows: pl.DataFrame,
    rejected: Sequence[dict[str, Any]],
    subject_ids: pl.DataFrame,
) -> Chunk:
    """Classify each accepted row new / updated / unchanged against the current versions."""
    current = current_versions(session, batch.info_class, rows["natural_key"].to_list())
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
    return Chunk(
        batch_id=batch.id,
        first_row=bounds[0],
        last_row=bounds[1],
        records=_records(batch, changed.join(subject_ids, on="subject_code", how="left")),
        superseded=joined.filter(pl.col("outcome") == "updated")["current_id"].to_list(),
        rejected=[{**r, "batch_id": batch.id} for r in rejected],
        counts=counts,
    )


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
    batch.status = "done"
    _end_chunk(session, durable=durable)


# ---- writing chunks ---------------------------------------------------------------------------


def writer(session: Session, batch: Batch, *, durable: bool) -> InPlace | Writer:
    """Where chunks go: a writer thread (PostgreSQL, durable, the session on an engine) or the
    caller's session (SQLite; the demo's single transaction; a session bound to a connection whose
    outer transaction a second connection could not see)."""
    bind = session.get_bind()
    if durable and isinstance(bind, Engine) and bind.dialect.name == "postgresql":
        return Writer(session, bind, batch.info_class)
    return InPlace(session, batch.info_class, durable=durable)


class InPlace:
    """Each chunk written and committed (or flushed) on the caller's session, in turn."""

    def __init__(self, session: Session, info_class: str, *, durable: bool) -> None:
        self.session, self.info_class, self.durable = session, info_class, durable

    def __enter__(self) -> InPlace:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def put(self, chunk: Chunk) -> None:
        if is_postgres(self.session):
            raw = self.session.connection().connection.driver_connection
            _lock_class(raw, self.info_class)
            _write_pg(raw, chunk)
        else:
            _write_sqlite(self.session, chunk)
        _end_chunk(self.session, durable=self.durable)


class Writer:
    """A thread with its own connection that writes and commits the chunks it is given, in order.

    At most two chunks wait in the queue (bounded memory). The caller's session commits what it
    did for a chunk (new subjects) before handing the chunk over, so the writer's transaction
    sees them. An error in the thread is raised in the caller at the next `put` or at the end;
    an error in the caller stops the thread after the chunk it is writing.
    """

    _DONE = None

    def __init__(self, session: Session, engine: Engine, info_class: str) -> None:
        self.session, self.engine, self.info_class = session, engine, info_class
        self.queue: queue.Queue[Chunk | None] = queue.Queue(maxsize=2)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="collection-writer", daemon=True)
        self.connection: Any = None

    def __enter__(self) -> Writer:
        self.connection = self.engine.raw_connection()
        raw = self.connection.driver_connection
        raw.execute("SELECT pg_advisory_lock(hashtext(%s))", (self.info_class,))
        # the reference trigger keeps each statement's new rows (10k × ~1.2 KB) in a tuplestore:
        # in memory, not spilled to a temporary file (ADR 0009)
        raw.execute("SET work_mem = '64MB'")
        raw.commit()
        self.thread.start()
        return self

    def put(self, chunk: Chunk) -> None:
        self._raise()
        self.session.commit()  # new subjects must be visible to the writer's transaction
        while self.thread.is_alive():
            try:
                self.queue.put(chunk, timeout=0.5)
                return
            except queue.Full:
                continue
        self._raise()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if kind is not None:
            self.error = self.error or exc  # tells the thread to stop
        while self.thread.is_alive():
            try:
                self.queue.put(self._DONE, timeout=0.5)
                break
            except queue.Full:
                continue
        self.thread.join()
        self._release()
        if kind is None:
            self._raise()

    def _run(self) -> None:
        raw = self.connection.driver_connection
        try:
            while (chunk := self.queue.get()) is not self._DONE and self.error is None:
                _write_pg(raw, chunk)
                raw.commit()
        except BaseException as exc:  # handed to the caller
            raw.rollback()
            self.error = exc

    def _raise(self) -> None:
        if self.error is not None:
            raise self.error

    def _release(self) -> None:
        raw = self.connection.driver_connection
        try:
            raw.rollback()
            raw.execute("SELECT pg_advisory_unlock(hashtext(%s))", (self.info_class,))
            raw.execute("RESET work_mem")  # the connection goes back to the pool as it came
            raw.commit()
        finally:
            self.connection.close()


# ---- PostgreSQL -------------------------------------------------------------------------------


def _lock_class(raw: Any, info_class: str) -> None:
    """Serialise version numbering per info class across concurrent batches (transaction lock)."""
    raw.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (info_class,))


def _write_pg(raw: Any, chunk: Chunk) -> None:
    """One UPDATE, two COPYs and one INSERT, in the caller's transaction."""
    if chunk.superseded:
        raw.execute("UPDATE records SET is_current = false WHERE id = ANY(%s)", (chunk.superseded,))
    _copy_frame(raw, "records", chunk.records)
    _copy_rows(raw, "batch_rows", _ROW_COLUMNS, chunk.rejected)
    marks = ", ".join(["%s"] * len(_CHUNK_COLUMNS))
    raw.execute(
        f"INSERT INTO batch_chunks ({', '.join(_CHUNK_COLUMNS)}) VALUES ({marks})",  # noqa: S608
        chunk.chunk_row(),
    )


def _copy_frame(raw: Any, table: str, frame: pl.DataFrame) -> None:
    """COPY a frame as CSV: Polars writes it (empty string quoted, null as an empty field)."""
    if frame.height == 0:
        return
    sql = f"COPY {table} ({', '.join(frame.columns)}) FROM STDIN (FORMAT csv)"
    buffer = io.BytesIO()
    frame.write_csv(buffer, include_header=False)  # UTF-8 bytes straight from Polars
    with raw.cursor() as cursor, cursor.copy(sql) as copy:
        copy.write(buffer.getbuffer())


def _copy_rows(raw: Any, table: str, columns: Sequence[str], rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with raw.cursor() as cursor, cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row([_pg_value(row[c]) for c in columns])


def _pg_value(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value


# ---- SQLite -----------------------------------------------------------------------------------


def _write_sqlite(session: Session, chunk: Chunk) -> None:
    """Driver-level executemany in the chunk's transaction (no per-row ORM work)."""
    connection = session.connection()
    for clause in matching(session, Record.id, chunk.superseded):
        session.execute(update(Record).where(clause).values(is_current=False))
    _executemany(connection, "records", _RECORD_COLUMNS, _sqlite_rows(chunk.records))
    values = [tuple(_pg_value(r[c]) for c in _ROW_COLUMNS) for r in chunk.rejected]
    _executemany(connection, "batch_rows", _ROW_COLUMNS, values)
    _executemany(connection, "batch_chunks", _CHUNK_COLUMNS, [chunk.chunk_row()])


def _sqlite_rows(frame: pl.DataFrame) -> list[tuple[Any, ...]]:
    dates = [c for c, t in frame.schema.items() if t == pl.Date]
    return frame.with_columns(pl.col(dates).dt.to_string("%Y-%m-%d")).rows()


def _executemany(
    connection: Any, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]
) -> None:
    if not rows:
        return
    marks = ", ".join("?" for _ in columns)
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608
    connection.exec_driver_sql(sql, rows)
