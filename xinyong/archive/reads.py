"""Archive reads: a record, a subject's current records, a record's history, a class's current
records for the 双公示 listings, and the full source row of a lean record (`source_row`,
`source_field`: `data` without the fields the columns hold, db/lean_record.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    FromClause,
    Select,
    Text,
    and_,
    case,
    cast,
    column,
    false,
    func,
    null,
    or_,
    select,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session

from xinyong.archive.authorities import (
    authority_conditions,
    with_authority_id,
)
from xinyong.db import keyset
from xinyong.db.lean_record import ABSENT, layout, rebuild  # the stored format
from xinyong.db.tables import BatchChunk, Objection, OutboxEntry, Provider, Record
from xinyong.enums import ObjectionStatus, RecordStatus
from xinyong.errors import NotFound


class RecordNotFound(NotFound):
    code = "archive.record_not_found"


# ---- the lean record (the stored format: db/lean_record.py) -----------------------------------


def source_row(record: Record) -> dict[str, Any]:
    """The record's source row exactly as collected (field id → normalised value), for every
    reader of a record's fields: history, pages, listings, packages, reports, evaluation."""
    return rebuild(record.info_class, record.natural_key, record, record.data)


def source_field(
    field_id: str,
    info_classes: Iterable[str],
    stored: Callable[[str], ColumnElement[str | None]] | None = None,
) -> ColumnElement[str | None]:
    """A source-row field of records of these classes as text, in SQL, for readers that select
    fields in the database (whole-population runs): the stored `data`'s value, else the column
    the lean format moved it to (a field the row never had stays NULL). Agrees with
    `source_row(record)[field_id]` as text (dates as ISO text). `stored(key)`: the stored data's
    value at `key` as text (default `data ->> key`, asked only of rows whose stored text names the
    field — a LIKE instead of parsing `data` — and, for a field the class keeps in a column, only
    of rows whose `data_overrides` is set: the others read the column, no LIKE;
    `source_fields` parses `data` once)."""
    if stored is None:
        classes = list(info_classes)
        named = cast(Record.data, Text).contains(f'"{field_id}"')  # as key, or under ABSENT
        full = source_field(field_id, classes, lambda key: Record.data[key].as_string())
        exact = case((named, full), else_=_column_of(field_id, classes))
        by_column = sorted(c for cs in _columns_of(field_id, classes).values() for c in cs)
        if not by_column:
            return exact
        # a row whose `data` names no column field (`records.data_overrides`, nearly every
        # collected row) has the field in its column: no LIKE over `data` for it
        plain = and_(Record.info_class.in_(by_column), Record.data_overrides.is_(False))
        value: ColumnElement[str | None] = case((plain, _column_of(field_id, classes)), else_=exact)
        return value
    return _source_field(field_id, info_classes, stored)


def _column_of(field_id: str, info_classes: Iterable[str]) -> ColumnElement[str | None]:
    """The field as the columns the lean format moved it to hold it (NULL for none)."""
    whens = [
        (Record.info_class.in_(classes), cast(getattr(Record, column), Text))
        for column, classes in sorted(_columns_of(field_id, info_classes).items())
    ]
    value: ColumnElement[str | None] = case(*whens, else_=null()) if whens else cast(null(), Text)
    return value


def _columns_of(field_id: str, info_classes: Iterable[str]) -> dict[str, list[str]]:
    """column → the classes whose lean layout keeps `field_id` in it."""
    by_column: dict[str, list[str]] = {}
    for info_class in info_classes:
        lay = layout(info_class)
        column = next((c for c, f in (*lay.columns, *lay.alike) if f == field_id), None)
        if column is not None:
            by_column.setdefault(column, []).append(info_class)
    return by_column


