"""Imported sector grades (行业信用评价结果: 纳税信用等级, 海关企业信用等级 …), kept beside ours.

They are records of the info class `sector_grade`, collected like any class. They never enter our
score: the model loader refuses an indicator on their category (`EXCLUDED_CATEGORY`) and the fact
table leaves them out (`evaluation.facts`). Graded supervision reads them per sector
(`supervision.decide`, the sector's `sector_grade` rule in `catalogs/supervision.yaml`).

`statement(subject_id)` is the ONE query both joint-check paths use (the sync path runs it; the
PostgreSQL fast path compiles it into a LATERAL aggregate); `in_force` decides, in Python, which
grade of each system is in force today: from its grading date to its 有效期至, or — without one —
for the fallback months of the class's disclosure rule (`catalogs/disclosure_rules.yaml`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from xinyong.catalog import Catalog
from xinyong.clock import period_last_day
from xinyong.db import lean_record
from xinyong.db.tables import Record
from xinyong.enums import RecordStatus

INFO_CLASS = "sector_grade"
SYSTEM_TABLE = "sector_grade_system"
EXCLUDED_CATEGORY = "信用评价结果信息"  # other bodies' grades: beside ours, never inside
COLUMNS = ("record_id", "system", "key", "grade", "graded_on", "valid_until", "authority")


@dataclass(frozen=True, slots=True)
class SectorGradeRow:
    """One current sector-grade record as both check paths read it (`COLUMNS`)."""

    record_id: int | None  # the record (a check's log names it: replay reads it back)
    system: str | None  # the 评价体系 as stored (the code table's label, or its code)
    grade: str | None
    graded_on: date | None
    valid_until: date | None
    authority: str | None

    @classmethod
    def of(cls, values: Iterable[Any]) -> SectorGradeRow:
        """From a row of `statement` (dates as dates) or of the fast path's JSON (ISO text). The
        评价体系 is a part of the natural key, which the lean record does not repeat in `data`."""
        record_id, system, key, grade, graded, until, authority = values
        if system is None:
            system = lean_record.key_part(INFO_CLASS, key, "sector")
        return cls(record_id, system, grade, _day(graded), _day(until), authority)


def _day(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


@dataclass(frozen=True, slots=True)
class SectorGrade:
    """A sector grade in force today."""

    system: str  # code of the sector_grade_system table (= supervision.yaml sector_grades id)
    title: str  # 纳税信用等级 …
    grade: str
    authority: str | None
    graded_on: date
    valid_until: date  # the last day it is in force

    def as_dict(self) -> dict[str, Any]:
        return {
            "system": self.system,
            "title": self.title,
            "grade": self.grade,
            "authority": self.authority,
            "graded_on": self.graded_on.isoformat(),
            "valid_until": self.valid_until.isoformat(),
        }


def statement(subject_id: Any) -> Select[Any]:
    """The subject's current sector-grade records as `COLUMNS` (a handful of rows)."""
    return _current(_select()).where(Record.subject_id == subject_id)


def rows_by_id(session: Session, record_ids: Iterable[int]) -> list[SectorGradeRow]:
    """The sector-grade records a check's log names, as they were (any version: an id is one)."""
    ids = list(record_ids)
    if not ids:
        return []
    stmt = _select().where(Record.id.in_(ids), Record.info_class == INFO_CLASS)
    return [SectorGradeRow.of(r) for r in session.execute(stmt)]


_CHUNK = 900  # under SQLite's bound-parameter limit


def rows_of_subjects(
    session: Session, subject_ids: Iterable[int]
) -> dict[int, list[SectorGradeRow]]:
    """The current sector-grade records of many subjects (a plan's population), by subject:
    `statement`'s rows, read a chunk of subjects at a time."""
    ids = list(subject_ids)
    out: dict[int, list[SectorGradeRow]] = {}
    for start in range(0, len(ids), _CHUNK):
        stmt = _current(_select().add_columns(Record.subject_id)).where(
            Record.subject_id.in_(ids[start : start + _CHUNK])
        )
        for row in session.execute(stmt):
            out.setdefault(row.subject_id, []).append(SectorGradeRow.of(tuple(row)[:-1]))
    return out


def _current(stmt: Select[Any]) -> Select[Any]:
    return stmt.where(
        Record.is_current.is_(True),
        Record.info_class == INFO_CLASS,
        Record.status == RecordStatus.ACTIVE.value,
    )


def _select() -> Select[Any]:
    return select(
        Record.id.label("record_id"),
        Record.data["sector"].as_string().label("system"),
        Record.natural_key.label("key"),
        Record.data["grade"].as_string().label("grade"),
        Record.decision_date.label("graded_on"),
        Record.valid_until.label("valid_until"),
        Record.authority_name.label("authority"),
    ).order_by(Record.decision_date.desc(), Record.id.desc())


def rows(session: Session, subject_id: int) -> list[SectorGradeRow]:
    return [SectorGradeRow.of(r) for r in session.execute(statement(subject_id))]


def in_force(
    found: Iterable[SectorGradeRow], *, catalog: Catalog, today: date
) -> dict[str, SectorGrade]:
    """The newest grade of each system in force on `today`, by system code."""
    info = catalog.info_classes.get(INFO_CLASS)
    table = catalog.code_tables.get(SYSTEM_TABLE)
    if info is None or table is None:
        return {}
    rule = catalog.disclosure_rules.rule(info.disclosure.rule)
    fallback = rule.fallback_months if rule is not None else None
    by_text = {t: v for v in table.values for t in (v.code, v.label)}
    out: dict[str, SectorGrade] = {}
    ordered = sorted(
        (r for r in found if r.graded_on is not None and r.grade and r.system in by_text),
        key=lambda r: (r.graded_on, r.valid_until or date.max, r.grade),
        reverse=True,
    )
    for r in ordered:
        assert r.graded_on is not None
        assert r.grade is not None
        assert r.system is not None
        value = by_text[r.system]
        ends = r.valid_until or (period_last_day(r.graded_on, fallback) if fallback else None)
        if value.code in out or ends is None or not (r.graded_on <= today <= ends):
            continue
        out[value.code] = SectorGrade(
            value.code, value.label, r.grade.strip(), r.authority, r.graded_on, ends
        )
    return out


def current(
    session: Session, subject_id: int, *, catalog: Catalog, today: date
) -> dict[str, SectorGrade]:
    """The subject's sector grades in force today (for pages and the API)."""
    return in_force(rows(session, subject_id), catalog=catalog, today=today)
