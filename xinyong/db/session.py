"""Engines and transactions. The surface owns the transaction; domain code only flushes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker


def make_engine(url: str, *, immediate: bool = False, **kwargs: Any) -> Engine:
    """SQLite: WAL, foreign keys, busy timeout. PostgreSQL: psycopg 3 without auto-prepare.

    `immediate` (SQLite): every transaction takes the write lock at BEGIN, so a transaction that
    reads and then writes never fails on a snapshot another connection of the same process wrote
    past (the background runner and its heartbeat thread, xinyong/runs/runner.py).

    Auto-prepare is off because a generic plan for `LIKE $1` cannot use the trigram index
    (../shared/TECH.md: 0.2 ms → 210 ms after ~10 calls).
    """
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"timeout": 30}, json_serializer=_json_dumps, **kwargs
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            # pysqlite would BEGIN lazily before the first write, so a SAVEPOINT taken earlier
            # became the outer transaction and its release committed. We emit BEGIN ourselves
            # (SQLAlchemy's documented pysqlite recipe), so transactions and savepoints nest.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(
        url, connect_args={"prepare_threshold": None}, json_serializer=_json_dumps, **kwargs
    )


def _json_dumps(value: Any) -> str:
    """JSON with real UTF-8 characters, so Chinese text in JSON columns stays searchable."""
    return json.dumps(value, ensure_ascii=False)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One transaction: commit on success, roll back on error. For CLI commands and jobs."""
    with factory() as session, session.begin():
        yield session


def is_postgres(session_or_engine: Session | Engine) -> bool:
    bind = (
        session_or_engine.get_bind()
        if isinstance(session_or_engine, Session)
        else session_or_engine
    )
    return bind.dialect.name == "postgresql"
