"""Graded supervision (分级分类监管): a grade (and an imported sector grade) → supervision class per
sector, with the inspection ratio and frequency (`catalogs/supervision.yaml`).

`decide` is the one rule combining them: a sector without a `sector_grade` rule supervises by our
grade alone; one with a rule reads that system's grade in force and either lets it decide
(`sector_first`, ours when there is none) or takes the worse of the two (`worse`). The answer says
which one decided (`decided_by`).

`check_grading` is the ONE function both joint-check paths call (sync and the PostgreSQL fast
path): both read the subject's newest stored result from one statement, `grade_statement` (run by
`grade_row` on a session, compiled as a LATERAL subquery by the fast path), and its sector-grade
records from `sector_grades.statement`, and hand them here, so both answer with the same `grade`,
`supervision_class`, `sector_grade` and model version.
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

from xinyong.catalog import Catalog, CatalogError, LegalBasis
from xinyong.catalog.schema import Identifier, Model, NonEmpty
from xinyong.catalog.yaml_io import parse_yaml, read_yaml
from xinyong.config import get_settings
from xinyong.db.tables import EvaluationResult
from xinyong.evaluation.sector_grades import SectorGrade, SectorGradeRow, in_force
from xinyong.evaluation.service import of_its_subject

FILE = "supervision.yaml"


class SupervisionClass(Model):
    id: NonEmpty
    title: NonEmpty


class Treatment(Model):
    ratio: float = pydantic.Field(ge=0, le=1)
    frequency: NonEmpty


class SectorGradeRule(Model):
    """How a sector's supervision combines an imported sector grade with ours."""

    system: Identifier  # a `sector_grades` id
    combine: Literal["sector_first", "worse"]
    basis: NonEmpty  # the sector's rule, or "本平台设定"


class Sector(Model):
    id: Identifier
    title: NonEmpty
    classes: dict[str, Treatment]
    sector_grade: SectorGradeRule | None = None  # None: our grade alone


class SectorGradeSystem(Model):
    id: Identifier  # a code of the code table sector_grade_system
    title: NonEmpty
    map: dict[str, str]  # the system's grade → supervision class
    public_grades: list[NonEmpty] = pydantic.Field(default_factory=list)
    public_basis: NonEmpty | None = None


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
    sector_grades: list[SectorGradeSystem] = pydantic.Field(default_factory=list)
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
        systems = {g.id for g in self.sector_grades}
        for s in self.sectors:
            if s.sector_grade is not None and s.sector_grade.system not in systems:
                raise ValueError(f"监管领域 {s.id} 的 sector_grade 引用了未定义的行业评价体系")
        return self

    def system(self, system_id: str) -> SectorGradeSystem | None:
        return next((g for g in self.sector_grades if g.id == system_id), None)

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


_by_version: dict[str, SupervisionRules] = {}
KEPT_VERSIONS = 8  # parsed catalog versions' rules kept (a version's text never changes)


def rules_of(catalog: Catalog) -> SupervisionRules:
    """The supervision rules of this catalog version: the text of `supervision.yaml` it was
    loaded with (`Catalog.texts`, which `catalog.stored_catalog` rebuilds for an old version),
    so a replay under an old version reads that version's classes and ratios, not today's file.
    A catalog without the file's text (built before the file was versioned) reads the file."""
    text = catalog.texts.get(FILE)
    if text is None:
        return load_rules()
    with _lock:
        found = _by_version.get(catalog.version)
    if found is not None:
        return found
    origin = catalog.files.get(FILE, FILE)
    try:
        found = SupervisionRules.model_validate(parse_yaml(text, origin))
    except ValidationError as exc:
        raise CatalogError.from_validation(origin, exc) from None
    with _lock:
        if len(_by_version) >= KEPT_VERSIONS:
            _by_version.pop(next(iter(_by_version)))
        _by_version[catalog.version] = found
    return found


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
class Decision:
    """A supervision class and what decided it: our grade or the sector grade it read."""

    supervision_class: str
    decided_by: Literal["grade", "sector_grade"]
    sector_grade: SectorGrade | None  # the grade the sector's rule read (None: no rule or none)


