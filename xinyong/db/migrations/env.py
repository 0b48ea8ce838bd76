"""Alembic environment: one history for SQLite (batch mode) and PostgreSQL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from xinyong.db import tables  # noqa: F401  (registers every table)
from xinyong.db.base import Base
from xinyong.db.session import make_engine

config = context.config
target_metadata = Base.metadata

# Search objects created by raw DDL in the disclosure search migration (pg_trgm / bigram GIN
# expression indexes on PostgreSQL, the FTS5 table and its shadow tables on SQLite) are not in the
# metadata; autogenerate must neither drop nor compare them.
SEARCH_PREFIXES = ("ix_search_", "subjects_fts")


def _include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    return not (reflected and name is not None and name.startswith(SEARCH_PREFIXES))


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=_include_object,
    )


def run_migrations_online() -> None:
    url = config.get_main_option("sqlalchemy.url")
    assert url
    connectable = config.attributes.get("connection")
    if connectable is not None:
        _configure(connectable)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(url)
    with engine.connect() as connection:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations_online()
