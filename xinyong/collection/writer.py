"""Writer: where prepared chunks go, and how each is written and committed.

Records are written by archive (`archive.write_versions_pg` / `write_versions_sqlite`); this
module adds the batch's own rows and decides where and when each chunk commits.
PostgreSQL: `COPY … (FORMAT csv)` of a CSV that Polars writes. A durable import writes from a
thread on its own connection (`Writer`), so PostgreSQL stores chunk n while this process validates
and links chunk n + 1 on the other core; that connection holds the class's advisory lock for the
whole batch, which serialises version numbering across concurrent batches of one class.
SQLite (one writer anyway), a caller that owns the transaction (the demo loader) and a session
bound to a connection: the chunk is written in place (`InPlace`, driver `executemany` on SQLite).
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import threading
import time
from collections.abc import Sequence
from types import TracebackType
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from xinyong import archive, outbox
from xinyong.collection import readers
from xinyong.collection.phases import WRITER_THREAD, Phases
from xinyong.collection.store import CHUNK_COLUMNS, ROW_COLUMNS, Chunk, end_chunk
from xinyong.db.session import is_postgres
from xinyong.db.tables import Batch

QUEUED = readers.BLOCK // readers.CHUNK + 1  # chunks waiting for the writer thread at most


def for_batch(
    session: Session, batch: Batch, *, durable: bool, phases: Phases | None = None
) -> InPlace | Writer:
    """Where chunks go: a writer thread (PostgreSQL, durable, the session on an engine) or the
    caller's session (SQLite; the demo's single transaction; a session bound to a connection whose
    outer transaction a second connection could not see)."""
    bind, phases = session.get_bind(), phases or Phases()
    if durable and isinstance(bind, Engine) and bind.dialect.name == "postgresql":
        return Writer(session, bind, batch.info_class, phases)
    return InPlace(session, batch.info_class, durable=durable, phases=phases)


class InPlace:
    """Each chunk written and committed (or flushed) on the caller's session, in turn."""

    def __init__(self, session: Session, info_class: str, *, durable: bool, phases: Phases) -> None:
        self.session, self.info_class, self.durable = session, info_class, durable
        self.phases = phases

    def __enter__(self) -> InPlace:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def put(self, chunk: Chunk) -> None:
        with self.phases.time("write in place"):
            if is_postgres(self.session):
                raw = self.session.connection().connection.driver_connection
                _lock_class(raw, self.info_class)
                _write_pg(raw, chunk)
            else:
                _write_sqlite(self.session, chunk)
            _test_pause(chunk)
            end_chunk(self.session, durable=self.durable)


class Writer:
    """A thread with its own connection that writes and commits the chunks it is given, in order.

    Up to a block's worth of chunks (+ 1) wait in the queue: the caller validates a whole block
    (`readers.BLOCK`, 5 chunks) before it links and classifies its first chunk, so a shorter queue
    would leave the writer idle while each block is validated; a full queue is the backpressure
    that bounds memory (≈ 15 MB a chunk). The caller's session commits what it
    did for a chunk (new subjects) before handing the chunk over, so the writer's transaction
    sees them. An error in the thread is raised in the caller at the next `put` or at the end;
    an error in the caller stops the thread after the chunk it is writing.
    """

    _DONE = None

    def __init__(self, session: Session, engine: Engine, info_class: str, phases: Phases) -> None:
        self.session, self.engine, self.info_class = session, engine, info_class
        self.phases = phases
        self.queue: queue.Queue[Chunk | None] = queue.Queue(maxsize=QUEUED)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name=WRITER_THREAD, daemon=True)
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
        with self.phases.time("commit subjects"):
            self.session.commit()  # new subjects must be visible to the writer's transaction
        with self.phases.time("hand over"):  # waiting for room: the writer is the bottleneck
            while self.thread.is_alive():
                try:
                    self.queue.put(chunk, timeout=0.5)
                    return
                except queue.Full:
                    continue
        self._raise()
        raise RuntimeError("归集写入线程已意外停止")  # never silently drop a chunk

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
            with self.phases.server(raw):
                while (chunk := self._next()) is not self._DONE and self.error is None:
                    _write_pg(raw, chunk, self.phases)
                    _test_pause(chunk)
                    with self.phases.time("commit"):
                        raw.commit()
        except BaseException as exc:  # handed to the caller
            self.error = exc
            with contextlib.suppress(Exception):  # the connection may be what failed
                raw.rollback()

    def _next(self) -> Chunk | None:
        with self.phases.time("idle"):  # waiting for a chunk: the pipeline is the bottleneck
            return self.queue.get()

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


