"""Pure rules of the joint check: hits × matter → measures with their basis, and the answer.

Shared by the sync path (`check.py`) and the PostgreSQL fast path (`fast.py`): both fetch rows,
turn them into `lists.EntryFacts` and call `answer()`, so both give the same answer.
过惩相当: a measure heavier than its list type allows (class below `max_measure_class`) is never
returned, even if the catalog were to name it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from xinyong import identifiers, lists
from xinyong.catalog import Catalog, Measure
from xinyong.enums import ListKind
from xinyong.errors import InvalidInput
from xinyong.evaluation import supervision
from xinyong.lists import EntryFacts, ListHit

CLEAN_MESSAGE = "经核查，该主体未在任何有效名单中，本事项无适用的失信惩戒措施。"
UNKNOWN_MESSAGE = "平台未登记该主体，未发现名单记录，本事项无适用的失信惩戒措施。"
HITS_MESSAGE = "该主体在有效名单中，请按所列措施及其依据办理，并反馈实施情况。"
NO_MEASURE_MESSAGE = "该主体在有效名单中，但本核查事项没有适用的措施。"
INCENTIVE_WITHHELD = "该主体同时在失信类名单中，不适用守信激励措施。"


class UnknownMatter(InvalidInput):
    code = "measures.unknown_matter"


@dataclass(frozen=True, slots=True)
class SubjectFacts:
    id: int
    code: str
    code_kind: str
    name: str
    kind: str

    def as_dict(self) -> dict[str, Any]:
        shown = identifiers.mask_code(self.code) if self.code_kind == "id_number" else self.code
        return {"id": self.id, "code": shown, "name": self.name, "kind": self.kind}


@dataclass(frozen=True, slots=True)
class AppliedMeasure:
    """A measure that applies, with the list entry that triggers it and its legal basis."""

    measure_id: str
    content: str
    measure_class: int
    kind: str  # punishment | incentive
    implementer: str
    mandatory: bool
    legal_basis: tuple[str, ...]
    source: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "measure_id": self.measure_id,
            "content": self.content,
            "measure_class": self.measure_class,
            "kind": self.kind,
            "implementer": self.implementer,
            "mandatory": self.mandatory,
            "legal_basis": list(self.legal_basis),
            "source": self.source,
        }


@dataclass(frozen=True, slots=True)
class HitMeasures:
    hit: ListHit
    measures: tuple[AppliedMeasure, ...]

    def as_dict(self) -> dict[str, Any]:
        return {**self.hit.as_dict(), "measures": [m.as_dict() for m in self.measures]}


@dataclass(frozen=True, slots=True)
class CheckAnswer:
    """The answer to one joint check, with everything it rests on."""

    check_id: str
    code: str  # as asked, normalised (masked in as_dict for persons)
    subject: SubjectFacts | None
    matter: str
    matter_title: str
    today: date
    hits: tuple[HitMeasures, ...]
    incentives: tuple[AppliedMeasure, ...]
    message: str
    catalog_version: str
    grading: dict[str, Any] | None = None  # evaluation.supervision.check_grading (both paths)

    @property
    def clean(self) -> bool:
        """No entry on a dishonesty list in force (a red-list entry alone is clean)."""
        return all(h.hit.kind == ListKind.RED.value for h in self.hits)

    @property
    def mandatory(self) -> tuple[AppliedMeasure, ...]:
        return tuple(m for h in self.hits for m in h.measures if m.mandatory)

    def as_dict(self) -> dict[str, Any]:
        return {
            "check_id": self.check_id,
            "code": identifiers.mask_code(self.code),
            "subject": self.subject.as_dict() if self.subject else None,
            "matter": self.matter,
            "matter_title": self.matter_title,
            "checked_on": self.today.isoformat(),
            "clean": self.clean,
            "message": self.message,
            "hits": [h.as_dict() for h in self.hits],
            "incentives": [m.as_dict() for m in self.incentives],
            "catalog_version": self.catalog_version,
            **(self.grading or supervision.NO_GRADE),
        }


def new_check_id() -> str:
    return uuid.uuid4().hex


def checked_matter(matter: str, catalog: Catalog) -> str:
    if matter not in catalog.matters:
        known = "、".join(f"{m.id}（{m.title}）" for m in catalog.matters.values())
        raise UnknownMatter(f"未知的核查事项“{matter}”。可选：{known}", details={"matter": matter})
    return matter


def applied(measure: Measure) -> AppliedMeasure:
    return AppliedMeasure(
        measure_id=measure.id,
        content=measure.content,
        measure_class=measure.measure_class,
        kind=measure.kind,
        implementer=measure.implementer,
        mandatory=measure.mandatory,
        legal_basis=tuple(b.cite() for b in measure.legal_basis),
        source=measure.source,
    )


def measures_for_hit(hit: ListHit, matter: str, catalog: Catalog) -> tuple[AppliedMeasure, ...]:
    """The catalog's measures for this list type and matter, never heavier than the type allows."""
    if hit.list_type is None:
        return ()
    return tuple(
        applied(m)
        for m in catalog.measures_for(hit.list_type, matter)
        if m.measure_class >= hit.max_measure_class
    )


def answer(
    check_id: str,
    code: str,
    subject: SubjectFacts | None,
    facts: list[EntryFacts],
    matter: str,
    *,
    catalog: Catalog,
    today: date,
    grading: dict[str, Any] | None = None,
) -> CheckAnswer:
    hits = lists.hits(facts, catalog, today)
    punish = tuple(
        HitMeasures(h, measures_for_hit(h, matter, catalog))
        for h in hits
        if h.kind != ListKind.RED.value
    )
    red = [h for h in hits if h.kind == ListKind.RED.value]
    incentives: list[AppliedMeasure] = []
    if not punish:
        seen: set[str] = set()
        for h in red:
            for m in measures_for_hit(h, matter, catalog):
                if m.measure_id not in seen:
                    seen.add(m.measure_id)
                    incentives.append(m)
    shown = punish + tuple(HitMeasures(h, ()) for h in red)
    return CheckAnswer(
        check_id=check_id,
        code=code,
        subject=subject,
        matter=matter,
        matter_title=catalog.matters[matter].title,
        today=today,
        hits=shown,
        incentives=tuple(incentives),
        message=_message(subject, punish, bool(red)),
        catalog_version=catalog.short_version,
        grading=grading,
    )


def _message(subject: SubjectFacts | None, punish: tuple[HitMeasures, ...], red: bool) -> str:
    if subject is None:
        return UNKNOWN_MESSAGE
    if not punish:
        return "该主体在守信激励名单中。" if red else CLEAN_MESSAGE
    text = HITS_MESSAGE if any(h.measures for h in punish) else NO_MEASURE_MESSAGE
    return text + (INCENTIVE_WITHHELD if red else "")