def _source_field(
    field_id: str,
    info_classes: Iterable[str],
    stored: Callable[[str], ColumnElement[str | None]],
) -> ColumnElement[str | None]:
    if not _columns_of(field_id, info_classes):
        return stored(field_id)
    never_had = stored(ABSENT).contains(f'"{field_id}"')
    fallback = _column_of(field_id, info_classes)
    value: ColumnElement[str | None] = case(
        (never_had, null()), else_=func.coalesce(stored(field_id), fallback)
    )
    return value


def source_fields(
    field_ids: Sequence[str], info_classes: Iterable[str], dialect: str
) -> tuple[FromClause | None, dict[str, ColumnElement[str | None]]]:
    """Several source-row fields (`source_field` each). On PostgreSQL the stored `data` is parsed
    once per row (`json_to_record`, LATERAL) instead of once per field and operator: the FROM
    item to join to `records` (None elsewhere) and each field's expression."""
    classes = list(info_classes)
    if dialect != "postgresql":
        return None, {f: source_field(f, classes) for f in field_ids}
    keys = sorted({*field_ids, ABSENT})
    parse = "jsonb_to_record" if isinstance(Record.data.type, JSONB) else "json_to_record"
    parsed = (
        getattr(func, parse)(Record.data)
        .table_valued(*(column(k, Text) for k in keys))
        .render_derived(name="stored", with_types=True)
        .lateral()
    )
    fields = {f: source_field(f, classes, lambda key: parsed.c[key]) for f in field_ids}
    return parsed, fields


# ---- queries ----------------------------------------------------------------------------------


def get(session: Session, record_id: int) -> Record:
    record = session.get(Record, record_id)
    if record is None:
        raise RecordNotFound(f"未找到编号为 {record_id} 的信用记录")
    return record


def current_records(
    session: Session, subject_id: int, info_classes: Iterable[str] | None = None
) -> list[Record]:
    """The current version of every record of a subject, newest decision first."""
    stmt = select(Record).where(Record.subject_id == subject_id, Record.is_current.is_(True))
    if info_classes is not None:
        stmt = stmt.where(Record.info_class.in_(list(info_classes)))
    stmt = stmt.order_by(Record.decision_date.desc(), Record.id.desc())
    return list(session.execute(stmt).scalars())


def history(session: Session, info_class: str, natural_key: str) -> list[Record]:
    """Every version of one record, oldest first."""
    stmt = (
        select(Record)
        .where(Record.info_class == info_class, Record.natural_key == natural_key)
        .order_by(Record.version)
    )
    return list(session.execute(stmt).scalars())


def open_objection_record_ids(session: Session, record_ids: Iterable[int]) -> set[int]:
    """Which of these records have an objection being handled (shown as 异议处理中)."""
    ids = list(record_ids)
    if not ids:
        return set()
    stmt = select(Objection.record_id).where(
        Objection.record_id.in_(ids), Objection.status == ObjectionStatus.OPEN
    )
    return set(session.execute(stmt).scalars())


BATCH_TARGET = "batch"  # outbox rows of collection chunks name their batch (outbox.append_chunk)


def of_batch(session: Session, batch_id: int) -> ColumnElement[bool]:
    """The records a collection batch wrote, as a condition that reads only them: `batch_id`
    within the id range of the batch's committed chunks (the outbox row the collection writer
    adds in each chunk's transaction holds its first and last id), so the primary key's index is
    walked over the batch's ids instead of scanning the whole archive for `batch_id` (no index
    holds it: a 1M-row batch into a 10M-record archive read 11M rows to find its subjects).
    A batch whose chunks wrote nothing: false. Records given a batch id any other way (no outbox
    row, no chunk): the plain condition."""
    stmt = select(OutboxEntry.payload).where(
        OutboxEntry.target_type == BATCH_TARGET, OutboxEntry.target_id == batch_id
    )
    ranges = [(int(p["first_id"]), int(p["last_id"])) for p in session.execute(stmt).scalars()
              if isinstance(p, dict) and "first_id" in p]  # fmt: skip
    if ranges:
        low, high = min(a for a, _ in ranges), max(b for _, b in ranges)
        return and_(Record.id.between(low, high), Record.batch_id == batch_id)
    chunks = select(func.count(), func.coalesce(func.sum(BatchChunk.new + BatchChunk.updated), 0))
    found, written = session.execute(chunks.where(BatchChunk.batch_id == batch_id)).one()
    if found and not written:
        return false()
    return Record.batch_id == batch_id


