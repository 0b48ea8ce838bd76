"""Alembic environment: one history for SQLite (batch mode) and PostgreSQL."""

from __future__ import annotations

import functools

from alembic import context
from sqlalchemy import Connection, ForeignKeyConstraint

from xinyong.db import partitions, tables
from xinyong.db.base import Base
from xinyong.db.session import make_engine

tables.register_all()  # every table on the metadata (table modules load on first use)
config = context.config
target_metadata = Base.metadata

# Search objects created by raw DDL in the disclosure search migration (pg_trgm / bigram GIN
# expression indexes on PostgreSQL, the FTS5 table and its shadow tables on SQLite) are not in the
# metadata; autogenerate must neither drop nor compare them.
SEARCH_PREFIXES = ("ix_search_", "subjects_fts")


# records on PostgreSQL (docs/decisions/0012-records-partitions.md): its partitions are tables the
# metadata does not name (created by the migration and `xinyong.db.partitions`), and the foreign
# keys to records.id are row triggers there (a foreign key cannot name a partitioned table's id).


def _include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object, *, pg: bool
) -> bool:
    if reflected and name is not None and name.startswith(SEARCH_PREFIXES):
        return False
    if pg and reflected and type_ == "table" and name and name.startswith(partitions.PREFIX):
        return False
    return not (
        pg and isinstance(obj, ForeignKeyConstraint) and obj.referred_table.name == "records"
    )


def _configure(connection: Connection) -> None:
    pg = connection.dialect.name == "postgresql"
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=functools.partial(_include_object, pg=pg),
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
