"""A subject's current records a window at a time (issue 17): the subject page's sections, the
full archive view's pages, which classes a subject holds and how many records a section counts
(`tally_of_subject`: in at most its cap of the subject's index entries) —
each read through `ix_records_subject_date (subject_id, is_current, decision_date, id)` backwards
in the pages' keyset order, so a window costs its own rows (docs/decisions/0012 addendum 4)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, and_, case, exists, func, literal, or_, select, union_all
from sqlalchemy.orm import Session

from xinyong.archive.reads import beyond_keyset
from xinyong.db.tables import Record


def current_of_subject(
    session: Session,
    subject_id: int,
    classes: Sequence[Sequence[ColumnElement[bool]]],
    *,
    after: tuple[date, int] | None = None,
    skip: int = 0,
    limit: int,
) -> list[Record]:
    """A window of one subject's current records that one of `classes` (each a class's
    `class_conditions`) lets through, newest decision first, after the (decision_date, id)
    keyset `after`: a section of the subject page costs its own rows, not the subject's all."""
    stmt = (
        select(Record)
        .where(Record.subject_id == subject_id, or_(*(and_(*conds) for conds in classes)))
        .order_by(Record.decision_date.desc(), Record.id.desc())
    )
    if after is not None:
        stmt = stmt.where(beyond_keyset(after))
    return list(session.execute(stmt.offset(skip or None).limit(limit)).scalars())


def archive_of_subject(
    session: Session,
    subject_id: int,
    info_classes: Iterable[str],
    *,
    after: tuple[date | None, int] | None = None,
    limit: int,
) -> list[Record]:
    """A window of one subject's current records of these classes, newest decision first and
    the undated before them (PostgreSQL's order of `decision_date DESC`: the subject index read
    backwards), after the keyset `after` (decision date or None, id): the full archive view a
    page at a time, costing its own rows."""
    stmt = (
        select(Record)
        .where(Record.subject_id == subject_id, Record.is_current.is_(True),
               Record.info_class.in_(sorted(set(info_classes))))
        .order_by(Record.decision_date.desc().nulls_first(), Record.id.desc())
    )  # fmt: skip
    if after is not None:
        day, last = after
        on = Record.decision_date
        stmt = stmt.where(
            or_(on.is_not(None), and_(on.is_(None), Record.id < last)) if day is None
            else or_(on < day, and_(on == day, Record.id < last))
        )  # fmt: skip
    return list(session.execute(stmt.limit(limit)).scalars())


def classes_of_subject(session: Session, subject_id: int, info_classes: Iterable[str]) -> set[str]:
    """Which of these classes the subject has a current record of: one statement, one index probe
    per class (its partition on PostgreSQL), whatever the number of records."""
    probes = [
        select(literal(c).label("info_class")).where(
            exists().where(
                Record.info_class == c, Record.subject_id == subject_id, Record.is_current.is_(True)
            )
        )
        for c in sorted(set(info_classes))
    ]
    if not probes:
        return set()
    return set(session.execute(union_all(*probes)).scalars())


def count_of_subject(
    session: Session, subject_id: int, classes: Sequence[Sequence[ColumnElement[bool]]], *, cap: int
) -> int:
    """How many of one subject's current records one of `classes` lets through, counted up to
    `cap` + 1 (a subject with more costs no more than one with `cap`)."""
    if not classes:
        return 0
    inner = (
        select(Record.id)
        .where(Record.subject_id == subject_id, or_(*(and_(*conds) for conds in classes)))
        .limit(cap + 1)
        .subquery()
    )
    return int(session.execute(select(func.count()).select_from(inner)).scalar_one())


Conditions = Sequence[Sequence[ColumnElement[bool]]]  # one list of conditions a class


@dataclass(frozen=True, slots=True)
class SubjectTally:
    """What a capped count found among a subject's index entries (`tally_of_subject`): how many
    it walked (at most the cap + 1: more means there are more), how many of them SQL decided
    are shown, and the records left to the rules (at most their cap + 1)."""

    walked: int
    decided: int
    undecided: list[Record]


def tally_of_subject(
    session: Session,
    subject_id: int,
    spans: Conditions,
    *,
    decided: Conditions,
    undecided: Conditions,
    cap: int,
    rules_cap: int,
) -> SubjectTally:
    """A section's count read in at most `cap` + 1 of the subject's index entries: the entries
    `spans` holds (each a class's `class_span`: what the subject index answers), and for each
    of them whether `decided` keeps it (shown, decided in SQL) or `undecided` does (left to the
    rules; the first `rules_cap` + 1 of those come back as records). One statement, a second
    only when some are left to the rules: the count no longer walks the subject's every row
    (before, a subject whose rows SQL decides all made the rules' share read each of them)."""
    if not spans:
        return SubjectTally(0, 0, [])
    either = case((or_(*(and_(*c) for c in decided)), 1), else_=0) if decided else literal(0)
    rest = case((or_(*(and_(*c) for c in undecided)), 1), else_=0) if undecided else literal(0)
    walk = (
        select(Record.id, either.label("decided"), rest.label("undecided"))
        .where(Record.subject_id == subject_id, or_(*(and_(*c) for c in spans)))
        .order_by(Record.decision_date.desc(), Record.id.desc())  # the newest: the index's order
        .limit(cap + 1)
        .subquery()
    )
    totals = select(func.count(), func.coalesce(func.sum(walk.c.decided), 0),
                    func.coalesce(func.sum(walk.c.undecided), 0))  # fmt: skip
    walked, shown, left = session.execute(totals).one()
    records: list[Record] = []
    if left:
        ids = select(walk.c.id).where(walk.c.undecided == 1).limit(rules_cap + 1)
        stmt = (
            select(Record)
            .where(Record.subject_id == subject_id, Record.id.in_(ids))
            .order_by(Record.decision_date.desc(), Record.id.desc())
        )
        records = list(session.execute(stmt).scalars())
    return SubjectTally(int(walked), int(shown), records)
