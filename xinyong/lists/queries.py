"""Queries over list entries: one entry and its history, entries in force, the portal view.

Entries in force are computed on the day asked about, from both sources: `list_entries` decided
here and the current `records` of list-entry info classes imported by collection.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.catalog import Catalog
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


def record_facts(record: Record, classes: dict[str, str | None]) -> EntryFacts:
    return validity.imported_facts(
        record.id,
        record.subject_id,
        classes.get(record.info_class),
        record.data,
        status=record.status,
        decision_number=record.decision_number,
        decision_date=record.decision_date,
        valid_until=record.valid_until,
        authority_name=record.authority_name,
    )


def get_entry(session: Session, entry_id: int) -> ListEntry:
    entry = session.get(ListEntry, entry_id)
    if entry is None:
        raise EntryNotFound(f"未找到编号为 {entry_id} 的名单认定")
    return entry


def entry_history(session: Session, entry_id: int) -> list[ListEntryStep]:
    stmt = select(ListEntryStep).where(ListEntryStep.entry_id == entry_id)
    return list(session.execute(stmt.order_by(ListEntryStep.id)).scalars())


def subject_facts(session: Session, subject_id: int, catalog: Catalog) -> list[EntryFacts]:
    """Every decided entry of a subject, from both sources, as validity facts (two queries)."""
    classes = list_entry_classes(catalog)
    entries = session.execute(
        select(ListEntry).where(
            ListEntry.subject_id == subject_id, ListEntry.decided_on.is_not(None)
        )
    ).scalars()
    records = session.execute(
        select(Record).where(
            Record.subject_id == subject_id,
            Record.is_current.is_(True),
            Record.info_class.in_(list(classes)),
        )
    ).scalars()
    return [facts_of(e) for e in entries] + [record_facts(r, classes) for r in records]


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
    platform = select(
        ListEntry.id, ListEntry.subject_id, ListEntry.list_type, ListEntry.decision_number,
        ListEntry.decided_on, ListEntry.published_on, ListEntry.valid_until, ListEntry.exited_on,
        ListEntry.deciding_authority, Subject.code, Subject.name, Subject.code_kind,
    ).join(Subject, Subject.id == ListEntry.subject_id)  # fmt: skip
    platform = platform.where(ListEntry.decided_on.is_not(None))
    for *f, code, name, kind in session.execute(platform):
        facts.append(EntryFacts("platform", *f))
        people[("platform", f[0])] = (f[1], code, name, kind)
    imported = select(
        Record.id, Record.subject_id, Record.info_class, Record.data, Record.status,
        Record.decision_number, Record.decision_date, Record.valid_until, Record.authority_name,
        Subject.code, Subject.name, Subject.code_kind,
    ).join(Subject, Subject.id == Record.subject_id).where(
        Record.is_current.is_(True), Record.info_class.in_(list(classes))
    )  # fmt: skip
    for rid, sid, ic, data, status, number, decided, until, authority, *who in session.execute(
        imported
    ):
        facts.append(validity.imported_facts(rid, sid, classes.get(ic), data, status=status,
                     decision_number=number, decision_date=decided, valid_until=until,
                     authority_name=authority))  # fmt: skip
        people[("imported", rid)] = (sid, who[0], who[1], who[2])
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