def decide(
    rules: SupervisionRules,
    grade: str | None,
    sector: str | None = None,
    sector_grades: Mapping[str, SectorGrade] | None = None,
) -> Decision | None:
    """The sector's class from our grade and its sector grade (None: neither is there)."""
    order = [c.id for c in rules.classes]
    ours = rules.grade_to_class.get(grade) if grade is not None else None
    rule = rules.sector(sector).sector_grade
    read = (sector_grades or {}).get(rule.system) if rule is not None else None
    system = rules.system(rule.system) if rule is not None else None
    theirs = system.map.get(read.grade) if system is not None and read is not None else None
    if rule is None or theirs is None:
        return Decision(ours, "grade", read) if ours is not None else None
    if ours is None or rule.combine == "sector_first" or order.index(theirs) > order.index(ours):
        return Decision(theirs, "sector_grade", read)
    return Decision(ours, "grade", read)


def supervision_class(
    rules: SupervisionRules,
    grade: str,
    sector_grades: Mapping[str, SectorGrade] | None = None,
    sector: str | None = None,
) -> str:
    """The class our grade gives in a sector (the default sector unless named)."""
    found = decide(rules, grade, sector, sector_grades)
    assert found is not None
    return found.supervision_class


@dataclass(frozen=True, slots=True)
class Grading:
    grade: str | None
    decision: Decision
    supervision_title: str
    sector: str
    ratio: float
    frequency: str
    model_id: str | None
    model_version: str | None
    as_of: date | None

    @property
    def supervision_class(self) -> str:
        return self.decision.supervision_class

    def check_fields(self) -> dict[str, Any]:
        """The fields the joint-check answer carries."""
        read = self.decision.sector_grade
        return {
            "grade": self.grade,
            "supervision_class": self.supervision_class,
            "supervision": {
                "title": self.supervision_title,
                "sector": self.sector,
                "inspection_ratio": self.ratio,
                "frequency": self.frequency,
                "decided_by": self.decision.decided_by,
            },
            "evaluation": {
                "model": self.model_id,
                "version": self.model_version,
                "as_of": self.as_of.isoformat(),
            }
            if self.as_of is not None
            else None,
            "sector_grade": read.as_dict() if read is not None else None,
        }


NO_GRADE: dict[str, Any] = {
    "grade": None,
    "supervision_class": None,
    "supervision": None,
    "evaluation": None,
    "sector_grade": None,
}


def grading(
    row: GradeRow | None,
    rules: SupervisionRules,
    *,
    sector: str | None = None,
    sector_grades: Mapping[str, SectorGrade] | None = None,
) -> Grading | None:
    """Our stored grade (if any) and the sector grades in force → the sector's class and
    treatment (None: neither gives a class)."""
    found = decide(rules, row.grade if row else None, sector, sector_grades)
    if found is None:
        return None
    s = rules.sector(sector)
    t = s.classes[found.supervision_class]
    return Grading(
        row.grade if row else None,
        found,
        rules.class_title(found.supervision_class),
        s.id,
        t.ratio,
        t.frequency,
        row.model_id if row else None,
        row.model_version if row else None,
        row.as_of if row else None,
    )


def check_grading(
    row: GradeRow | None,
    matter: str,
    sector_rows: list[SectorGradeRow],
    *,
    catalog: Catalog,
    today: date,
) -> dict[str, Any]:
    """The joint check's `grade`, `supervision_class`, `sector_grade` (+ treatment, model version,
    what decided) for a matter, from the statements both paths read — under the supervision
    rules of `catalog`'s version (`rules_of`: a replay's old version reads its own)."""
    rules = rules_of(catalog)
    graded = in_force(sector_rows, catalog=catalog, today=today) if sector_rows else {}
    found = grading(row, rules, sector=rules.matter_sectors.get(matter), sector_grades=graded)
    return found.check_fields() if found is not None else dict(NO_GRADE)


GRADE_COLUMNS = ("grade", "model_id", "model_version", "as_of", "score")


def grade_statement(subject_id: Any) -> Select[Any]:
    """The subject's newest stored result as `GRADE_COLUMNS` + `result_id`: run as is by the sync
    path, and compiled by the PostgreSQL fast path as a LATERAL subquery on its subject column.
    Only a result of this subject counts (`service.of_its_subject`, as `current_grade` reads)."""
    return (
        select(
            *(getattr(EvaluationResult, name) for name in GRADE_COLUMNS),
            EvaluationResult.id.label("result_id"),
        )
        .where(EvaluationResult.subject_id == subject_id, of_its_subject())
        .order_by(EvaluationResult.id.desc())
        .limit(1)
    )


def grade_row(session: Session, subject_id: int) -> GradeRow | None:
    found = session.execute(grade_statement(subject_id)).first()
    return GradeRow(*found) if found is not None else None
