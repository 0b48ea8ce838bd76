"""Pure rules: is a list entry in force on a day, and what hit does it make.

Both kinds of entry become the same plain `EntryFacts`: rows of `list_entries` (decided on this
platform) and current `records` of the list-entry info classes (decided by courts, market
regulators and other authorities, imported by collection). Validity is computed from dates and the
list type's catalog entry — never read from a flag.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

from xinyong import clock
from xinyong.catalog import Catalog, ListType
from xinyong.enums import ListKind, RecordStatus

Source = Literal["platform", "imported"]


@dataclass(frozen=True, slots=True)
class EntryFacts:
    """The dates and names of one entry, whatever its source."""

    source: Source
    source_id: int
    subject_id: int
    list_type: str  # catalog id; for imported serious_list records the list's name as sent
    decision_number: str | None
    decided_on: date | None
    published_on: date | None
    valid_until: date | None  # inclusive last day, when stored (platform) or sent (imported)
    exited_on: date | None  # removal / exit day (no longer in force from that day)
    deciding_authority: str | None
    status: str = RecordStatus.ACTIVE.value  # records only: withdrawn / repaired are not in force


@dataclass(frozen=True, slots=True)
class ListHit:
    """An entry in force on the day asked about, with its basis."""

    source: Source
    source_id: int
    list_type: str | None  # catalog id, None when an imported list name matches no list type
    list_title: str
    kind: str  # ListKind value
    decision_number: str | None
    decided_on: date | None
    valid_until: date | None  # None: until removed
    deciding_authority: str | None
    legal_basis: tuple[str, ...]
    max_measure_class: int
    catalog_version: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "source_id": self.source_id,
            "list_type": self.list_type,
            "list_title": self.list_title,
            "kind": self.kind,
            "decision_number": self.decision_number,
            "decided_on": self.decided_on,
            "valid_until": self.valid_until,
            "deciding_authority": self.deciding_authority,
            "legal_basis": list(self.legal_basis),
        }


def expiry(decided_on: date, list_type: ListType) -> date | None:
    """Last day in force (`clock.period_last_day` of the validity months); None: until removed."""
    months = list_type.validity.months
    if months is None:
        return None
    return clock.period_last_day(decided_on, months)


def early_exit_min_until(decided_on: date, list_type: ListType) -> date | None:
    """Last day of the minimum listing period before an early exit; None: no minimum or never.

    Imported and platform entries alike (repair eligibility and `lists exit` read this).
    """
    months = list_type.early_exit.after_months or 0
    if not list_type.early_exit.allowed or months == 0:
        return None
    return clock.period_last_day(decided_on, months)


def earliest_early_exit(decided_on: date, list_type: ListType) -> date | None:
    """First day an early exit may be applied for (the day after the minimum); None: never."""
    if not list_type.early_exit.allowed:
        return None
    last = early_exit_min_until(decided_on, list_type)
    return decided_on if last is None else last + timedelta(days=1)


def early_exit_refusal(list_type: ListType, decided_on: date, today: date) -> str | None:
    """Why the list type's early-exit rule refuses an exit on `today`, or None when it allows it."""
    earliest = earliest_early_exit(decided_on, list_type)
    if earliest is None:
        return f"{list_type.title}不适用提前移出，有效期届满后自动移出"
    if today < earliest:
        months = list_type.early_exit.after_months or 0
        return f"{list_type.title}列入满 {months} 个月后方可申请提前移出（最早 {earliest}）"
    return None


def find_list_type(catalog: Catalog, name: str) -> ListType | None:
    """A list type by id, or by title (imported serious_list records name their list)."""
    if name in catalog.list_types:
        return catalog.list_types[name]
    for lt in catalog.list_types.values():
        if lt.title == name.strip():
            return lt
    return None


def end_of(facts: EntryFacts, list_type: ListType | None) -> date | None:
    """The inclusive last day in force: stored or sent end, else computed from the decision."""
    if facts.valid_until is not None:
        return facts.valid_until
    if list_type is None or facts.decided_on is None:
        return None
    return expiry(facts.decided_on, list_type)


def in_force(facts: EntryFacts, list_type: ListType | None, today: date) -> bool:
    if facts.status != RecordStatus.ACTIVE.value or facts.decided_on is None:
        return False
    if facts.decided_on > today:
        return False
    if facts.exited_on is not None and facts.exited_on <= today:
        return False
    end = end_of(facts, list_type)
    return end is None or today <= end


def hit(facts: EntryFacts, catalog: Catalog, today: date) -> ListHit | None:
    """The hit this entry makes on `today`, or None when it is not in force."""
    lt = find_list_type(catalog, facts.list_type)
    if not in_force(facts, lt, today):
        return None
    return ListHit(
        source=facts.source,
        source_id=facts.source_id,
        list_type=lt.id if lt else None,
        list_title=lt.title if lt else facts.list_type,
        kind=lt.kind.value if lt else ListKind.SERIOUS.value,
        decision_number=facts.decision_number,
        decided_on=facts.decided_on,
        valid_until=end_of(facts, lt),
        deciding_authority=facts.deciding_authority or (lt.deciding_authority if lt else None),
        legal_basis=tuple(b.cite() for b in lt.legal_basis) if lt else (),
        max_measure_class=lt.max_measure_class if lt else 1,
        catalog_version=catalog.short_version,
    )


def hits(facts: list[EntryFacts], catalog: Catalog, today: date) -> list[ListHit]:
    found = [h for f in facts if (h := hit(f, catalog, today)) is not None]
    return sorted(found, key=lambda h: (h.kind == ListKind.RED.value, h.list_title, h.source_id))


def imported_facts(
    record_id: int,
    subject_id: int,
    info_class_list_type: str | None,
    data: dict[str, Any],
    *,
    status: str,
    decision_number: str | None,
    decision_date: date | None,
    valid_until: date | None,
    authority_name: str | None,
) -> EntryFacts:
    """Facts of an imported list-entry record (court defaulter, abnormal operation, serious)."""
    removed = data.get("removed_on")
    return EntryFacts(
        source="imported",
        source_id=record_id,
        subject_id=subject_id,
        list_type=info_class_list_type or str(data.get("list_type", "")),
        decision_number=decision_number,
        decided_on=decision_date,
        published_on=decision_date,
        valid_until=valid_until,
        exited_on=date.fromisoformat(removed) if isinstance(removed, str) and removed else None,
        deciding_authority=authority_name,
        status=status,
    )
