"""The fact table of whole runs, set-based: the same facts as `facts.gather`, built with a few
statements and column expressions instead of an object per record (docs/decisions/0010).

One row per subject and fact (`FACT_SCHEMA`, `scoring.Fact` column by column). Records: one
column select of a chunk's records (`record_table`), the disclosure window asked of `disclosure`
once per distinct combination of what it reads; list entries and workflow facts through the
shared builders of `facts.py`. Nothing here decides a rule of its own.
"""

from __future__ import annotations

import io
import json
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

import polars as pl
from sqlalchemy import ColumnElement, Text, cast, select
from sqlalchemy.orm import Session

from xinyong import archive, disclosure
from xinyong.catalog import Catalog
from xinyong.db import lean_record
from xinyong.db.tables import Commitment, Record, VoluntaryRegistration
from xinyong.enums import RecordStatus, RegistrationStatus, Severity
from xinyong.evaluation.facts import (
    NUMERIC,
    commitment_facts,
    hit_fact,
    registration_fact,
    scored_classes,
)
from xinyong.evaluation.scoring import Fact
from xinyong.lists import ListHit

# The plan's fact table: one row per subject and fact (`Fact`, column by column).
FACT_SCHEMA: dict[str, Any] = {
    "subject_id": pl.Int64,
    "keys": pl.List(pl.Utf8),
    "ref": pl.Utf8,
    "on": pl.Date,
    "until": pl.Date,
    "status": pl.Utf8,
    "severity": pl.Utf8,
    "published": pl.Boolean,
    "numbers": pl.Utf8,  # JSON [[name, value], ...]
    "label": pl.Utf8,
}

SubjectFilter = Callable[[Any], ColumnElement[bool]]  # subject_id column → condition


def of_subjects(ids: Sequence[int]) -> SubjectFilter:
    return lambda column: column.in_(list(ids))


def in_range(low: int, high: int) -> SubjectFilter:
    """Subjects with low ≤ id < high (a run's chunk)."""
    return lambda column: (column >= low) & (column < high)


def fact_frame(facts: Mapping[int, Sequence[Fact]]) -> pl.DataFrame:
    """Facts built in Python (list hits, workflows, tests) as rows of the fact table."""
    rows = [
        {
            "subject_id": sid,
            "keys": sorted(f.keys),
            "ref": f.ref,
            "on": f.on,
            "until": f.until,
            "status": f.status,
            "severity": f.severity,
            "published": f.published,
            "numbers": json.dumps([list(n) for n in f.numbers]),
            "label": f.label,
        }
        for sid, items in facts.items()
        for f in items
    ]
    return pl.DataFrame(rows, schema=FACT_SCHEMA)


def table(
    session: Session,
    where: SubjectFilter,
    *,
    catalog: Catalog,
    today: date,
    hits: Mapping[int, list[ListHit]],
    memo: dict[tuple[Any, ...], Window] | None = None,
) -> pl.DataFrame:
    """The fact table of the subjects `where` selects: the same facts as `gather`, built with a
    few statements and column expressions instead of an object per record. `hits`: the list
    entries in force by subject (`all_hits` for whole runs; a subject's `lists.current_hits`)."""
    records = record_table(session, where, catalog=catalog, today=today, memo=memo)
    others: dict[int, list[Fact]] = defaultdict(list)
    for sid, found in hits.items():
        others[sid] += [hit_fact(h) for h in found]
    for c in session.execute(
        select(Commitment).where(where(Commitment.subject_id)).order_by(Commitment.id)
    ).scalars():
        others[c.subject_id] += commitment_facts(c)
    for r in session.execute(
        select(VoluntaryRegistration)
        .where(
            where(VoluntaryRegistration.subject_id),
            VoluntaryRegistration.status == RegistrationStatus.VERIFIED.value,
        )
        .order_by(VoluntaryRegistration.id)
    ).scalars():
        others[r.subject_id].append(registration_fact(r))
    return pl.concat([records, fact_frame(others)])


RAW_SCHEMA: dict[str, Any] = {
    "id": pl.Int64,
    "subject_id": pl.Int64,
    "info_class": pl.Utf8,
    "status": pl.Utf8,
    "decision_date": pl.Date,
    "severity": pl.Utf8,
    "decision_number": pl.Utf8,
    "provider_id": pl.Int64,
    "data": pl.Utf8,
    "valid_from": pl.Date,
    "valid_until": pl.Date,
}
# What `_window` rebuilds a record's source row from besides its lean data: the columns the lean
# format moves the window's fields to (dates), not the authority (no window reads it).
WINDOW_COLUMNS = ("decision_number", "decision_date", "valid_from", "valid_until")


def read_frame(session: Session, stmt: Any, schema: dict[str, Any]) -> pl.DataFrame:
    """A column select as a Polars frame: COPY … TO STDOUT on PostgreSQL, rows on SQLite."""
    if session.get_bind().dialect.name != "postgresql":
        return pl.DataFrame(session.execute(stmt).all(), schema=schema, orient="row")
    sql = stmt.compile(dialect=session.get_bind().dialect, compile_kwargs={"literal_binds": True})
    driver = session.connection().connection.driver_connection
    buffer = io.BytesIO()
    with driver.cursor().copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)") as copy:  # type: ignore[union-attr]
        for chunk in copy:
            buffer.write(chunk)
    if not buffer.tell():
        return pl.DataFrame(schema=schema)
    buffer.seek(0)
    return pl.read_csv(
        buffer, has_header=False, new_columns=list(schema), schema=schema, quote_char='"'
    )


Window = tuple[date | None, str | None, bool]  # (until, severity, published) of a record fact