# ---- queries for the derived views (disclosure, portal listings) -------------------------------


def histories(session: Session, records: Iterable[Record]) -> dict[tuple[str, str], list[Record]]:
    """Every version of each given record, oldest first, keyed by (info_class, natural_key)."""
    keys = {(r.info_class, r.natural_key) for r in records}
    out: dict[tuple[str, str], list[Record]] = {key: [] for key in keys}
    by_class: dict[str, list[str]] = {}
    for info_class, natural_key in keys:
        by_class.setdefault(info_class, []).append(natural_key)
    for info_class, natural_keys in by_class.items():
        stmt = (
            select(Record)
            .where(Record.info_class == info_class, Record.natural_key.in_(natural_keys))
            .order_by(Record.version)
        )
        for version in session.execute(stmt).scalars():
            out[(version.info_class, version.natural_key)].append(version)
    return out


@dataclass(frozen=True, slots=True)
class ClassFilter:
    """Filters of a 双公示 listing: one class, optionally one authority and a decision-date range.

    The other fields are necessary conditions the caller derives from the disclosure rules
    (`disclosure.listing_cutoffs`), so that SQL drops every record no rule could show today:
    decided in `[decided_since, decided_until]`; a record with an explicit severity decided on or
    after that severity's date in `severity_since` (a severity not named there is never shown);
    `valid_on`: still valid that day by `valid_until` (not the `long_term_sentinel`), or without
    such an end date and decided on or after `undated_since`.
    `severity_shown` (issue 17, `disclosure.severity_plan`): a record whose stored
    `severity_basis` is one of `severity_known` passes only when its decision date lies in the
    ranges of its basis's group — exact, so SQL pages it; any other record is left to the rules.
    """

    info_class: str
    authority_name: str | None = None
    authority_id: int | None = None  # the name's id, when looked up (`with_authority_id`)
    date_from: date | None = None
    date_to: date | None = None
    decided_since: date | None = None
    decided_until: date | None = None
    severity_since: tuple[tuple[str, date], ...] | None = None
    valid_on: date | None = None
    long_term_sentinel: date | None = None
    undated_since: date | None = None
    severity_shown: tuple[tuple[tuple[str, ...], tuple[tuple[date, date], ...]], ...] | None = None
    severity_known: tuple[str, ...] = ()


def _of_class(where: ClassFilter) -> Select[Record]:
    """Current, active versions of one class that `where` lets through (unordered)."""
    return select(Record).where(*class_conditions(where))


