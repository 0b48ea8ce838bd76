"""What the product stores for a record, for the bench loaders that COPY records: from a full
source row (field id → text, as collection receives it) the natural key and the column values
(`lean_record.LAYOUTS`; `data_overrides`), the lean `data` (`lean_record.lean` + `dumps`), the
content hash of the full row (`archive.canonical_json` + `hash_canonical`) and, per class, the
authorities' ids (`db.authorities`) — so a loaded archive is the archive collection writes, not
placeholders.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection

from xinyong import archive
from xinyong.db import authorities as db_authorities
from xinyong.db import lean_record

# Every record column a layout can fill from a source row, and whether the lean `data` names a
# field a column could give (`lean_record.overrides`): a loader COPYs them all (a column left out
# loses the field, which the lean `data` no longer holds).
COLUMNS = ("decision_number", "decision_date", "valid_from", "valid_until", "authority_name",
           "authority_uscc", "data_overrides")  # fmt: skip
COPY_COLUMNS = ", ".join(COLUMNS)
DATE_COLUMNS = frozenset({"decision_date", "valid_from", "valid_until"})


@dataclass(frozen=True, slots=True)
class Stored:
    natural_key: str
    columns: dict[str, Any]  # record column → value (dates as dates)
    lean: dict[str, Any]  # the lean `data`
    digest: str  # the content hash (hex)

    @property
    def data(self) -> str:
        """The lean `data` as stored text (for a COPY)."""
        return lean_record.dumps(self.lean)

    @property
    def content_hash_copy(self) -> str:
        """The hash in the text form of `bytea` that PostgreSQL's COPY reads."""
        return "\\x" + self.digest

    def values(self) -> tuple[Any, ...]:
        """The values of `COLUMNS`, in that order."""
        return tuple(self.columns.get(name) for name in COLUMNS)


def stored(info_class: str, row: dict[str, str]) -> Stored:
    """The stored form of one full source row of `info_class`."""
    lay = lean_record.layout(info_class)
    key = "|".join(row.get(field, "") for field in lay.key)
    columns: dict[str, Any] = {}
    for column, field in lay.columns:
        value = row.get(field)
        columns[column] = date.fromisoformat(value) if value and column in DATE_COLUMNS else value
    lean = lean_record.lean(info_class, key, columns, row)
    columns["data_overrides"] = lean_record.overrides(info_class, lean)
    return Stored(key, columns, lean, archive.hash_canonical(archive.canonical_json(row)))


def authority_ids(conn: Any, info_class: str, names: set[str]) -> dict[str, int]:
    """The authorities' ids of a class (added when new), on a psycopg connection or a
    SQLAlchemy one."""
    if isinstance(conn, Connection):
        return db_authorities.authority_ids(conn, info_class, names)
    return db_authorities.authority_ids_pg(conn, info_class, names)
