"""The subject's public view and its full archive: records + disclosure windows, read from the DB.

Public items carry only the catalog's public fields, with every ID-number-shaped token masked,
and never internal fields (provider, batch, source row, content hash, record id).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from xinyong import archive, identifiers, subjects
from xinyong.audit import is_command_line
from xinyong.catalog import Catalog
from xinyong.catalog.schema import FieldRole, InfoClass
from xinyong.db.tables import Record, Subject
from xinyong.disclosure.rules import (
    DisclosureState,
    DisclosureWindow,
    RecordFacts,
    disclosure_state,
    disclosure_window,
)
from xinyong.enums import RecordStatus, Severity
from xinyong.providers import CREDIT_AUTHORITY

# Portal tabs (the national site's sections) and the information classes each one shows.
TAB_OF_CLASS = {
    "licence": "licences",
    "penalty": "penalties",
    "honour": "incentives",
    "commitment_breach": "breaches",  # 违诺信息: a section of its own on the public page
}
PUNISHMENT_TAB = (
    "punishments"  # 失信惩戒: list entries (imported here; platform-decided from lists)
)
TITLE_ROLES = (FieldRole.TITLE, FieldRole.LIST_TYPE, FieldRole.REASON)


@dataclass(frozen=True, slots=True)
class PublicRecord:
    """One disclosed record as the public sees it."""

    info_class: str
    class_title: str
    title: str
    decision_number: str | None
    decision_date: date | None
    authority_name: str | None
    fields: tuple[tuple[str, str], ...]  # (label, value) of public fields, masked
    window: DisclosureWindow

    def as_json(self) -> dict[str, Any]:
        w = self.window
        return {
            "info_class": self.info_class,
            "class_title": self.class_title,
            "title": self.title,
            "decision_number": self.decision_number,
            "decision_date": self.decision_date,
            "authority_name": self.authority_name,
            "disclosure_ends": w.disclosure_ends,
            "why_shown": w.reason,
            "mark": w.mark,
            "severity": w.severity.severity.value if w.severity else None,
            "rule_id": w.rule_id,
            "regime_id": w.regime_id,
            "legal_basis": list(w.legal_basis),
            "catalog_version": w.catalog_version,
            "fields": [{"label": label, "value": value} for label, value in self.fields],
        }


@dataclass(frozen=True, slots=True)
class SubjectDisclosure:
    """Everything the public may see about a subject today, by portal tab."""

    subject: dict[str, Any]
    tabs: dict[str, tuple[PublicRecord, ...]]

    @property
    def records(self) -> list[PublicRecord]:
        return [item for items in self.tabs.values() for item in items]


@dataclass(frozen=True, slots=True)
class ArchiveEntry:
    """A record for authorised readers: current version, history, provenance and the window."""

    record: Record
    history: tuple[Record, ...]
    window: DisclosureWindow
    objection_open: bool

    def as_json(self) -> dict[str, Any]:
        r = self.record
        return {
            "record_id": r.id,
            "info_class": r.info_class,
            "status": r.status,
            "decision_number": r.decision_number,
            "decision_date": r.decision_date,
            "authority_name": r.authority_name,
            "data": archive.source_row(r),
            "objection_open": self.objection_open,
            "disclosure": {
                "shown": self.window.shown,
                "reason": self.window.reason,
                "disclosure_ends": self.window.disclosure_ends,
                "min_until": self.window.min_until,
                "rule_id": self.window.rule_id,
                "regime_id": self.window.regime_id,
                "severity": self.window.severity.severity.value if self.window.severity else None,
                "legal_basis": list(self.window.legal_basis),
                "catalog_version": self.window.catalog_version,
            },
            "provenance": archive.provenance(r),
            "history": [
                {"version": v.version, "status": v.status, "reason": v.reason,
                 "created_at": v.created_at, "data": archive.source_row(v)}
                for v in self.history
            ],
        }  # fmt: skip


def tab_of(info: InfoClass) -> str:
    return TAB_OF_CLASS.get(info.id) or (PUNISHMENT_TAB if info.kind == "list_entry" else "other")


def windows(
    session: Session, records: Sequence[Record], *, catalog: Catalog, today: date
) -> list[tuple[Record, DisclosureWindow]]:
    """The disclosure window of each record (provider kinds and open objections looked up once)."""
    kinds = archive.provider_kinds(session, (r.provider_id for r in records))
    disputed = archive.open_objection_record_ids(session, (r.id for r in records))
    out = []
    for record in records:
        facts = RecordFacts(
            info_class=record.info_class,
            status=RecordStatus(record.status),
            decision_date=record.decision_date,
            data=archive.source_row(record),
            severity=Severity(record.severity) if record.severity else None,
            provider_kind=kinds.get(record.provider_id) if record.provider_id else None,
            objection_open=record.id in disputed,
        )
        out.append((record, disclosure_window(facts, catalog=catalog, today=today)))
    return out


def record_states(
    session: Session, records: Sequence[Record], *, catalog: Catalog, today: date
) -> dict[int, DisclosureState]:
    """The disclosure state of each record (公示中 / 公示期满 / 已修复 / 未公开), by record id."""
    known = [r for r in records if r.info_class in catalog.info_classes]
    return {
        record.id: disclosure_state(RecordStatus(record.status), window, today)
        for record, window in windows(session, known, catalog=catalog, today=today)
    }


def _department(value: Any) -> Any:
    """A 认定单位 / 决定机关 as the public reads it: a record written before the deciding
    department was named (`providers.acting_department`) may hold the command-line operator's
    label — shown as the credit authority, never as "命令行:…"."""
    return CREDIT_AUTHORITY if isinstance(value, str) and is_command_line(value) else value


def public_record(record: Record, window: DisclosureWindow, catalog: Catalog) -> PublicRecord:
    info = catalog.info_class(record.info_class)
    shown = []
    row = archive.source_row(record)
    for field in info.fields:
        value = row.get(field.id)
        if not field.public or value in (None, "", []):
            continue
        value = _department(value)
        text = "、".join(map(str, value)) if isinstance(value, list) else str(value)
        shown.append((field.label, identifiers.mask_text(text)))
    title = next(
        (str(row[f.id]) for r in TITLE_ROLES if (f := info.field_by_role(r)) and f.public
         and row.get(f.id)),
        info.title,
    )  # fmt: skip
    return PublicRecord(
        info_class=info.id,
        class_title=info.title,
        title=identifiers.mask_text(title),
        decision_number=record.decision_number,
        decision_date=record.decision_date,
        authority_name=_department(record.authority_name),
        fields=tuple(shown),
        window=window,
    )


def public_view(
    session: Session, subject: Subject, *, catalog: Catalog, today: date
) -> SubjectDisclosure:
    """What anyone may see about the subject today: its public facts and disclosed records.
    Registration data is shown as the subject's own facts, not as a record in a tab."""
    current = [
        r
        for r in archive.current_records(session, subject.id)
        if r.info_class in catalog.info_classes
        and catalog.info_class(r.info_class).kind != "registration"
    ]
    tabs: dict[str, list[PublicRecord]] = {"licences": [], "penalties": [], "incentives": [],
                                           PUNISHMENT_TAB: [], "breaches": []}  # fmt: skip
    for record, window in windows(session, current, catalog=catalog, today=today):
        if window.shown:
            tab = tab_of(catalog.info_class(record.info_class))
            tabs.setdefault(tab, []).append(public_record(record, window, catalog))
    return SubjectDisclosure(
        subject=subjects.public_view(subject), tabs={k: tuple(v) for k, v in tabs.items()}
    )


