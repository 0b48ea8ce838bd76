"""Graded supervision (分级分类监管): a grade (and an imported sector grade) → supervision class per
sector, with the inspection ratio and frequency (`catalogs/supervision.yaml`).

`check_grading` is the ONE function both joint-check paths call (sync and the PostgreSQL fast
path): both read the subject's newest stored result from one statement, `grade_statement` (run by
`grade_row` on a session, compiled as a LATERAL subquery by the fast path) and hand it here, so both
answer with the same `grade`, `supervision_class` and model version.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

import pydantic
from pydantic import ValidationError
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from xinyong.catalog import CatalogError, LegalBasis
from xinyong.catalog.schema import Identifier, Model, NonEmpty
from xinyong.catalog.yaml_io import read_yaml
from xinyong.config import get_settings
from xinyong.db.tables import EvaluationResult

FILE = "supervision.yaml"


class SupervisionClass(Model):
    id: NonEmpty
    title: NonEmpty


class Treatment(Model):
    ratio: float = pydantic.Field(ge=0, le=1)
    frequency: NonEmpty


class Sector(Model):
    id: Identifier
    title: NonEmpty
    classes: dict[str, Treatment]


class SectorGrade(Model):
    id: Identifier
    title: NonEmpty
    map: dict[str, str]


class InspectionRules(Model):
    inspectors_per_subject: int = pydantic.Field(ge=1)
    min_ratio: float = pydantic.Field(ge=0, le=1)
    publish_within_working_days: int = pydantic.Field(gt=0)
    legal_basis: list[LegalBasis]


class SupervisionRules(Model):
    id: Literal["supervision"]
    title: NonEmpty
    version: NonEmpty
    legal_basis: list[LegalBasis]
    classes: list[SupervisionClass]
    grade_to_class: dict[str, str]
    combine: Literal["worse", "ours"]
    sector_grades: list[SectorGrade] = pydantic.Field(default_factory=list)
    default_sector: Identifier
    matter_sectors: dict[str, Identifier] = pydantic.Field(default_factory=dict)
    sectors: list[Sector]
    inspections: InspectionRules

    @pydantic.model_validator(mode="after")
    def _consistent(self) -> SupervisionRules:
        ids = [c.id for c in self.classes]
        sector_ids = {s.id for s in self.sectors}
        for s in self.sectors:
            if set(s.classes) != set(ids):
                raise ValueError(f"监管领域 {s.id} 须为每个类别（{'、'.join(ids)}）给出比例和频次")
        mapped = [
            *self.grade_to_class.values(),
            *(v for g in self.sector_grades for v in g.map.values()),
        ]
        if any(v not in ids for v in mapped):
            raise ValueError("grade_to_class / sector_grades 映射到了未定义的监管类别")
        if self.default_sector not in sector_ids or any(
            v not in sector_ids for v in self.matter_sectors.values()
        ):
            raise ValueError("default_sector / matter_sectors 引用了未定义的监管领域")
        return self

    def sector(self, sector_id: str | None) -> Sector:
        """The sector's table (the default sector's when the id is unknown or None)."""
        by_id = {s.id: s for s in self.sectors}
        return by_id.get(sector_id or "", by_id[self.default_sector])

    def class_title(self, class_id: str) -> str:
        return next(c.title for c in self.classes if c.id == class_id)


_lock = threading.Lock()
_cache: dict[tuple[str, float], SupervisionRules] = {}


def load_rules(directory: Path | None = None, override_dir: Path | None = None) -> SupervisionRules:
    settings = get_settings()
    override_dir = override_dir or (None if directory else settings.catalog_override_dir)
    directory = directory or settings.catalog_dir
    path = (
        override_dir / FILE
        if override_dir and (override_dir / FILE).is_file()
        else directory / FILE
    )
    key = (str(path), path.stat().st_mtime)
    with _lock:
        if key not in _cache:
            try:
                _cache[key] = SupervisionRules.model_validate(read_yaml(path))
            except ValidationError as exc:
                raise CatalogError.from_validation(str(path), exc) from None
        return _cache[key]


@dataclass(frozen=True, slots=True)
class GradeRow:
    """The newest stored result of a subject, as both check paths read it."""

    grade: str
    model_id: str
    model_version: str
    as_of: date
    score: float
    result_id: int | None = None  # evaluation_results.id: the joint-check log keeps it


@dataclass(frozen=True, slots=True)
class Grading:
    grade: str
    supervision_class: str
    supervision_title: str
    sector: str
    ratio: float
    frequency: str
    model_id: str
    model_version: str
    as_of: date
    sector_grades: tuple[tuple[str, str], ...] = ()

    def check_fields(self) -> dict[str, Any]:
        """The fields the joint-check answer carries."""
        return {
            "grade": self.grade,
            "supervision_class": self.supervision_class,
            "supervision": {
                "title": self.supervision_title,
                "sector": self.sector,
                "inspection_ratio": self.ratio,
                "frequency": self.frequency,
            },
            "evaluation": {
                "model": self.model_id,
                "version": self.model_version,
                "as_of": self.as_of.isoformat(),
            },
        }


NO_GRADE: dict[str, Any] = {
    "grade": None,
    "supervision_class": None,
    "supervision": None,
    "evaluation": None,
}


def supervision_class(
    rules: SupervisionRules, grade: str, sector_grades: Mapping[str, str] | None = None
) -> str:
    """Our grade's class, made worse by an imported sector grade when the rules say so."""
    order = [c.id for c in rules.classes]
    chosen = rules.grade_to_class[grade]
    if rules.combine == "worse":
        for g in rules.sector_grades:
            value = (sector_grades or {}).get(g.id)
            if value in g.map and order.index(g.map[value]) > order.index(chosen):
                chosen = g.map[value]
    return chosen


def grading(
    row: GradeRow,
    rules: SupervisionRules,
    *,
    sector: str | None = None,
    sector_grades: Mapping[str, str] | None = None,
) -> Grading:
    cls = supervision_class(rules, row.grade, sector_grades)
    s = rules.sector(sector)
    t = s.classes[cls]
    return Grading(
        row.grade,
        cls,
        rules.class_title(cls),
        s.id,
        t.ratio,
        t.frequency,
        row.model_id,
        row.model_version,
        row.as_of,
        tuple(sorted((sector_grades or {}).items())),
    )


def check_grading(row: GradeRow | None, matter: str) -> dict[str, Any]:
    """The joint check's `grade`, `supervision_class` (+ treatment, model version) for a matter."""
    if row is None:
        return dict(NO_GRADE)
    rules = load_rules()
    return grading(row, rules, sector=rules.matter_sectors.get(matter)).check_fields()


GRADE_COLUMNS = ("grade", "model_id", "model_version", "as_of", "score")


def grade_statement(subject_id: Any) -> Select[Any]:
    """The subject's newest stored result as `GRADE_COLUMNS` + `result_id`: run as is by the sync
    path, and compiled by the PostgreSQL fast path as a LATERAL subquery on its subject column."""
    return (
        select(
            *(getattr(EvaluationResult, name) for name in GRADE_COLUMNS),
            EvaluationResult.id.label("result_id"),
        )
        .where(EvaluationResult.subject_id == subject_id)
        .order_by(EvaluationResult.id.desc())
        .limit(1)
    )


def grade_row(session: Session, subject_id: int) -> GradeRow | None:
    found = session.execute(grade_statement(subject_id)).first()
    return GradeRow(*found) if found is not None else None