# Test-only hook (tests/collection/test_exchange_kill.py): once this many rows have been written
# by the process, stop inside the chunk's open transaction — after the rows are written, before
# the commit — and wait there to be killed; the marker file says the moment has come.
PAUSE_AFTER_ROWS, PAUSE_MARKER = "XINYONG_TEST_PAUSE_AFTER_ROWS", "XINYONG_TEST_PAUSE_MARKER"
_written = [0]


def _test_pause(chunk: Chunk) -> None:
    limit = os.environ.get(PAUSE_AFTER_ROWS)
    if not limit:
        return
    _written[0] += chunk.records.height
    if _written[0] >= int(limit):
        if marker := os.environ.get(PAUSE_MARKER):
            with open(marker, "w", encoding="utf-8") as handle:
                handle.write(f"{chunk.batch_id} {_written[0]}")
        time.sleep(600)


def record_outbox(connection: Any, chunk: Chunk, ids: tuple[int, int], *, postgres: bool) -> None:
    """The hook of record writing into the outbox: one row for the chunk's new versions, in the
    chunk's transaction (docs/decisions/0011-outbox.md)."""
    outbox.append_chunk(
        connection,
        postgres=postgres,
        batch_id=chunk.batch_id,
        provider_id=chunk.provider_id,
        info_class=str(chunk.records["info_class"][0]),
        rows=(chunk.first_row, chunk.last_row),
        ids=ids,
        count=chunk.records.height,
        occurred_on=chunk.received_on,
    )


# ---- PostgreSQL -------------------------------------------------------------------------------


def _lock_class(raw: Any, info_class: str) -> None:
    """Serialise version numbering per info class across concurrent batches (transaction lock)."""
    raw.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (info_class,))


def _write_pg(raw: Any, chunk: Chunk, phases: Phases | None = None) -> None:
    """The records through archive (one UPDATE, one COPY), the chunk's outbox row naming their
    ids, then the batch's own rows (one COPY, one INSERT), in the caller's transaction."""
    phases = phases or Phases()
    with phases.time("records"):
        ids = archive.write_versions_pg(raw, chunk.records, chunk.superseded)
    with phases.time("batch rows"):
        if ids is not None:
            record_outbox(raw, chunk, ids, postgres=True)
        _copy_rows(raw, "batch_rows", ROW_COLUMNS, chunk.rejected)
        marks = ", ".join(["%s"] * len(CHUNK_COLUMNS))
        raw.execute(
            f"INSERT INTO batch_chunks ({', '.join(CHUNK_COLUMNS)}) VALUES ({marks})",  # noqa: S608
            chunk.chunk_row(),
        )


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
    """Records through archive, then the batch's rows: driver-level executemany in the chunk's
    transaction (no per-row ORM work)."""
    connection = session.connection()
    ids = archive.write_versions_sqlite(session, chunk.records, chunk.superseded)
    if ids is not None:
        record_outbox(connection, chunk, ids, postgres=False)
    values = [tuple(_pg_value(r[c]) for c in ROW_COLUMNS) for r in chunk.rejected]
    _executemany(connection, "batch_rows", ROW_COLUMNS, values)
    _executemany(connection, "batch_chunks", CHUNK_COLUMNS, [chunk.chunk_row()])


def _executemany(
    connection: Any, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]
) -> None:
    if not rows:
        return
    marks = ", ".join("?" for _ in columns)
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608
    connection.exec_driver_sql(sql, rows)
