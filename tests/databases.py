"""A PostgreSQL database of a test's own, beside the per-worker one of tests/conftest.py: for data
that must be committed where the rolled-back test session cannot hold it (a fast path's own pool,
the CLI in a subprocess, a migration run on a database holding rows). A test that commits to the
worker's database instead deletes all it committed (`delete_committed`): tests run in any order
and other tests read whole tables (the exchange feed, the outbox still to deliver)."""

from __future__ import annotations

import os

from sqlalchemy import Engine, delete, select, text
from sqlalchemy.orm import Session

from xinyong.db.session import make_engine
from xinyong.db.tables import (
    Check,
    EvaluationPending,
    EvaluationResult,
    ListEntry,
    ListEntryStep,
    OutboxEntry,
    Provider,
    Record,
    Subject,
)


def of_this_worker(name: str) -> str:
    """`name` for this test process: pytest-xdist may split one module's tests over its workers,
    and two workers must never drop (WITH FORCE) each other's database mid-test."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    return name if name.endswith(f"_{worker}") or f"_{worker}_" in name else f"{name}_{worker}"


def empty_database(server_url: str, name: str) -> str:
    """The URL of an empty database `name` (of this test process: `of_this_worker`) on the server
    of `server_url` (one left by an earlier run is dropped first)."""
    name = of_this_worker(name)
    admin = make_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0"))
    admin.dispose()
    return admin.url.set(database=name).render_as_string(hide_password=False)


def drop_database(server_url: str, name: str) -> None:
    """Drop the database `empty_database(server_url, name)` made."""
    name = of_this_worker(name)
    admin = make_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def delete_committed(engine: Engine, subject_id: int, *provider_ids: int) -> None:
    """A committed subject with everything the checks, list procedures, archive writes and grading
    wrote about it (checks, list entries and steps, records, outbox changes, grades, pending
    marks), and the providers named."""
    entries = select(ListEntry.id).where(ListEntry.subject_id == subject_id)
    with Session(engine) as s, s.begin():
        s.execute(delete(Check).where(Check.subject_id == subject_id))
        s.execute(delete(ListEntryStep).where(ListEntryStep.entry_id.in_(entries)))
        s.execute(delete(ListEntry).where(ListEntry.subject_id == subject_id))
        s.execute(delete(Record).where(Record.subject_id == subject_id))
        s.execute(delete(OutboxEntry).where(OutboxEntry.subject_id == subject_id))
        s.execute(delete(EvaluationResult).where(EvaluationResult.subject_id == subject_id))
        s.execute(delete(EvaluationPending).where(EvaluationPending.subject_id == subject_id))
        s.execute(delete(Subject).where(Subject.id == subject_id))
        if provider_ids:
            s.execute(delete(Provider).where(Provider.id.in_(provider_ids)))
