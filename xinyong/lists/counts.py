"""Entries in force counted in SQL: the region-wide figures (subjects per list, subjects on any
list of some kinds) without loading every entry into Python.

The same rule as `validity.in_force`, stated over the rows of `facts_statement` (both sources):
decided on or before the day; active (records); not exited (platform: `exited_on`; imported: the
record's `removed_on`); and not past its end — the stored or sent `valid_until`, or, for an entry
without one, decided on or after the first day whose computed expiry (`validity.expiry`, i.e.
`clock.period_last_day`) still reaches the day. That first day is found by asking
`validity.expiry` itself, so the period rule keeps its one place. A list named by an imported
record is matched like `validity.find_list_type` (id, or title); an unknown name is a serious
list of that name without a computed end. tests/lists/test_counts.py checks these figures entry
by entry against `current_entries`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, distinct, func, literal, or_, select
from sqlalchemy.orm import Session

from xinyong.catalog import Catalog, ListType
from xinyong.enums import ListKind, RecordStatus
from xinyong.lists import validity
from xinyong.lists.queries import facts_statement, list_entry_classes


def first_day_in_force(list_type: ListType, today: date) -> date | None:
    """The earliest decision day whose computed expiry still reaches `today` (None: no end)."""
    months = list_type.validity.months
    if months is None:
        return None
    lo, hi = today - timedelta(days=31 * months + 62), today + timedelta(days=1)
    while lo < hi:  # expiry is non-decreasing in the decision day: binary search
        mid = lo + (hi - lo) // 2
        end = validity.expiry(mid, list_type)
        if end is not None and end >= today:
            hi = mid
        else:
            lo = mid + timedelta(days=1)
    return lo


def _in_force(catalog: Catalog, today: date) -> tuple[Select[Any], ColumnElement[Any]]:
    """(subject_id, list type id or None, list name) of every entry in force on `today`."""
    classes = list_entry_classes(catalog)
    f = facts_statement(list(classes)).subquery("f")
    imported = f.c.source == "imported"
    fixed = case(
        *[(f.c.list_type == c, literal(lt)) for c, lt in classes.items() if lt], else_=None
    )
    name = case((imported, func.coalesce(fixed, f.c.data["list_type"].as_string())),
                else_=f.c.list_type)  # fmt: skip
    types = list(catalog.list_types.values())
    resolved = case(
        *[(name == lt.id, literal(lt.id)) for lt in types],
        *[(func.trim(name) == lt.title, literal(lt.id)) for lt in types],
        else_=None,
    )
    removed = f.c.data["removed_on"].as_string()
    not_exited = case(
        (imported, or_(removed.is_(None), removed == "", removed > today.isoformat())),
        else_=or_(f.c.exited_on.is_(None), f.c.exited_on > today),
    )
    computed_end = [
        and_(resolved == lt.id, f.c.decided_on >= first)
        if (first := first_day_in_force(lt, today)) is not None
        else resolved == lt.id
        for lt in types
    ]
    not_ended = or_(
        f.c.valid_until >= today,
        and_(f.c.valid_until.is_(None), or_(resolved.is_(None), *computed_end)),
    )
    stmt = select(f.c.subject_id, resolved.label("list_type"), name.label("name")).where(
        f.c.status == RecordStatus.ACTIVE.value,
        f.c.decided_on.is_not(None),
        f.c.decided_on <= today,
        not_exited,
        not_ended,
    )
    return stmt, resolved


@dataclass(frozen=True, slots=True)
class ListCount:
    list_type: str | None  # catalog id; None: an imported list name no list type matches
    title: str
    kind: str  # ListKind value
    entries: int
    subjects: int


def in_force_counts(session: Session, *, catalog: Catalog, today: date) -> list[ListCount]:
    """Entries and distinct subjects in force on `today`, per list (one grouped query)."""
    stmt, _resolved = _in_force(catalog, today)
    e = stmt.subquery("e")
    key = func.coalesce(e.c.list_type, e.c.name)
    grouped = select(e.c.list_type, key, func.count(), func.count(distinct(e.c.subject_id)))
    out: list[ListCount] = []
    for list_type, name, entries, subjects in session.execute(grouped.group_by(e.c.list_type, key)):
        lt = catalog.list_types.get(list_type) if list_type else None
        out.append(ListCount(
            list_type, lt.title if lt else str(name),
            lt.kind.value if lt else ListKind.SERIOUS.value, int(entries), int(subjects),
        ))  # fmt: skip
    return sorted(out, key=lambda c: (c.kind == ListKind.RED.value, c.title))


def listed_subjects(catalog: Catalog, today: date, kinds: tuple[str, ...]) -> Select[Any]:
    """SELECT of the subject ids with an entry in force on `today` on a list of these kinds."""
    stmt, resolved = _in_force(catalog, today)
    ids = [lt.id for lt in catalog.list_types.values() if lt.kind.value in kinds]
    wanted: ColumnElement[bool] = resolved.in_(ids)
    if ListKind.SERIOUS.value in kinds:  # an unknown imported list counts as serious
        wanted = or_(wanted, resolved.is_(None))
    e = stmt.where(wanted).subquery("listed")
    return select(e.c.subject_id).distinct()
