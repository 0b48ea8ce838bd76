"""Partitions of `records` on PostgreSQL: one per information class, and a DEFAULT one.

docs/decisions/0012-records-partitions.md. The migration creates a partition for every class
shipped or stored; a catalog version that adds a class gets its partition when it is recorded
(`catalog.record_version` calls `ensure_record_partitions`). Until then, and for any class written
without one, rows land in `records_p_default`: correct, only not pruned apart. A class whose rows
are already in the default partition is left there (moving them is an operator's job: detach the
default partition, create the class's partition, move the rows, attach it again).
SQLite keeps one table: everything here is a no-op there.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, text

PREFIX = "records_p_"
DEFAULT = f"{PREFIX}default"


def partition_name(info_class: str) -> str:
    return f"{PREFIX}{info_class}"


def ensure_record_partitions(connection: Connection, info_classes: Iterable[str]) -> list[str]:
    """Create the partition of each class that has none yet and no rows in the default partition.
    Returns the classes it created a partition for (none on SQLite or an unpartitioned table)."""
    if connection.dialect.name != "postgresql" or not _partitioned(connection):
        return []
    created = []
    for info_class in sorted(set(info_classes)):
        name = partition_name(info_class)
        if connection.execute(text("SELECT to_regclass(:n)"), {"n": f'"{name}"'}).scalar():
            continue
        stray = text(f"SELECT 1 FROM {DEFAULT} WHERE info_class = :c LIMIT 1")  # noqa: S608
        if connection.execute(stray, {"c": info_class}).first() is not None:
            continue  # rows already in the default partition: see the module docstring
        literal = info_class.replace("'", "''")
        connection.execute(
            text(f"CREATE TABLE \"{name}\" PARTITION OF records FOR VALUES IN ('{literal}')")
        )
        created.append(info_class)
    return created


def _partitioned(connection: Connection) -> bool:
    kind = connection.execute(text("SELECT relkind FROM pg_class WHERE relname = 'records'"))
    return kind.scalar() == "p"
