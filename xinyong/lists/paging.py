"""Entries in force, one page at a time in the query: /admin/lists and the public list pages.

The rows are `facts_statement`'s (both sources) joined to their subject; SQL keeps the entries in
force on the day by the same conditions as `counts` (`alive_on`, and the end of the period: the
stored or sent `valid_until`, else decided on or after the list type's `first_day_in_force`),
the filters (list type, source, name or code, published) and the order, and reads one page after
the last row's position (`db.keyset`). Each row is then made a hit by `validity.hit` itself, so
what a page shows is what `current_entries` shows, in the same order:

- the officers' list (`newest_first=False`): red lists last, by list title, by number — the order
  of `validity.hits` (of one list: by number, what the indexes hold);
- a public list (`newest_first=True`): newest decision first, then that order.

A list name an imported record sends is matched to a list type as `validity.find_list_type`
does (id, else title); titles sort by code point on both databases (Python's order).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal, or_, select
from sqlalchemy.orm import Session

from xinyong.catalog import Catalog
from xinyong.db import keyset
from xinyong.db.tables import Subject
from xinyong.enums import ListKind
from xinyong.lists import validity
from xinyong.lists.counts import alive_on, entry_name, first_day_in_force
from xinyong.lists.queries import CurrentEntry, facts_of_row, facts_statement, list_entry_classes

ENTRIES_PAGE = 100
MAX_SKIP_PAGE = 100  # a page number typed without a position skips at most this many pages


@dataclass(frozen=True, slots=True)
class EntryQuery:
    list_type: str | None = None  # catalog id; None: every list
    source: str = ""  # "platform" (本平台认定) | "imported" (归集导入) | "" both
    q: str = ""  # part of the subject's name, or its whole code
    code_any_case: bool = True  # the officers' page matches a code in any case; the portal exactly
    published_only: bool = False  # the portal: platform entries from their publication day
    newest_first: bool = False  # the portal's order: newest decision first

    @property
    def key_kinds(self) -> tuple[type, ...]:
        """A position's values: (decision day,) (red, title,) number, source."""
        kinds: tuple[type, ...] = (int, str)  # number, source
        kinds = kinds if self.list_type else (int, str, *kinds)  # red, title of every list
        return (date, *kinds) if self.newest_first else kinds


@dataclass(frozen=True, slots=True)
class EntriesPage:
    entries: tuple[CurrentEntry, ...]
    count: keyset.Count  # capped ("至少 N 条")
    next_key: keyset.Key | None
    first_key: keyset.Key | None
    has_previous: bool


def entries_statement(
    session: Session, catalog: Catalog, today: date, query: EntryQuery
) -> tuple[Any, keyset.Order]:
    """The entries in force on `today` the query asks for (a subquery `e`), and their order."""
    classes = list_entry_classes(catalog)
    wanted_classes = list(classes)
    if query.list_type is not None:  # imported classes of that list, or naming their list
        wanted_classes = [c for c, lt in classes.items() if lt in (None, query.list_type)]
    f = facts_statement(
        wanted_classes,
        platform_types=None if query.list_type is None else [query.list_type],
    ).subquery("f")
    named = entry_name(f, classes)
    types = list(catalog.list_types.values())
    # the list type a row names, as `validity.find_list_type` finds it: a platform entry's or a
    # fixed class's is its id; a name an imported record sends matches an id, else a title
    by_name = func.coalesce(
        case({lt.id: lt.id for lt in types}, value=named),
        case({lt.title: lt.id for lt in types}, value=func.trim(named)),
    )
    canon = case((f.c.source == "platform", f.c.list_type),
                 *[(f.c.list_type == c, literal(lt)) for c, lt in classes.items() if lt],
                 else_=by_name)  # fmt: skip
    title = case({lt.id: lt.title for lt in types}, value=canon, else_=named)
    red = case((canon.in_([lt.id for lt in types if lt.kind == ListKind.RED]), 1), else_=0)
    firsts = {lt.id: day for lt in types if (day := first_day_in_force(lt, today))}
    from_first: ColumnElement[bool] = literal(True)
    if query.list_type is not None:  # one list: one first day, a plain range the planner reads
        if day := firsts.get(query.list_type):
            from_first = f.c.decided_on >= day
    elif firsts:
        first = case(firsts, value=canon, else_=None)
        from_first = or_(first.is_(None), f.c.decided_on >= first)
    not_ended = or_(f.c.valid_until >= today, and_(f.c.valid_until.is_(None), from_first))
    stmt = select(f, title.label("title"), red.label("red")).where(alive_on(f, today), not_ended)
    if query.list_type is not None:  # platform entries and fixed classes are of it already
        fixed = [c for c, lt in classes.items() if lt == query.list_type]
        stmt = stmt.where(or_(f.c.source == "platform", f.c.list_type.in_(fixed),
                              canon == query.list_type))  # fmt: skip
    if query.source:
        stmt = stmt.where(f.c.source == query.source)
    if query.published_only:
        stmt = stmt.where(or_(f.c.source == "imported", f.c.published_on <= today))
    if wanted := query.q.strip():  # the subject joined only to filter (a page reads its own)
        code = (func.upper(Subject.code) == wanted.upper() if query.code_any_case
                else Subject.code == wanted)  # fmt: skip
        stmt = stmt.join(Subject, Subject.id == f.c.subject_id).where(
            or_(_contains(session, Subject.name, wanted), code)
        )
    e = stmt.subquery("e")
    # one list: its title and kind are the same on every row, so the order is the number's
    # (and the decision day's first on the portal), which the indexes hold
    columns: list[Any] = [e.c.source_id, keyset.Column(e.c.source, descending=True)]
    if query.list_type is None:
        columns = [keyset.Column(e.c.red, not_null=True), e.c.title, *columns]
    if query.newest_first:
        columns.insert(0, keyset.Column(e.c.decided_on, descending=True, not_null=True))
    return e, keyset.Order.of(*columns)


