"""The fact table of whole runs, set-based: the same facts as `facts.gather`, built with a few
statements and column expressions instead of an object per record (docs/decisions/0010).

One row per subject and fact (`FACT_SCHEMA`, `scoring.Fact` column by column). Records: one
column select of a chunk's records (`record_table`), the disclosure window asked of `disclosure`
once per distinct combination of what it reads; list entries and workflow facts through the
shared builders of `facts.py`. Nothing here decides a rule of its own.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date
from typing import Any

import polars as pl
from sqlalchemy import ColumnElement, and_, case, literal, null, select
from sqlalchemy.orm import Session

from xinyong import archive
from xinyong.catalog import Catalog
from xinyong.db.tables import Commitment, Record, VoluntaryRegistration
from xinyong.enums import RecordStatus, RegistrationStatus
from xinyong.evaluation.facts import (
    NUMERIC,
    commitment_facts,
    hit_fact,
    registration_fact,
    scored_classes,
)
from xinyong.evaluation.reading import read_batches, read_frame
from xinyong.evaluation.record_reads import Reads, needed, reads_of
from xinyong.evaluation.record_windows import Window, stored_data, window
from xinyong.evaluation.scoring import Fact
from xinyong.lists import ListHit

BATCH_ROWS = 1_000_000  # record rows per frame of a whole run's one pass (≈ 100,000 subjects)

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


def everyone() -> SubjectFilter:
    """Every subject (a whole run's one pass)."""
    return lambda column: column.is_not(None)


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
    return pl.concat([records, other_facts(session, where, hits)])


def other_facts(
    session: Session, where: SubjectFilter, hits: Mapping[int, list[ListHit]]
) -> pl.DataFrame:
    """The facts besides records of the subjects `where` selects: list entries in force (`hits`)
    and the workflows' (commitments, verified voluntary registrations)."""
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
    return fact_frame(others)


RAW_SCHEMA: dict[str, Any] = {
    "id": pl.Int64,
    "subject_id": pl.Int64,
    "info_class": pl.Utf8,
    "status": pl.Utf8,
    "decision_date": pl.Date,
    "severity": pl.Utf8,
    "severity_basis": pl.Int32,  # its place in `Reads.bases`: NULL unless the catalog gives it
    "provider_id": pl.Int64,
}
LABELS: dict[str, Any] = {"decision_number": pl.Utf8}  # read for fact rows' labels only


# Per distinct window key of a frame's records (`record_rows`): its index and the fact's columns.
PROFILE_SCHEMA: dict[str, Any] = {"w": pl.UInt32} | {
    c: FACT_SCHEMA[c] for c in ("keys", "on", "until", "status", "severity", "published")
}


def record_table(
    session: Session,
    where: SubjectFilter,
    *,
    catalog: Catalog,
    today: date,
    memo: dict[tuple[Any, ...], Window] | None = None,
) -> pl.DataFrame:
    """Record facts of the subjects `where` selects, as a frame (`record_fact`, set-based)."""
    stmt, schema = record_select(session, where, catalog)
    raw = read_frame(session, stmt, schema)
    return record_facts(session, raw, catalog=catalog, today=today, memo=memo)


def record_batches(
    session: Session, where: SubjectFilter, *, catalog: Catalog, rows: int | None = None
) -> Iterator[pl.DataFrame]:
    """The raw record rows `record_rows` reads (no labels), in frames of about `rows` rows,
    from one statement: one pass over `records` for a whole run (a chunk by subject range
    would visit every heap page again: a subject's records are spread over the table)."""
    stmt, schema = record_select(session, where, catalog, labels=False)
    yield from read_batches(session, stmt, schema, rows or BATCH_ROWS)


def record_select(
    session: Session, where: SubjectFilter, catalog: Catalog, *, labels: bool = True
) -> tuple[Any, dict[str, Any]]:
    """The column select of the records a run reads (current, scored classes, not withdrawn):
    the columns (`RAW_SCHEMA`; `labels`: the decision number too, `LABELS`), and the data
    fields the windows and numbers read (`archive.source_field`, as `j_<field>`), with its frame
    schema. The stored severity basis comes as its place in `Reads.bases` (a few bytes instead
    of ≈ 35 a row; NULL for a basis the loaded catalog does not give). A field is read only of
    the rows that need it (`Reads.terms`): of the classes whose numbers or window read it — a
    record whose severity is stored under a basis the loaded catalog gives has its window read
    without `severity_of`'s inputs, one with a decision date without the rule's start field
    (`disclosure.window_fields(classified=…, dated=…)`) — so PostgreSQL parses `data` only for
    what is left."""
    reads = reads_of(catalog)
    classes = list(reads.classes)
    known = and_(Record.severity_basis.is_not(None), Record.severity_basis.in_(reads.bases))
    dated = Record.decision_date.is_not(None)
    basis = case(
        *((Record.severity_basis == b, literal(i)) for i, b in enumerate(reads.bases)),
        else_=null(),
    ).label("severity_basis")
    fields = []
    for f in reads.fields:
        wanted = needed(reads.terms(f, numbers=True), Record.info_class.in_, known, dated)
        value = archive.source_field(f, classes)
        fields.append(case((wanted, value), else_=null()).label(f"j_{f}"))
    schema = RAW_SCHEMA | (LABELS if labels else {})
    columns = [basis if c == "severity_basis" else getattr(Record, c) for c in schema]
    stmt = select(*columns, *fields).where(
        where(Record.subject_id),
        Record.is_current.is_(True),
        Record.info_class.in_(classes),
        Record.status != RecordStatus.WITHDRAWN.value,
    )
    return stmt, schema | {f"j_{f}": pl.Utf8 for f in reads.fields}


def record_facts(
    session: Session,
    raw: pl.DataFrame,
    *,
    catalog: Catalog,
    today: date,
    memo: dict[tuple[Any, ...], Window] | None = None,
) -> pl.DataFrame:
    """Record facts from raw record rows (`record_select`), as fact table rows: `record_rows`,
    each row given its key's fact columns, its numbers and label."""
    if raw.is_empty():
        return pl.DataFrame(schema=FACT_SCHEMA)
    rows, profiles = record_rows(session, raw, catalog=catalog, today=today, memo=memo)
    classes = scored_classes(catalog)
    titles = {c.id: c.title for c in classes.values()}
    rows = rows.drop("status", "severity").join(profiles.drop("keys"), on="w", how="left")
    return rows.select(
        pl.col("subject_id"),
        pl.concat_list(pl.lit("info_class:") + pl.col("info_class")).alias("keys"),
        (pl.lit("record:") + pl.col("id").cast(pl.Utf8)).alias("ref"),
        pl.col("on"),
        pl.col("until"),
        pl.col("status"),
        pl.col("severity"),
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


def record_rows(
    session: Session,
    raw: pl.DataFrame,
    *,
    catalog: Catalog,
    today: date,
    memo: dict[tuple[Any, ...], Window] | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Raw record rows (`record_select`) grouped by what decides their facts but the amounts:
    the rows (their columns, `w`: their window key's index, `n:<field>`: their numbers) and
    the profiles (per distinct window key: `w` and the fact's keys, on, until, status, severity,
    published). The disclosure window is asked of `disclosure` once per distinct combination
    of what it reads (`disclosure.window_fields`, status, decision date, explicit severity,
    provider kind), with one of those records' data; `memo` keeps the answers across a run's
    frames. A run tallies the rows from the profiles (`plan.record_partial`)."""
    reads = reads_of(catalog)
    if raw.is_empty():
        profiles = pl.DataFrame(schema=PROFILE_SCHEMA)
        return raw.with_columns(
            pl.lit(None, pl.UInt32).alias("w"), *_number_columns(reads)
        ), profiles
    providers = archive.provider_kinds(session, raw["provider_id"].drop_nulls().unique())
    known = pl.col("severity_basis").is_not_null()  # a basis the loaded catalog gives
    raw = raw.with_columns(
        provider_kind=pl.col("provider_id").replace_strict(
            providers, default=None, return_dtype=pl.Utf8
        ),
        **{"w:basis": pl.when(known).then(pl.col("severity_basis"))},
    )
    dated = pl.col("decision_date").is_not_null()
    read = []
    for field_id in sorted(reads.window):
        if field_id not in reads.numeric:  # `record_select` read it only where the window does
            read.append(pl.col(f"j_{field_id}").alias(f"w:{field_id}"))
            continue
        when = needed(reads.terms(field_id, numbers=False), pl.col("info_class").is_in, known,
                       dated)  # fmt: skip
        read.append(pl.when(when).then(pl.col(f"j_{field_id}")).alias(f"w:{field_id}"))
    raw = raw.with_columns(read)
    key = ["info_class", "status", "decision_date", "severity", "provider_kind", "w:basis"]
    key += [f"w:{f}" for f in sorted(reads.window)]
    kept = ["id"]
    live = [k for k in key if raw[k].null_count() < raw.height]  # a column all NULL: no part
    distinct = raw.select(*live, *kept).unique(subset=live, keep="any")
    memo = {} if memo is None else memo  # a run's chunks share it
    names, found = distinct.columns, distinct.rows()
    at = [names.index(k) if k in live else None for k in key]
    inputs = [tuple(None if i is None else v[i] for i in at) for v in found]
    missing = [(i, v) for i, v in zip(inputs, found, strict=True) if i not in memo]
    rid = names.index("id")
    stored = stored_data(session, [v[rid] for _i, v in missing])  # one record per input
    for i, v in missing:
        data, columns = stored[v[rid]]
        memo[i] = window(dict(zip(names, v, strict=True)) | columns, data, catalog, today)
    windows = [memo[i] for i in inputs]
    distinct = distinct.select(live).with_row_index("w")
    profiles = distinct.select(
        pl.col("w"),
        pl.concat_list(pl.lit("info_class:") + pl.col("info_class")).alias("keys"),
        _column(distinct, "decision_date", pl.Date).alias("on"),
        pl.Series("until", [w[0] for w in windows], dtype=pl.Date),
        _column(distinct, "status", pl.Utf8),
        pl.Series("severity", [w[1] for w in windows], dtype=pl.Utf8),
        pl.Series("published", [w[2] for w in windows], dtype=pl.Boolean),
    )
    rows = raw.join(distinct, on=live, how="left", nulls_equal=True)
    return rows.with_columns(_number_columns(reads)), profiles


def _column(frame: pl.DataFrame, name: str, dtype: Any) -> pl.Expr:
    return pl.col(name) if name in frame.columns else pl.lit(None, dtype=dtype).alias(name)


def _number_columns(reads: Reads) -> list[pl.Expr]:
    """`n:<field>`: a row's value of each numeric field, where its class has that field
    (`Fact.numbers`, what `plan.record_partial` adds up)."""
    return [
        pl.when(pl.col("info_class").is_in(owners))
        .then(pl.col(f"j_{field_id}").cast(pl.Float64, strict=False))
        .alias(f"n:{field_id}")
        for field_id, owners in sorted(reads.numeric.items())
    ]


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