def record_table(
    session: Session,
    where: SubjectFilter,
    *,
    catalog: Catalog,
    today: date,
    memo: dict[tuple[Any, ...], Window] | None = None,
) -> pl.DataFrame:
    """Record facts as a frame (`record_fact`, set-based). The disclosure window is asked of
    `disclosure` once per distinct combination of what it reads (`disclosure.window_fields`,
    status, decision date, explicit severity, provider kind), with one of those records' data."""
    classes = scored_classes(catalog)
    readers: dict[str, list[str]] = defaultdict(list)  # field → classes whose window reads it
    for c in classes.values():
        for field_id in disclosure.window_fields(c, catalog):
            readers[field_id].append(c.id)
    numeric = {f.id for c in classes.values() for f in c.fields if f.type in NUMERIC}
    projected = sorted(set(readers) | numeric)  # read by the database's JSON operators
    stmt = select(
        Record.id,
        Record.subject_id,
        Record.info_class,
        Record.status,
        Record.decision_date,
        Record.severity,
        Record.decision_number,
        Record.provider_id,
        cast(Record.data, Text).label("data"),
        Record.valid_from,
        Record.valid_until,
        *(archive.source_field(f, classes).label(f"j_{f}") for f in projected),
    ).where(
        where(Record.subject_id),
        Record.is_current.is_(True),
        Record.info_class.in_(list(classes)),
        Record.status != RecordStatus.WITHDRAWN.value,
    )
    raw = read_frame(session, stmt, RAW_SCHEMA | {f"j_{f}": pl.Utf8 for f in projected})
    if raw.is_empty():
        return pl.DataFrame(schema=FACT_SCHEMA)
    providers = archive.provider_kinds(session, raw["provider_id"].drop_nulls().unique())
    raw = raw.with_columns(
        provider_kind=pl.col("provider_id").replace_strict(
            providers, default=None, return_dtype=pl.Utf8
        )
    )
    read = [
        pl.when(pl.col("info_class").is_in(owners))
        .then(pl.col(f"j_{field_id}"))
        .alias(f"w:{field_id}")
        for field_id, owners in sorted(readers.items())
    ]
    raw = raw.with_columns(read)
    key = ["info_class", "status", "decision_date", "severity", "provider_kind"]
    key += [f"w:{f}" for f in sorted(readers)]
    kept = ["data", "decision_number", "valid_from", "valid_until"]
    distinct = raw.group_by(key).agg(pl.col(c).first() for c in kept)
    memo = {} if memo is None else memo  # a run's chunks share it
    windows = []
    for values in distinct.iter_rows():
        found = memo.get(values[: len(key)])
        if found is None:
            found = memo[values[: len(key)]] = _window(
                dict(zip(distinct.columns, values, strict=True)), catalog, today
            )
        windows.append(found)
    distinct = distinct.drop(kept).with_columns(
        pl.Series("until", [w[0] for w in windows], dtype=pl.Date),
        pl.Series("window_severity", [w[1] for w in windows], dtype=pl.Utf8),
        pl.Series("published", [w[2] for w in windows], dtype=pl.Boolean),
    )
    raw = raw.join(distinct, on=key, how="left", nulls_equal=True)
    titles = {c.id: c.title for c in classes.values()}
    return raw.select(
        pl.col("subject_id"),
        pl.concat_list(pl.lit("info_class:") + pl.col("info_class")).alias("keys"),
        (pl.lit("record:") + pl.col("id").cast(pl.Utf8)).alias("ref"),
        pl.col("decision_date").alias("on"),
        pl.col("until"),
        pl.col("status"),
        pl.col("window_severity").alias("severity"),
        pl.col("published"),
        _numbers(classes.values()).alias("numbers"),
        pl.concat_str(
            pl.col("info_class").replace_strict(titles, return_dtype=pl.Utf8),
            pl.lit(" "),
            pl.col("decision_number").fill_null(""),
        )
        .str.strip_chars()
        .alias("label"),
    )


def _window(row: dict[str, Any], catalog: Catalog, today: date) -> Window:
    facts = disclosure.RecordFacts(
        info_class=row["info_class"],
        status=RecordStatus(row["status"]),
        decision_date=row["decision_date"],
        data=lean_record.rebuild(
            row["info_class"], None, {c: row[c] for c in WINDOW_COLUMNS}, json.loads(row["data"])
        ),
        severity=Severity(row["severity"]) if row["severity"] else None,
        provider_kind=row["provider_kind"],
        objection_open=False,  # only marks the window (异议处理中); never changes its dates
    )
    w = disclosure.disclosure_window(facts, catalog=catalog, today=today)
    ends = w.disclosure_ends
    severity = w.severity.severity.value if w.severity else None
    return ends, severity, w.shown or (ends is not None and ends < today)


def _numbers(classes: Any) -> pl.Expr:
    """`Fact.numbers` as the fact table's JSON text, per class: its numeric fields in order."""
    expr: Any = pl
    for c in classes:
        pieces = []
        for f in c.fields:
            if f.type not in NUMERIC:
                continue
            value = pl.col(f"j_{f.id}").cast(pl.Float64, strict=False)
            text = pl.concat_str(pl.lit(f'["{f.id}", '), value.cast(pl.Utf8), pl.lit("]"))
            pieces.append(pl.when(value.is_not_null()).then(text))
        if not pieces:
            continue
        joined = pl.concat_str(pieces, separator=", ", ignore_nulls=True)
        expr = expr.when(pl.col("info_class") == c.id).then(pl.lit("[") + joined + pl.lit("]"))
    return pl.lit("[]") if expr is pl else expr.otherwise(pl.lit("[]"))
