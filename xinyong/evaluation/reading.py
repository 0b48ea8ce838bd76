"""Column selects read as Polars frames: COPY … TO STDOUT on PostgreSQL (spooled to temporary
files, a frame at a time), rows on SQLite. The whole-population evaluation reads its records so
(`fact_table.record_batches`); on PostgreSQL the COPY can run on a second connection that shares
the caller's snapshot, so that the server produces rows while the caller works on the frames
already read (docs/dev/scale.md, "Evaluation"). The COPY's rows are taken a block at a time
straight from libpq (`_copy_rows`): psycopg's `Copy` iteration costs a generator and a wait per
row, ≈ 0.4 µs a row under the GIL, the same thread-time as the rest of the read."""

from __future__ import annotations

import queue
import select
import tempfile
import threading
from collections.abc import Callable, Generator, Iterable, Iterator
from contextlib import ExitStack, closing
from typing import IO, Any

import polars as pl
from sqlalchemy import text
from sqlalchemy.orm import Session


def read_frame(session: Session, stmt: Any, schema: dict[str, Any]) -> pl.DataFrame:
    """A column select as a Polars frame: COPY … TO STDOUT on PostgreSQL, rows on SQLite."""
    frames = list(read_batches(session, stmt, schema, rows=None))
    return frames[0] if frames else pl.DataFrame(schema=schema)


def read_batches(
    session: Session, stmt: Any, schema: dict[str, Any], rows: int | None
) -> Iterator[pl.DataFrame]:
    """A column select as Polars frames of about `rows` rows each (None: one frame), from one
    statement — one pass over the tables whatever the number of frames: COPY … TO STDOUT on
    PostgreSQL (each COPY message is one row, so a frame ends at a row; rows are written a
    block of `BLOCK` at a time), rows on SQLite. Frames
    wait in temporary files, so memory holds one frame. The caller may run statements on the
    session between frames: on PostgreSQL, when its transaction has written nothing yet, the
    COPY runs on a second connection that shares its snapshot (`pg_export_snapshot`) while the
    caller works on the frames already read (the server's CPU overlaps the client's);
    otherwise the statement is read to its end before the first frame is yielded."""
    if session.get_bind().dialect.name != "postgresql":
        found = session.execute(stmt).all()  # read to its end first, as on PostgreSQL
        step = rows or max(1, len(found))
        for start in range(0, len(found), step):
            yield pl.DataFrame(found[start : start + step], schema=schema, orient="row")
        return
    sql = stmt.compile(dialect=session.get_bind().dialect, compile_kwargs={"literal_binds": True})
    copy = f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)"
    with ExitStack() as files:
        if rows is not None and _unwritten(session):
            parts: Iterable[IO[bytes]] = files.enter_context(
                closing(_beside(session, copy, rows, files))
            )
        else:
            driver = session.connection().connection.driver_connection
            parts = list(_copy_parts(driver, copy, rows, files.enter_context))
        for part in parts:
            part.seek(0)
            yield pl.read_csv(
                part, has_header=False, new_columns=list(schema), schema=schema, quote_char='"'
            )


BLOCK = 10_000  # COPY rows joined into one write (a Python call per row costs more than the row)


def _copy_parts(
    driver: Any, copy: str, rows: int | None, new: Callable[[Any], IO[bytes]]
) -> Iterator[IO[bytes]]:
    """The COPY's rows in temporary files of `rows` rows (None: one file), each yielded full."""
    pgconn = driver.pgconn
    with driver.cursor().copy(copy):  # starts the COPY (its errors raised as psycopg's)
        ended = False
        while not ended:
            part, count = new(tempfile.TemporaryFile()), 0  # noqa: SIM115 (caller closes)
            while not ended and (rows is None or count < rows):
                wanted = BLOCK if rows is None else min(BLOCK, rows - count)
                block = _copy_rows(pgconn, wanted, driver.info.encoding)
                part.write(b"".join(block))
                count += len(block)
                ended = len(block) < wanted
            if count:
                yield part


def _copy_rows(pgconn: Any, wanted: int, encoding: str) -> list[bytes]:
    """Up to `wanted` rows of the COPY in progress (fewer: it ended, its result checked). The
    libpq calls psycopg's `Copy.read` makes, without its per-row generator and wait (≈ 0.4 µs
    a row, on the reader's thread and under the GIL): each row one message; waiting for the
    socket releases the GIL."""
    out: list[bytes] = []
    get, add = pgconn.get_copy_data, out.append
    while len(out) < wanted:
        size, data = get(1)  # non-blocking
        if size > 0:
            add(bytes(data))
        elif size == 0:  # nothing buffered: wait for the socket
            _readable(pgconn)
        else:  # the COPY ended: its result says whether it succeeded
            _copy_end(pgconn, encoding)
            break
    return out


def _readable(pgconn: Any) -> None:
    poll = select.poll()
    poll.register(pgconn.socket, select.POLLIN)
    poll.poll()
    pgconn.consume_input()


def _copy_end(pgconn: Any, encoding: str) -> None:
    """The COPY's closing results (COMMAND_OK, or the error that ended it)."""
    from psycopg import errors, pq  # noqa: PLC0415  (PostgreSQL only)

    while pgconn.is_busy():
        _readable(pgconn)
    failed = None
    while (result := pgconn.get_result()) is not None:
        if result.status != pq.ExecStatus.COMMAND_OK and failed is None:
            failed = result
    if failed is not None:
        raise errors.error_from_result(failed, encoding=encoding)


def _unwritten(session: Session) -> bool:
    """Whether the session's transaction has written nothing yet (another transaction on its
    snapshot then sees exactly what it sees)."""
    return bool(session.execute(text("SELECT txid_current_if_assigned() IS NULL")).scalar_one())


def _beside(
    session: Session, copy: str, rows: int, files: ExitStack
) -> Generator[IO[bytes], None, None]:
    """The COPY on a second connection, on the session's snapshot, in a thread: each file of
    `rows` rows yielded as soon as it is full."""
    snapshot = session.execute(text("SELECT pg_export_snapshot()")).scalar_one()
    raw = files.enter_context(closing(session.get_bind().engine.raw_connection()))
    driver = raw.driver_connection
    assert driver is not None
    driver.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
    driver.execute(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
    done: queue.Queue[IO[bytes] | BaseException | None] = queue.Queue()

    def read() -> None:
        try:
            for part in _copy_parts(driver, copy, rows, files.enter_context):
                done.put(part)
            done.put(None)
        except BaseException as error:  # handed to the consumer
            done.put(error)

    reader = threading.Thread(target=read, name="records-copy", daemon=True)
    reader.start()
    try:
        while (item := done.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        reader.join()
