"""Entries in force counted in SQL: the region-wide figures (subjects per list, subjects on any
list of some kinds) without loading every entry into Python.

The same rule as `validity.in_force`, stated over the rows of `facts_statement` (both sources):
decided on or before the day; active (records); not exited (platform: `exited_on`; imported: the
record's `removed_on`); and not past its end — the stored or sent `valid_until`, or, for an entry
without one, decided on or after the first day whose computed expiry (`validity.expiry`, i.e.
`clock.period_last_day`) still reaches the day. That first day is found by asking
`validity.expiry` itself, so the period rule keeps its one place; the few distinct list names
present are matched by `validity.find_list_type` itself (id, or title); an unknown name is a
serious list of that name without a computed end. tests/test_list_counts.py checks these
figures entry by entry against `current_entries`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    distinct,
    func,
    literal,
    or_,
    select,
    true,
)
from sqlalchemy.orm import Session

from xinyong.catalog import Catalog, ListType
from xinyong.db.lean_record import key_field_sql
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


@dataclass(frozen=True, slots=True)
class _InForce:
    stmt: Select[Any]  # (subject_id, name) of every entry in force
    name: ColumnElement[Any]  # the entry's list as named (catalog id, title or imported name)
    types: dict[str, ListType]  # name → list type, for the names present (`find_list_type`)


def entry_name(f: Any, classes: dict[str, str | None]) -> ColumnElement[Any]:
    """A `facts_statement` row's list as named: the platform entry's list type, the info class's
    fixed list type, or the list an imported serious-list record names (its lean data)."""
    imported = f.c.source == "imported"
    fixed = case(
        *[(f.c.list_type == c, literal(lt)) for c, lt in classes.items() if lt], else_=None
    )
    listed = case(  # the row's own list name (the lean record may keep it in the natural key)
        *[
            (f.c.list_type == c, key_field_sql(c, "list_type", natural_key=f.c.natural_key,
                                               data=f.c.data))
            for c, lt in classes.items() if not lt
        ],
        else_=f.c.data["list_type"].as_string(),
    )  # fmt: skip
    return case((imported, func.coalesce(fixed, listed)), else_=f.c.list_type)


def alive_on(f: Any, today: date) -> ColumnElement[bool]:
    """Active, decided on or before `today` and not exited by then (platform: `exited_on`;
    imported: the record's `removed_on`) — `validity.in_force` but for the end of the period."""
    removed = f.c.data["removed_on"].as_string()
    not_exited = case(
        (f.c.source == "imported", or_(removed.is_(None), removed == "",
                                       removed > today.isoformat())),
        else_=or_(f.c.exited_on.is_(None), f.c.exited_on > today),
    )  # fmt: skip
    return and_(f.c.status == RecordStatus.ACTIVE.value, f.c.decided_on.is_not(None),
                f.c.decided_on <= today, not_exited)  # fmt: skip


def _in_force(session: Session, catalog: Catalog, today: date) -> _InForce:
    classes = list_entry_classes(catalog)
    f = facts_statement(list(classes)).subquery("f")
    named = entry_name(f, classes)
    alive = (
        select(f.c.subject_id, named.label("name"), f.c.decided_on, f.c.valid_until)
        .where(alive_on(f, today))
        .subquery("alive")
    )  # fmt: skip
    names = session.execute(select(alive.c.name).distinct()).scalars()
    types = {n: lt for n in names if n is not None and (lt := validity.find_list_type(catalog, n))}
    firsts = {n: day for n, lt in types.items() if (day := first_day_in_force(lt, today))}
    # no stored end: in force from the list type's first day (none: unknown list or no end)
    from_first: ColumnElement[bool] = true()
    if firsts:
        first = case(firsts, value=alive.c.name, else_=None)
        from_first = or_(first.is_(None), alive.c.decided_on >= first)
    not_ended = or_(alive.c.valid_until >= today, and_(alive.c.valid_until.is_(None), from_first))
    return _InForce(select(alive.c.subject_id, alive.c.name).where(not_ended), alive.c.name, types)


@dataclass(frozen=True, slots=True)
class ListCount:
    list_type: str | None  # catalog id; None: an imported list name no list type matches
    title: str
    kind: str  # ListKind value
    entries: int
    subjects: int


def in_force_counts(session: Session, *, catalog: Catalog, today: date) -> list[ListCount]:
    """Entries and distinct subjects in force on `today`, per list (one grouped query)."""
    found = _in_force(session, catalog, today)
    e = found.stmt.subquery("e")
    grouped = select(e.c.name, func.count(), func.count(distinct(e.c.subject_id)))
    per: dict[tuple[str | None, str], list[int]] = {}
    for name, entries, subjects in session.execute(grouped.group_by(e.c.name)):
        lt = found.types.get(name)
        key = (lt.id, lt.title) if lt else (None, str(name))
        if key in per:  # one list named two ways (id and title): count its subjects once
            per[key] = [per[key][0] + int(entries), -1]
        else:
            per[key] = [int(entries), int(subjects)]
    if any(v[1] < 0 for v in per.values()):
        _recount(session, found, per)
    out = [
        ListCount(list_type, title,
                  catalog.list_types[list_type].kind.value if list_type
                  else ListKind.SERIOUS.value, entries, subjects)
        for (list_type, title), (entries, subjects) in per.items()
    ]  # fmt: skip
    return sorted(out, key=lambda c: (c.kind == ListKind.RED.value, c.title))


def _recount(
    session: Session, found: _InForce, per: dict[tuple[str | None, str], list[int]]
) -> None:
    """Distinct subjects of the lists named more than one way."""
    for key, value in per.items():
        if value[1] >= 0:
            continue
        names = [n for n, lt in found.types.items() if lt.id == key[0]]
        e = found.stmt.where(found.name.in_(names)).subquery("e")
        value[1] = int(session.execute(select(func.count(distinct(e.c.subject_id)))).scalar_one())


def listed_subjects(
    session: Session, catalog: Catalog, today: date, kinds: tuple[str, ...]
) -> Select[Any]:
    """SELECT of the subject ids with an entry in force on `today` on a list of these kinds
    (an imported list no list type matches counts as serious)."""
    found = _in_force(session, catalog, today)
    names = [n for n, lt in found.types.items() if lt.kind.value in kinds]
    wanted: ColumnElement[bool] = found.name.in_(names)
    if ListKind.SERIOUS.value in kinds:
        wanted = or_(wanted, found.name.not_in(list(found.types)) if found.types else true())
    e = found.stmt.where(wanted).subquery("listed")
    return select(e.c.subject_id).distinct()
