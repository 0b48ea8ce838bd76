"""A database of a test's own, beside the per-worker one of tests/conftest.py: for data that must
be committed where the rolled-back test session cannot hold it (a fast path's own pool, the CLI in a
subprocess, a migration run on a database holding rows). `migrated_database` copies a template
migrated once per test session and worker (PostgreSQL `CREATE DATABASE … TEMPLATE`, a SQLite file
copy): a fraction of a second where a migration takes seconds; `empty_database` is for a test that
migrates from an old revision itself. A test that commits to the worker's database instead deletes
all it committed (`delete_committed`; its audit rows: `delete_audit_after`, run after every test by
tests/conftest.py): tests run in a random order and other tests read whole tables (the exchange
feed, the outbox still to deliver, the audit chain)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from contextlib import closing
from pathlib import Path

from sqlalchemy import Engine, delete, func, select, text
from sqlalchemy.orm import Session

from xinyong.db import migrate
from xinyong.db.session import make_engine
from xinyong.db.tables import (
    AuditEntry,
    Check,
    EvaluationPending,
    EvaluationResult,
    JobRun,
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
    return _on_server(
        server_url,
        f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
        f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0",
        database=name,
    )


def _on_server(server_url: str, *statements: str, database: str | None = None) -> str:
    """Run `statements` outside any transaction (CREATE / DROP / ALTER DATABASE) on the server of
    `server_url`; the URL of its `database` (None: the server's own)."""
    admin = make_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for statement in statements:
            conn.execute(text(statement))
    admin.dispose()
    url = admin.url if database is None else admin.url.set(database=database)
    return url.render_as_string(hide_password=False)


_templates: dict[str, str] = {}  # server URL (or "sqlite") → this process's migrated template


def _template(database_url: str) -> str:
    """This process's template at head: a database (PostgreSQL) or a file (SQLite) migrated once
    per test session and worker, then only copied — never connected to by a test."""
    kind = "sqlite" if database_url.startswith("sqlite") else database_url
    if kind in _templates:
        return _templates[kind]
    if kind == "sqlite":
        folder = Path(tempfile.mkdtemp(prefix="xinyong-template-"))
        template = str(folder / "template.db")
        migrate.upgrade(f"sqlite:///{template}")
    else:
        template = of_this_worker("xinyong_template")
        migrate.upgrade(empty_database(database_url, template))
        # a copy needs the template without sessions
        _on_server(database_url, f'ALTER DATABASE "{template}" WITH ALLOW_CONNECTIONS false')
    _templates[kind] = template
    return template


def migrated_database(database_url: str, name: str, folder: Path | None = None) -> str:
    """The URL of a database `name` of its own at the head migration, of the kind of
    `database_url`: on PostgreSQL a copy (`CREATE DATABASE … TEMPLATE`) of this process's template
    on that server (one left by an earlier run is dropped first), on SQLite a copy of the template
    file as `folder/name.db`. Migrating costs seconds; a copy, a fraction of one."""
    template = _template(database_url)
    if database_url.startswith("sqlite"):
        assert folder is not None, "a SQLite database is a file: name its folder"
        target = folder / f"{name}.db"
        with closing(sqlite3.connect(template)) as src, closing(sqlite3.connect(target)) as dst:
            src.backup(dst)
        return f"sqlite:///{target}"
    name = of_this_worker(name)
    return _on_server(
        database_url,
        f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
        f'CREATE DATABASE "{name}" TEMPLATE "{template}"',
        database=name,
    )


def drop_templates() -> None:
    """Drop this process's templates (the end of its test session)."""
    for kind, template in _templates.items():
        if kind == "sqlite":
            shutil.rmtree(Path(template).parent, ignore_errors=True)
        else:
            drop_database(kind, template)
    _templates.clear()


def drop_database(server_url: str, name: str) -> None:
    """Drop the database `empty_database(server_url, name)` made."""
    _on_server(server_url, f'DROP DATABASE IF EXISTS "{of_this_worker(name)}" WITH (FORCE)')


def delete_runs(engine: Engine, ids: list[int]) -> None:
    """The background runs a test committed."""
    with Session(engine) as s, s.begin():
        s.execute(delete(JobRun).where(JobRun.id.in_(ids)))


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


def audit_tail(engine: Engine) -> int:
    """The id of the last audit row committed to `engine`'s database (0: none)."""
    with engine.connect() as conn:
        return int(conn.execute(select(func.coalesce(func.max(AuditEntry.id), 0))).scalar_one())


def delete_audit_after(engine: Engine, last_id: int) -> None:
    """Delete the audit rows committed after `last_id` (`audit_tail` when a test began): the rows
    a committing test appended to the chain. They are its tail — one test at a time writes to a
    worker's database — so the chain left links exactly as before the test (`verify_chain`)."""
    if audit_tail(engine) == last_id:
        return  # nothing committed: no write (and no SQLite write lock) for a rolled-back test
    with Session(engine) as s, s.begin():
        s.execute(delete(AuditEntry).where(AuditEntry.id > last_id))
