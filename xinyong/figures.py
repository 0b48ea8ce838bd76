"""Today's figures for the portal's front page: subjects, current records, entries in force,
repairs done. Counted on the day asked about; each from the module that owns the idea."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xinyong import lists, subjects
from xinyong.catalog import Catalog
from xinyong.db.tables import Record, RepairApplication
from xinyong.enums import RecordStatus, RepairStatus


@dataclass(frozen=True, slots=True)
class Figures:
    subjects: int
    records: int
    entries_in_force: int
    repairs_done: int


def today_figures(session: Session, *, catalog: Catalog, today: date) -> Figures:
    records = session.execute(
        select(func.count())
        .select_from(Record)
        .where(Record.is_current.is_(True), Record.status == RecordStatus.ACTIVE.value)
    ).scalar_one()
    repairs = session.execute(
        select(func.count())
        .select_from(RepairApplication)
        .where(
            RepairApplication.status == RepairStatus.APPROVED, RepairApplication.decided_on <= today
        )
    ).scalar_one()
    in_force = lists.current_entries(session, catalog=catalog, today=today, published_only=True)
    return Figures(subjects.count_subjects(session), int(records), len(in_force), int(repairs))