def entries_page(
    session: Session, *, catalog: Catalog, today: date, query: EntryQuery,
    after: keyset.Key | None = None, before: keyset.Key | None = None, page: int = 1,
    per_page: int = ENTRIES_PAGE,
) -> EntriesPage:  # fmt: skip
    """One page of the entries in force: after the position `after`, just before `before` (the
    previous page), or — a page number typed without a position — skipping the pages before it
    (at most `MAX_SKIP_PAGE`); the count reads at most `keyset.DEFAULT_CAP` + 1 rows."""
    e, order = entries_statement(session, catalog, today, query)
    skip = (min(page, MAX_SKIP_PAGE) - 1) * per_page if after is None and before is None else 0
    rows = keyset.window(session, select(e), order, limit=per_page + 1, after=after,
                         before=before, skip=skip)  # fmt: skip
    if before is not None:
        shown, has_next, has_previous = rows[-per_page:], True, len(rows) > per_page
    else:
        shown, has_next, has_previous = rows[:per_page], len(rows) > per_page, bool(after or skip)
    key_of = _key_of(query)
    return EntriesPage(
        entries=tuple(_entries(session, shown, catalog, today)),
        count=keyset.capped_count(session, select(e)),
        next_key=key_of(shown[-1]) if has_next and shown else None,
        first_key=key_of(shown[0]) if shown else None,
        has_previous=has_previous,
    )


def _entries(
    session: Session, rows: list[Any], catalog: Catalog, today: date
) -> list[CurrentEntry]:
    classes = list_entry_classes(catalog)
    ids = {row.subject_id for row in rows}
    who = {r.id: r for r in session.execute(
        select(Subject.id, Subject.code, Subject.name, Subject.code_kind)
        .where(Subject.id.in_(ids)))} if ids else {}  # fmt: skip
    out = []
    for row in rows:
        fact = facts_of_row(row, classes)
        found = validity.hit(fact, catalog, today) if fact is not None else None
        if found is not None:  # SQL states the rule; the rule has the last word
            s = who[row.subject_id]
            out.append(CurrentEntry(found, row.subject_id, s.code, s.name, s.code_kind))
    return out


def _key_of(query: EntryQuery) -> Any:
    def key(row: Any) -> keyset.Key:
        rest: tuple[Any, ...] = (row.source_id, row.source)
        rest = rest if query.list_type else (row.red, row.title, *rest)
        return (row.decided_on, *rest) if query.newest_first else rest

    return key


def _code_order(session: Session, text: ColumnElement[Any]) -> ColumnElement[Any]:
    """Text that sorts by code point, as Python's sort does (PostgreSQL: the "C" collation)."""
    return text.collate("C") if session.get_bind().dialect.name == "postgresql" else text


def _contains(session: Session, column: Any, part: str) -> ColumnElement[bool]:
    """`part in column`, case-sensitive as Python's `in` (SQLite's LIKE is not)."""
    if session.get_bind().dialect.name == "postgresql":
        return func.strpos(column, part) > 0
    return func.instr(column, part) > 0