def class_conditions(
    where: ClassFilter, *, severity: Literal["any", "decided", "undecided"] = "any"
) -> list[ColumnElement[bool]]:
    """The conditions of `where` on a record. `severity` splits a class with a severity plan:
    "decided" keeps the records SQL decides exactly (a current `severity_basis`, shown by its
    group's ranges), "undecided" those only the rules can decide (no basis or a stale one)."""
    conds: list[ColumnElement[bool]] = [
        Record.info_class == where.info_class,
        Record.is_current.is_(True),
        Record.status == RecordStatus.ACTIVE.value,
    ]
    if where.authority_name:  # by its id: ix_records_authority_id (issue 17)
        conds += authority_conditions(where)
    if where.date_from:
        conds.append(Record.decision_date >= where.date_from)
    if where.date_to:
        conds.append(Record.decision_date <= where.date_to)
    if where.decided_since:
        conds.append(Record.decision_date >= where.decided_since)
    if where.decided_until:
        conds.append(Record.decision_date <= where.decided_until)
    if where.severity_since is not None:
        conds.append(or_(Record.severity.is_(None), *(
            and_(Record.severity == severity, Record.decision_date >= since)
            for severity, since in where.severity_since)))  # fmt: skip
    if where.valid_on:
        no_end: ColumnElement[bool] = Record.valid_until.is_(None)
        ends: ColumnElement[bool] = Record.valid_until >= where.valid_on
        if where.long_term_sentinel is not None:
            no_end = or_(no_end, Record.valid_until == where.long_term_sentinel)
            ends = and_(ends, Record.valid_until != where.long_term_sentinel)
        if where.undated_since is not None:
            no_end = and_(no_end, Record.decision_date >= where.undated_since)
        conds.append(or_(ends, no_end))
    if where.severity_shown is not None:
        basis = Record.severity_basis
        stale = or_(basis.is_(None), basis.not_in(where.severity_known))
        decided = or_(*(
            and_(basis.in_(group), or_(*(Record.decision_date.between(a, b) for a, b in days)))
            for group, days in where.severity_shown))  # fmt: skip
        conds.append({"any": or_(stale, decided), "decided": decided, "undecided": stale}[severity])
    elif severity == "decided":
        conds.append(false())  # without a plan SQL decides nothing exactly
    return conds


def class_span(where: ClassFilter) -> list[ColumnElement[bool]]:
    """The part of `class_conditions(where)` the subject index `(subject_id, is_current,
    decision_date, id)` holds — the class (its partition), current, the decision-date bounds —:
    every record `class_conditions` lets through, and others; a count bounded by index entries
    walks these and decides the rest row by row (`subject_windows.tally_of_subject`)."""
    conds: list[ColumnElement[bool]] = [Record.info_class == where.info_class,
                                        Record.is_current.is_(True)]  # fmt: skip
    conds += [Record.decision_date >= d for d in (where.date_from, where.decided_since) if d]
    conds += [Record.decision_date <= d for d in (where.date_to, where.decided_until) if d]
    return conds


def current_of_class(
    session: Session, where: ClassFilter, *, after: tuple[date, int] | None = None,
    before: tuple[date, int] | None = None, limit: int,
) -> list[Record]:  # fmt: skip
    """A window of the listing: current, active versions of one class, newest decision first,
    `limit` after the keyset `after` (costs its own rows), or just before `before` nearest first."""
    of_class = _of_class(with_authority_id(session, where))
    if before is not None:
        stmt = of_class.where(beyond_keyset(before, newer=True))
        stmt = stmt.order_by(Record.decision_date, Record.id)
    else:
        stmt = of_class.order_by(Record.decision_date.desc(), Record.id.desc())
        stmt = stmt if after is None else stmt.where(beyond_keyset(after))
    return list(session.execute(stmt.limit(limit)).scalars())


NEWEST_FIRST = keyset.Order.of(  # the listing's and the subject pages' order (NULLs kept out)
    keyset.Column(Record.decision_date, descending=True, nulls_last=False),
    keyset.Column(Record.id, descending=True, nulls_last=False),
)
OLDEST_FIRST = keyset.Order.of(
    keyset.Column(Record.decision_date, nulls_last=False),
    keyset.Column(Record.id, nulls_last=False),
)


def beyond_keyset(key: tuple[date, int], *, newer: bool = False) -> ColumnElement[bool]:
    """The rows past a (decision_date, id) keyset: older (newest-first order), or `newer`
    (`db.keyset`, the one keyset helper)."""
    return (OLDEST_FIRST if newer else NEWEST_FIRST).beyond(key)


def provider_kinds(session: Session, provider_ids: Iterable[int | None]) -> dict[int, str | None]:
    ids = {i for i in provider_ids if i is not None}
    if not ids:
        return {}
    stmt = select(Provider.id, Provider.kind).where(Provider.id.in_(ids))
    return {row[0]: row[1] for row in session.execute(stmt)}
