"""Archive bulk writes: one chunk of new versions of a collection batch (`write_versions_pg`:
one UPDATE and one COPY; `write_versions_sqlite`: executemany), in the caller's transaction.
Collection prepares the chunk (`RECORD_COLUMNS`, content hashes and lean `data` built column-wise)
and audits the batch."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from xinyong.db.authorities import authority_ids, authority_ids_pg
from xinyong.db.lean_record import override_marks
from xinyong.db.partitions import partition_name
from xinyong.db.tables import Record

if TYPE_CHECKING:
    import polars as pl

_IN_CHUNK = 900  # stays under SQLite's bound-parameter limit
# The columns of a bulk chunk of new versions, in this order (collection's prepared frames).
RECORD_COLUMNS = (
    "subject_id", "info_class", "natural_key", "version", "is_current", "status",
    "decision_number", "decision_date", "valid_from", "valid_until", "authority_name",
    "authority_uscc", "provider_id", "batch_id", "source_row", "catalog_version", "content_hash",
    "data", "reason", "severity_class", "severity_basis",
)  # fmt: skip


# ---- bulk: one chunk of new versions (collection) ------------------------------------------------


_TAKE_IDS = """SELECT min(v), max(v), CASE WHEN max(v) - min(v) + 1 <> count(*)
                 THEN array_agg(v ORDER BY v) END
               FROM (SELECT nextval(%s::regclass) AS v FROM generate_series(1, %s)) AS taken"""


def write_versions_pg(
    raw: Any, records: pl.DataFrame, superseded: Sequence[int]
) -> tuple[int, int] | None:
    """PostgreSQL, on a driver (psycopg) connection in the caller's transaction: flip the
    superseded versions with one UPDATE and COPY the new ones (`RECORD_COLUMNS`, CSV from Polars).
    Returns the first and last id of the new versions (taken from the sequence before the COPY,
    so the chunk's outbox row can name them), or None when there are none.

    Content hashes come with the frame (`hash_canonical` of `canonical_json`'s text of the FULL
    row); `data` comes as the lean text (`lean_record.lean` + `dumps`: collection's frames build
    it column-wise, equal to that rule).

    The COPY goes straight into the class's partition when it has one (no per-row routing, and
    no statement trigger with a transition table of the whole chunk: docs/decisions/0012,
    addendum), after `check_references` has run the reference check the parent's trigger runs
    (`xinyong_records_check_refs`, ADR 0009) over the chunk's distinct subjects and providers.
    """
    import polars as pl  # noqa: PLC0415  (heavy: only the bulk path needs it)

    info_class = str(records["info_class"][0]) if records.height else None
    if superseded:  # a superseded version has its successor in this chunk: same class
        sql = "UPDATE records SET is_current = false WHERE id = ANY(%s) AND info_class = %s"
        raw.execute(sql, (list(superseded), info_class))  # one partition (ADR 0012)
    if records.height == 0 or info_class is None:
        return None
    target = _partition_of(raw, info_class)
    if target != "records":
        check_references(raw, records)
    records = stored_forms_pg(records, authority_ids_pg(raw, info_class, _names(records)))
    # the sequence named once: pg_get_serial_sequence() per row cost ~1.8 µs of server CPU a row
    sequence = raw.execute("SELECT pg_get_serial_sequence('records', 'id')").fetchone()[0]
    # the ids as a range (one row back, not one row an id); their list only when another
    # session's nextval fell between them
    first, last, scattered = raw.execute(_TAKE_IDS, (sequence, records.height)).fetchone()
    ids = (pl.Series(scattered, dtype=pl.Int64) if scattered is not None
           else pl.int_range(first, last + 1, dtype=pl.Int64, eager=True))  # fmt: skip
    records = records.with_columns(id=ids)
    sql = f"COPY {target} ({', '.join(records.columns)}) FROM STDIN (FORMAT csv)"
    buffer = io.BytesIO()
    records.write_csv(buffer, include_header=False)  # UTF-8 bytes straight from Polars
    with raw.cursor() as cursor, cursor.copy(sql) as copy:
        copy.write(buffer.getbuffer())
    return first, last


# ---- the stored forms of a chunk's values (issue 17, docs/decisions/0012 addendum 3) ------------


def _names(records: pl.DataFrame) -> list[str | None]:
    return records["authority_name"].unique().to_list()


def with_derived_columns(records: pl.DataFrame, ids: dict[str, int]) -> pl.DataFrame:
    """The chunk with `authority_id`: each record's authority's id (`db.authorities`), and
    `data_overrides`: whether its lean `data` text names a field a column could give
    (`lean_record.overrides`' rule over the text column; one class a chunk)."""
    import polars as pl  # noqa: PLC0415

    ident = pl.col("authority_name").replace_strict(ids, default=None, return_dtype=pl.Int32)
    marks = list(override_marks(str(records["info_class"][0])))
    named = pl.col("data").str.contains_any(marks) if marks else pl.lit(False)
    return records.with_columns(authority_id=ident, data_overrides=named.fill_null(False))


def stored_forms_pg(records: pl.DataFrame, ids: dict[str, int]) -> pl.DataFrame:
    """The chunk as PostgreSQL's COPY stores it: `authority_id` added, and `content_hash` (hex)
    in the text form of `bytea` (`\\x` and the hex: the column holds the digest's 32 bytes)."""
    import polars as pl  # noqa: PLC0415

    digest = pl.concat_str(pl.lit("\\x"), pl.col("content_hash"))
    return with_derived_columns(records, ids).with_columns(content_hash=digest)


# The reference rule of `records` (ADR 0009) is one database function, `xinyong_records_check_refs`:
# the statement trigger on the parent calls it with its transition table's distinct ids, the bulk
# writer with the chunk's (a COPY straight into a partition does not fire the parent's trigger).
CHECK_REFERENCES = "SELECT xinyong_records_check_refs(%s::bigint[], %s::bigint[])"


def check_references(raw: Any, records: pl.DataFrame) -> None:
    """Refuse a chunk naming a subject or provider that does not exist: the database's own check
    over the chunk's distinct ids, raising `ForeignKeyViolation` with the trigger's message."""
    subjects = records["subject_id"].unique().drop_nulls().to_list()
    providers = records["provider_id"].unique().drop_nulls().to_list()
    raw.execute(CHECK_REFERENCES, (subjects, providers))


def _partition_of(raw: Any, info_class: str) -> str:
    """The class's own partition of `records` (docs/decisions/0012), or `records` itself when
    the class has none (its rows go to the default partition) or `records` is one table."""
    name = partition_name(info_class)
    sql = """SELECT 1 FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
             WHERE i.inhparent = 'records'::regclass AND c.relname = %s"""
    return f'"{name}"' if raw.execute(sql, (name,)).fetchone() else "records"


def write_versions_sqlite(
    session: Session, records: pl.DataFrame, superseded: Sequence[int]
) -> tuple[int, int] | None:
    """SQLite: the same, with driver-level executemany in the session's transaction (one writer,
    so the rowids of the executemany are consecutive)."""
    import polars as pl  # noqa: PLC0415  (heavy: only the bulk path needs it)

    ids = list(superseded)
    for start in range(0, len(ids), _IN_CHUNK):
        chunk = ids[start : start + _IN_CHUNK]
        session.execute(update(Record).where(Record.id.in_(chunk)).values(is_current=False))
    if records.height == 0:
        return None
    info_class = str(records["info_class"][0])
    named = authority_ids(session.connection(), info_class, _names(records))
    records = with_derived_columns(records, named)
    dates = [c for c, t in records.schema.items() if t == pl.Date]
    rows = records.with_columns(pl.col(dates).dt.to_string("%Y-%m-%d")).rows()
    marks = ", ".join("?" for _ in records.columns)
    sql = f"INSERT INTO records ({', '.join(records.columns)}) VALUES ({marks})"  # noqa: S608
    connection = session.connection()
    connection.exec_driver_sql(sql, rows)
    last = int(connection.exec_driver_sql("SELECT last_insert_rowid()").scalar_one())
    return last - records.height + 1, last