ARCHIVE_COUNT_CAP = 1_000  # records of the full view counted at most (as a section's SQL count)


@dataclass(frozen=True, slots=True)
class ArchivePage:
    """One page of the full archive view: its entries, how many current records the subject
    holds (exact up to `ARCHIVE_COUNT_CAP`, else a floor), where it starts and the next page's
    keyset (None: the last page). A keyset's date is None for an undated record."""

    entries: list[ArchiveEntry]
    count: int
    count_is_floor: bool
    after: tuple[date | None, int] | None = None
    next_after: tuple[date | None, int] | None = None

    @property
    def count_sentence(self) -> str:
        """The count under the page: 共 N 条, or 至少 N 条 beyond the cap (a section's words)."""
        return f"至少 {self.count:,} 条" if self.count_is_floor else f"共 {self.count:,} 条"


def full_archive_page(
    session: Session,
    subject: Subject,
    *,
    catalog: Catalog,
    today: date,
    after: tuple[date | None, int] | None = None,
    per_page: int,
) -> ArchivePage:
    """`per_page` of the full archive's entries, newest decision first (the undated first of
    all), after the keyset `after`: a page costs its own rows, not the subject's all."""
    classes = list(catalog.info_classes)
    found = archive.archive_of_subject(session, subject.id, classes, after=after,
                                       limit=per_page + 1)  # fmt: skip
    current, has_next = found[:per_page], len(found) > per_page
    if after is None and not has_next:
        count, floor = len(current), False  # the whole archive is on this page
    else:
        held = [[Record.is_current.is_(True), Record.info_class.in_(classes)]]
        counted = archive.count_of_subject(session, subject.id, held, cap=ARCHIVE_COUNT_CAP)
        count, floor = min(counted, ARCHIVE_COUNT_CAP), counted > ARCHIVE_COUNT_CAP
    last = current[-1] if has_next else None
    return ArchivePage(
        entries=_entries(session, current, catalog=catalog, today=today),
        count=count,
        count_is_floor=floor,
        after=after,
        next_after=None if last is None else (last.decision_date, last.id),
    )


def full_archive(
    session: Session, subject: Subject, *, catalog: Catalog, today: date
) -> list[ArchiveEntry]:
    """Every current record with its history, provenance and why it is (not) shown."""
    current = [
        r
        for r in archive.current_records(session, subject.id)
        if r.info_class in catalog.info_classes
    ]
    return _entries(session, current, catalog=catalog, today=today)


def _entries(
    session: Session, current: list[Record], *, catalog: Catalog, today: date
) -> list[ArchiveEntry]:
    """The archive entries of these current records: history, objections, window."""
    past = archive.histories(session, current)
    disputed = archive.open_objection_record_ids(session, (r.id for r in current))
    return [
        ArchiveEntry(
            record=record,
            history=tuple(past.get((record.info_class, record.natural_key), [])),
            window=window,
            objection_open=record.id in disputed,
        )
        for record, window in windows(session, current, catalog=catalog, today=today)
    ]
