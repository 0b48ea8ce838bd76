"""What the portal shows of the lists: public list types, entries in force, publicity, objections.

A list type is shown only when its catalog entry says `public: true`. Entries decided here count
from their publication day. Entries in publicity (拟列入公示: list types whose procedure has a
publicity step) are shown until the last day of the period, and anyone may object within it;
the objection is a step of the entry, answered by the officer as the statement step.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong import identifiers
from xinyong.audit import Actor, AuditAction
from xinyong.catalog import Catalog, ListType
from xinyong.db import keyset
from xinyong.db.tables import ListEntry, ListEntryStep, Subject
from xinyong.enums import ListStep
from xinyong.errors import InvalidInput, NotFound
from xinyong.lists import history
from xinyong.lists.errors import StatementPeriodOver, StepOutOfOrder
from xinyong.lists.paging import EntriesPage, EntryQuery, entries_page
from xinyong.lists.queries import CurrentEntry, current_entries, get_entry
from xinyong.lists.steps import Stage, notice_step

MAX_OBJECTION = 2000


class ListNotPublic(NotFound):
    code = "lists.not_public"


def public_types(catalog: Catalog) -> list[ListType]:
    return [lt for lt in catalog.list_types.values() if lt.public]


def public_type(catalog: Catalog, list_type: str) -> ListType:
    lt = catalog.list_types.get(list_type)
    if lt is None or not lt.public:
        raise ListNotPublic(f"没有可公开查询的名单“{list_type}”")
    return lt


def shown_code(entry: CurrentEntry) -> str:
    """ID numbers are masked on every public surface."""
    if entry.subject_code_kind == "id_number":
        return identifiers.mask_code(entry.subject_code)
    return entry.subject_code


def public_row(e: CurrentEntry) -> dict[str, Any]:
    """An entry in force as a public list shows it (the ID number masked)."""
    return {
        "subject_name": e.subject_name,
        "subject_code": shown_code(e),
        "is_person": e.subject_code_kind == "id_number",
        **e.hit.as_dict(),
    }


def public_listing(
    session: Session, list_type: str, *, catalog: Catalog, today: date, q: str = ""
) -> list[dict[str, Any]]:
    """Entries of a public list type in force and published on `today`, filtered by name/code,
    newest decision first — every one (a page reads `public_page`)."""
    lt = public_type(catalog, list_type)
    wanted = q.strip()
    rows = [
        public_row(e)
        for e in current_entries(
            session, catalog=catalog, today=today, list_type=lt.id, published_only=True
        )
        if not wanted or wanted in e.subject_name or wanted == e.subject_code
    ]
    return sorted(rows, key=lambda r: r["decided_on"] or date.min, reverse=True)


def public_query(list_type: str, q: str = "") -> EntryQuery:
    """What a public list page asks `lists.paging` for: one list, published entries, the code
    matched exactly, newest decision first (the order of `public_listing`)."""
    return EntryQuery(list_type=list_type, q=q, code_any_case=False, published_only=True,
                      newest_first=True)  # fmt: skip


def public_page(
    session: Session, list_type: str, *, catalog: Catalog, today: date, q: str = "",
    after: keyset.Key | None = None, before: keyset.Key | None = None, page: int = 1,
) -> tuple[list[dict[str, Any]], EntriesPage]:  # fmt: skip
    """One page of a public list, read in the query (`lists.paging.entries_page`)."""
    lt = public_type(catalog, list_type)
    found = entries_page(session, catalog=catalog, today=today, query=public_query(lt.id, q),
                         after=after, before=before, page=page)  # fmt: skip
    return [public_row(e) for e in found.entries], found


@dataclass(frozen=True, slots=True)
class InPublicity:
    entry_id: int
    list_title: str
    subject_name: str
    subject_code: str
    facts: str
    notice_number: str | None
    started_on: date | None
    deadline: date
    authority: str


def _publicity_types(catalog: Catalog) -> list[str]:
    return [lt.id for lt in catalog.list_types.values() if notice_step(lt) == ListStep.PUBLICITY]


def in_publicity(session: Session, *, catalog: Catalog, today: date) -> list[InPublicity]:
    """拟列入 entries whose publicity period runs on `today`."""
    types = _publicity_types(catalog)
    stmt = (
        select(ListEntry, Subject)
        .join(Subject, Subject.id == ListEntry.subject_id)
        .where(
            ListEntry.list_type.in_(types),
            ListEntry.stage == Stage.NOTICED.value,
            ListEntry.statement_deadline >= today,
        )
        .order_by(ListEntry.statement_deadline, ListEntry.id)
    )
    out = []
    for entry, subject in session.execute(stmt):
        assert entry.statement_deadline is not None  # filtered on it
        code = (
            identifiers.mask_code(subject.code)
            if subject.code_kind == "id_number"
            else subject.code
        )
        out.append(
            InPublicity(
                entry.id,
                catalog.list_type(entry.list_type).title,
                subject.name,
                code,
                entry.facts,
                entry.notice_number,
                entry.notice_sent_on,
                entry.statement_deadline,
                entry.deciding_authority,
            )
        )
    return out


def file_publicity_objection(
    session: Session,
    entry_id: int,
    name: str,
    contact: str,
    text: str,
    *,
    catalog: Catalog,
    actor: Actor,
    today: date,
) -> ListEntryStep:
    """公示异议: anyone may object to an entry in publicity, within the period."""
    entry = get_entry(session, entry_id)
    lt = catalog.list_type(entry.list_type)
    if notice_step(lt) != ListStep.PUBLICITY or entry.stage != Stage.NOTICED.value:
        raise StepOutOfOrder("该名单认定不在公示期内，不能提出公示异议")
    assert entry.statement_deadline is not None
    if today > entry.statement_deadline:
        raise StatementPeriodOver(f"公示期已于 {entry.statement_deadline} 届满，不能再提出异议")
    fields = {"异议人": name, "联系方式": contact, "异议内容": text}
    for label, value in fields.items():
        if not value.strip():
            raise InvalidInput(f"请填写{label}", code="lists.missing_text")
    if len(text) > MAX_OBJECTION:
        raise InvalidInput(f"异议内容不得超过 {MAX_OBJECTION} 字", code="lists.too_long")
    detail = {"name": name.strip(), "contact": contact.strip(), "objection": text.strip()}
    return history.record_step(
        session,
        entry,
        ListStep.PUBLICITY_OBJECTION,
        AuditAction.LIST_PUBLICITY_OBJECTION,
        detail,
        actor=actor,
        today=today,
        before=entry.stage,
        audited={"name": detail["name"]},
    )


def latest_decisions(
    session: Session, *, catalog: Catalog, today: date, limit: int = 5
) -> list[dict[str, Any]]:
    """The latest published entries of public list types (home page)."""
    types = [lt.id for lt in public_types(catalog)]
    stmt = (
        select(ListEntry, Subject)
        .join(Subject, Subject.id == ListEntry.subject_id)
        .where(
            ListEntry.list_type.in_(types),
            ListEntry.published_on.is_not(None),
            ListEntry.published_on <= today,
            ListEntry.exited_on.is_(None),
        )
        .order_by(ListEntry.published_on.desc(), ListEntry.id.desc())
        .limit(limit)
    )
    return [
        {
            "list_type": e.list_type,
            "list_title": catalog.list_type(e.list_type).title,
            "subject_name": s.name,
            "decision_number": e.decision_number,
            "decided_on": e.decided_on,
            "published_on": e.published_on,
        }
        for e, s in session.execute(stmt)
    ]
