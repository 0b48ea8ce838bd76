"""The deciding authorities of `records`: one row per (information class, authority name) in
`record_authorities`, whose small id every record carries as `authority_id` (issue 17,
docs/decisions/0012 addendum 3).

The 双公示 listing reads its department choices from that table (a few hundred rows a class,
instead of a walk of an index over every record's name) and filters by authority through
`ix_records_authority_id (authority_id)`: integers where the index held names.

Every writer fills `authority_id` from `authority_name`:
- the bulk writers (`archive.write_versions_pg` / `write_versions_sqlite`) ask once per chunk for
  its distinct names (`authority_ids_pg` on the PostgreSQL writer's driver connection,
  `authority_ids` on a SQLAlchemy connection);
- a record added through the ORM (`archive.add_record`, `new_version`, test factories) gets its
  id in `fill_authority_ids`, run before every flush.
A name is added the first time a record of the class names it and never removed (records are
never deleted), so the choices are every name the class's records hold.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, event, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from xinyong.db.tables.archive import Record, RecordAuthority

_IN_CHUNK = 900  # SQLite's bound-parameter limit
_TABLE = RecordAuthority.__table__


def authority_ids(
    connection: Connection, info_class: str, names: Iterable[str | None]
) -> dict[str, int]:
    """The id of each name in the class, adding the names the class has not named before."""
    wanted = sorted({n for n in names if n})
    found = _known(connection, info_class, wanted)
    missing = [n for n in wanted if n not in found]
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    for start in range(0, len(missing), _IN_CHUNK):
        rows = [{"info_class": info_class, "name": n} for n in missing[start : start + _IN_CHUNK]]
        # a concurrent writer may add the same name first: its row stands (the unique key)
        connection.execute(dialect.insert(_TABLE).values(rows).on_conflict_do_nothing())
    found.update(_known(connection, info_class, missing))
    return found


def _known(connection: Connection, info_class: str, names: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for start in range(0, len(names), _IN_CHUNK):
        stmt = select(_TABLE.c.name, _TABLE.c.id).where(
            _TABLE.c.info_class == info_class, _TABLE.c.name.in_(names[start : start + _IN_CHUNK])
        )
        found.update((name, ident) for name, ident in connection.execute(stmt))
    return found


# The same on the PostgreSQL bulk writer's driver (psycopg) connection: one statement adds the
# names the class has not named yet (only those: a sequence value is not spent on a known one),
# one reads the ids.
_ADD_PG = """INSERT INTO record_authorities (info_class, name)
SELECT %(c)s::text, n FROM unnest(%(names)s::text[]) n
WHERE NOT EXISTS (SELECT 1 FROM record_authorities a
                  WHERE a.info_class = %(c)s::text AND a.name = n)
ON CONFLICT DO NOTHING"""
_IDS_PG = (
    "SELECT name, id FROM record_authorities WHERE info_class = %(c)s AND name = ANY(%(names)s)"
)


def authority_ids_pg(raw: Any, info_class: str, names: Iterable[str | None]) -> dict[str, int]:
    """`authority_ids` on a psycopg connection (the bulk writer's, in its transaction)."""
    wanted = sorted({n for n in names if n})
    if not wanted:
        return {}
    params = {"c": info_class, "names": wanted}
    raw.execute(_ADD_PG, params)
    return dict(raw.execute(_IDS_PG, params).fetchall())


@event.listens_for(Session, "before_flush")
def fill_authority_ids(session: Session, _context: Any, _instances: Any) -> None:
    """Before a flush: every new record naming an authority gets that authority's id."""
    pending: dict[str, list[Record]] = defaultdict(list)
    for obj in session.new:
        if isinstance(obj, Record) and obj.authority_name and obj.authority_id is None:
            pending[obj.info_class].append(obj)
    for info_class, records in pending.items():
        ids = authority_ids(session.connection(), info_class, (r.authority_name for r in records))
        for record in records:
            record.authority_id = ids[record.authority_name or ""]
