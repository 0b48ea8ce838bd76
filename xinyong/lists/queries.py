"""Queries over list entries: one entry and its history, entries in force, the portal view.

Entries in force are computed on the day asked about, from both sources: `list_entries` decided
here and the current `records` of list-entry info classes imported by collection.

`facts_statement` is the one query of entry facts (both sources, one UNION ALL): the sync joint
check and the portal (`subject_facts`), `lists entries` and screening (`current_entries`) and the
joint check's PostgreSQL fast path (`measures.fast`, compiled once) all run it, and turn its rows
into `EntryFacts` with `facts_of_row`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    CompoundSelect,
    Date,
    String,
    any_,
    cast,
    literal,
    null,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from xinyong import auth
from xinyong.audit import Actor
from xinyong.catalog import Catalog
from xinyong.db import lean_record
from xinyong.db.tables import ListEntry, ListEntryStep, Record, Subject
from xinyong.errors import NotFound
from xinyong.lists import validity
from xinyong.lists.validity import EntryFacts, ListHit


class EntryNotFound(NotFound):
    code = "lists.entry_not_found"


@dataclass(frozen=True, slots=True)
class CurrentEntry:
    """An entry in force, with the subject it lists (for the entries list and screening)."""

    hit: ListHit
    subject_id: int
    subject_code: str
    subject_name: str
    subject_code_kind: str


def list_entry_classes(catalog: Catalog) -> dict[str, str | None]:
    """Info classes carrying imported list entries → their fixed list type (None: in the data)."""
    return {ic.id: ic.list_type for ic in catalog.info_classes.values() if ic.kind == "list_entry"}


def facts_of(entry: ListEntry) -> EntryFacts:
    return EntryFacts(
        source="platform",
        source_id=entry.id,
        subject_id=entry.subject_id,
        list_type=entry.list_type,
        decision_number=entry.decision_number,
        decided_on=entry.decided_on,
        published_on=entry.published_on,
        valid_until=entry.valid_until,
        exited_on=entry.exited_on,
        deciding_authority=entry.deciding_authority,
    )


def get_entry(session: Session, entry_id: int) -> ListEntry:
    entry = session.get(ListEntry, entry_id)
    if entry is None:
        raise EntryNotFound(f"未找到编号为 {entry_id} 的名单认定")
    return entry


def read_entry(session: Session, entry_id: int, *, actor: Actor) -> ListEntry:
    """One entry for an officer's page: the department holding it (proposing, then deciding), the
    credit office (administrators and its own officers) and auditors (ADR 0018 §3)."""
    entry = get_entry(session, entry_id)
    auth.require_department_reader(actor, entry.provider_id, what="名单认定")
    return entry


def entry_history(session: Session, entry_id: int) -> list[ListEntryStep]:
    stmt = select(ListEntryStep).where(ListEntryStep.entry_id == entry_id)
    return list(session.execute(stmt.order_by(ListEntryStep.id)).scalars())


FACT_COLUMNS = (
    "source", "source_id", "subject_id", "list_type", "decision_number", "decided_on",
    "published_on", "valid_until", "exited_on", "authority", "status", "data",
    # the rest of a record's stored row (lean_record.rebuild): its lean `data` needs them
    "natural_key", "valid_from", "authority_uscc",
)  # fmt: skip


def facts_statement(
    classes: list[str] | BindParameter[Any], subject_id: ColumnElement[Any] | None = None,
    *, platform_types: list[str] | None = None,
) -> CompoundSelect[Any]:  # fmt: skip
    """Every decided entry (of one subject, or of all) from both sources, as `FACT_COLUMNS`.

    `classes`: the list-entry info classes (`list_entry_classes`), a list or an array parameter
    (the fast path binds `= ANY(:classes)`). `subject_id`: a bind parameter, or the lateral
    subject column of the fast path's statement. `platform_types`: only the platform entries of
    these list types (a paged list of one list type; None: every type).
    """
    platform = select(
        literal("platform").label("source"), ListEntry.id.label("source_id"),
        ListEntry.subject_id, ListEntry.list_type, ListEntry.decision_number,
        ListEntry.decided_on, ListEntry.published_on, ListEntry.valid_until, ListEntry.exited_on,
        ListEntry.deciding_authority.label("authority"), literal("active").label("status"),
        cast(null(), Record.data.type).label("data"), cast(null(), String).label("natural_key"),
        cast(null(), Date).label("valid_from"), cast(null(), String).label("authority_uscc"),
    ).where(ListEntry.decided_on.is_not(None))  # fmt: skip
    in_classes = (
        Record.info_class == any_(classes)
        if isinstance(classes, BindParameter)
        else Record.info_class.in_(classes)
    )
    imported = select(
        literal("imported"), Record.id, Record.subject_id, Record.info_class,
        Record.decision_number, Record.decision_date, Record.decision_date, Record.valid_until,
        cast(null(), Date), Record.authority_name, Record.status, Record.data,
        Record.natural_key, Record.valid_from, Record.authority_uscc,
    ).where(Record.is_current.is_(True), in_classes)  # fmt: skip
    if platform_types is not None:
        platform = platform.where(ListEntry.list_type.in_(platform_types))
    if subject_id is not None:
        platform = platform.where(ListEntry.subject_id == subject_id)
        imported = imported.where(Record.subject_id == subject_id)
    return union_all(platform, imported)


def facts_of_row(row: Any, classes: dict[str, str | None]) -> EntryFacts | None:
    """One row of `facts_statement` (by column name) as the facts the validity rules read."""
    if row.source == "platform":
        return EntryFacts("platform", row.source_id, row.subject_id, row.list_type,
                          row.decision_number, row.decided_on, row.published_on, row.valid_until,
                          row.exited_on, row.authority)  # fmt: skip
    if row.list_type not in classes:  # a fast-path batch may span a catalog reload
        return None
    columns = {
        "decision_number": row.decision_number,
        "decision_date": row.decided_on,
        "valid_from": row.valid_from,
        "valid_until": row.valid_until,
        "authority_name": row.authority,
        "authority_uscc": row.authority_uscc,
    }
    source = lean_record.rebuild(row.list_type, row.natural_key, columns, row.data)
    return validity.imported_facts(
        row.source_id, row.subject_id, classes.get(row.list_type), source,
        status=row.status, decision_number=row.decision_number, decision_date=row.decided_on,
        valid_until=row.valid_until, authority_name=row.authority,
    )  # fmt: skip


def subject_facts(session: Session, subject_id: int, catalog: Catalog) -> list[EntryFacts]:
    """Every decided entry of a subject, from both sources, as validity facts (one query)."""
    classes = list_entry_classes(catalog)
    stmt = facts_statement(list(classes), literal(subject_id)).order_by("source", "source_id")
    rows = session.execute(stmt)
    return [f for row in rows if (f := facts_of_row(row, classes)) is not None]


def current_hits(
    session: Session, subject_id: int, *, catalog: Catalog, today: date
) -> list[ListHit]:
    return validity.hits(subject_facts(session, subject_id, catalog), catalog, today)


def public_entries(
    session: Session, subject_id: int, *, catalog: Catalog, today: date
) -> list[dict[str, Any]]:
    """For the portal (失信惩戒 / 守信激励 tabs): entries in force and published on `today`.

    Platform entries count from their publication day; imported entries are published by their
    deciding authority. Each item names the list type, decision number and date, the last day
    in force, the deciding authority and the legal basis.
    """
    facts = [
        f
        for f in subject_facts(session, subject_id, catalog)
        if f.published_on is not None and f.published_on <= today
    ]
    return [h.as_dict() for h in validity.hits(facts, catalog, today)]


def current_entries(
    session: Session,
    *,
    catalog: Catalog,
    today: date,
    list_type: str | None = None,
    published_only: bool = False,
) -> list[CurrentEntry]:
    """Every entry in force on `today` with its subject (CLI `lists entries`, screening index).

    Column selects joined to the subject (no ORM objects): 50k entries take well under a second.
    """
    classes = list_entry_classes(catalog)
    people: dict[tuple[str, int], tuple[int, str, str, str]] = {}
    facts: list[EntryFacts] = []
    f = facts_statement(list(classes)).subquery("f")
    stmt = select(f, Subject.code.label("subject_code"), Subject.name.label("subject_name"),
                  Subject.code_kind.label("subject_code_kind"))  # fmt: skip
    for row in session.execute(stmt.join(Subject, Subject.id == f.c.subject_id)):
        fact = facts_of_row(row, classes)
        if fact is not None:
            facts.append(fact)
            people[(fact.source, fact.source_id)] = (
                fact.subject_id,
                row.subject_code,
                row.subject_name,
                row.subject_code_kind,
            )
    if published_only:  # the portal: platform entries from their publication day
        facts = [f for f in facts if f.published_on is not None and f.published_on <= today]
    found = validity.hits(facts, catalog, today)
    if list_type is not None:
        found = [h for h in found if h.list_type == list_type]
    return [CurrentEntry(h, *people[(h.source, h.source_id)]) for h in found]


def in_progress(session: Session) -> list[ListEntry]:
    """Procedures not yet decided (for the admin page with their deadlines)."""
    stmt = select(ListEntry).where(ListEntry.decided_on.is_(None)).order_by(ListEntry.id)
    return list(session.execute(stmt).scalars())


def entries_of_type(session: Session, list_type: str | None = None) -> list[ListEntry]:
    stmt = select(ListEntry).order_by(ListEntry.id.desc())
    if list_type:
        stmt = stmt.where(ListEntry.list_type == list_type)
    return list(session.execute(stmt).scalars())
