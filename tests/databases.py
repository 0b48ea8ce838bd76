"""A PostgreSQL database of a test's own, beside the per-worker one of tests/conftest.py: for data
that must be committed where the rolled-back test session cannot hold it (a fast path's own pool,
the CLI in a subprocess, a migration run on a database holding rows)."""

from __future__ import annotations

from sqlalchemy import text

from xinyong.db.session import make_engine


def empty_database(server_url: str, name: str) -> str:
    """The URL of an empty database `name` on the server of `server_url` (one left by an earlier
    run is dropped first)."""
    admin = make_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0"))
    admin.dispose()
    return admin.url.set(database=name).render_as_string(hide_password=False)


def drop_database(server_url: str, name: str) -> None:
    admin = make_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
