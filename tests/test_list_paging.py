"""`lists.paging` reads entries in force one page at a time in the query; walked page by page it
shows exactly what the full read (`current_entries`, the former in-memory pages) showed, in the
same order, whatever the filters — on entries around every edge of the in-force rule."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import SYSTEM, make_record, make_subject
from tests.factories.lists import listed
from tests.test_list_counts import DAYS
from tests.test_list_counts import entries as edge_entries  # noqa: F401  (the fixture)
from xinyong import lists
from xinyong.catalog import Catalog
from xinyong.clock import Calendar
from xinyong.db import keyset
from xinyong.lists import EntryQuery, entries_page

PER_PAGE = 3
Row = tuple[str, int, str, str]  # an entry as the tests compare it


@pytest.fixture
def more(session: Session, catalog: Catalog, calendar: Calendar, edge_entries: None) -> None:  # noqa: F811
    """Ties on the decision day across both sources, names that differ only in ASCII case."""
    for i, name in enumerate(("分页ABC贸易有限公司", "分页abc贸易有限公司", "分页测试有限公司")):
        subject = make_subject(session, name=name)
        for n in range(3):
            make_record(session, subject, info_class="court_defaulter",
                        decision_date=date(2025, 3, 1 + n % 2),
                        data={"decision_number": f"（2025）分页{i}{n}号"})  # fmt: skip
        listed(session, subject, "watch", catalog=catalog, calendar=calendar, actor=SYSTEM,
               proposed_on=date(2026, 9, 1))  # fmt: skip


def old_admin(session: Session, catalog: Catalog, today: date, q: EntryQuery) -> list[Row]:
    """The entries the officers' page showed when it paged in memory (its former filter)."""
    found = lists.current_entries(session, catalog=catalog, today=today, list_type=q.list_type)
    wanted = q.q.strip()
    return [_id(e) for e in found
            if (not q.source or (e.hit.source == "platform") == (q.source == "platform"))
            and (not wanted or wanted in e.subject_name
                 or wanted.upper() == e.subject_code.upper())]  # fmt: skip


def walk(session: Session, catalog: Catalog, today: date, q: EntryQuery) -> list[Row]:
    """Every page after the other, following the next page's position."""
    seen: list[Row] = []
    after = None
    for _ in range(1000):
        page = entries_page(session, catalog=catalog, today=today, query=q, after=after,
                            per_page=PER_PAGE)  # fmt: skip
        assert len(page.entries) <= PER_PAGE
        seen += [_id(e) for e in page.entries]
        if page.next_key is None:
            return seen
        assert len(page.entries) == PER_PAGE
        after = keyset.decode(keyset.encode(page.next_key), q.key_kinds)  # as a link carries it
    raise AssertionError("the pages never end")


def _id(e: lists.CurrentEntry) -> Row:
    return (e.hit.source, e.hit.source_id, e.hit.list_title, e.subject_name)


QUERIES = [
    EntryQuery(),
    EntryQuery(list_type="court_defaulter"),
    EntryQuery(list_type="market_regulation_serious"),
    EntryQuery(list_type="red", source="platform"),
    EntryQuery(source="imported"),
    EntryQuery(q="分页ABC"),
    EntryQuery(q="分页", list_type="court_defaulter"),
]


@pytest.mark.parametrize("today", DAYS)
@pytest.mark.usefixtures("more")
def test_walking_the_pages_shows_every_entry_once_in_the_former_order(
    session: Session, catalog: Catalog, today: date
) -> None:
    for q in QUERIES:
        expected = old_admin(session, catalog, today, q)
        assert walk(session, catalog, today, q) == expected, q
        assert len(set(expected)) == len(expected)


@pytest.mark.usefixtures("more")
def test_the_filters_and_the_edges_are_exercised(session: Session, catalog: Catalog) -> None:
    today = date(2026, 11, 30)
    sizes = [len(old_admin(session, catalog, today, q)) for q in QUERIES]
    assert min(sizes[:5]) > 0
    assert sizes[0] > 3 * PER_PAGE  # several pages
    names = {e[3] for e in old_admin(session, catalog, today, EntryQuery(q="分页ABC"))}
    assert names == {"分页ABC贸易有限公司"}  # a name matches in its own case only


@pytest.mark.parametrize("today", DAYS[:3])
@pytest.mark.usefixtures("more")
def test_a_public_list_walked_page_by_page_is_the_former_listing(
    session: Session, catalog: Catalog, today: date
) -> None:
    for list_type, q in (("court_defaulter", ""), ("court_defaulter", "分页"), ("red", "")):
        if list_type not in {lt.id for lt in lists.public_types(catalog)}:
            continue
        expected = lists.public_listing(session, list_type, catalog=catalog, today=today, q=q)
        shown: list[dict[str, Any]] = []
        after, page = None, 1
        while True:
            rows, found = lists.public_page(session, list_type, catalog=catalog, today=today,
                                            q=q, after=after, page=page)  # fmt: skip
            shown += rows
            if found.next_key is None:
                break
            after, page = found.next_key, page + 1
        assert shown == expected


@pytest.mark.usefixtures("more")
def test_the_previous_page_is_the_page_before(session: Session, catalog: Catalog) -> None:
    today, q = date(2026, 11, 30), EntryQuery()
    pages, after = [], None
    while True:
        page = entries_page(session, catalog=catalog, today=today, query=q, after=after,
                            per_page=PER_PAGE)  # fmt: skip
        pages.append(page)
        if page.next_key is None:
            break
        after = page.next_key
    assert len(pages) > 2
    for earlier, later in itertools.pairwise(pages):
        back = entries_page(session, catalog=catalog, today=today, query=q,
                            before=later.first_key, per_page=PER_PAGE)  # fmt: skip
        assert back.entries == earlier.entries
        assert back.has_previous == (earlier is not pages[0])
    typed = entries_page(session, catalog=catalog, today=today, query=q, page=2,
                         per_page=PER_PAGE)  # fmt: skip
    assert typed.entries == pages[1].entries  # a page number typed without a position


@pytest.mark.usefixtures("more")
def test_the_count_is_exact_up_to_its_cap_and_a_floor_beyond(
    session: Session, catalog: Catalog
) -> None:
    today = date(2026, 11, 30)
    page = entries_page(session, catalog=catalog, today=today, query=EntryQuery())
    expected = len(old_admin(session, catalog, today, EntryQuery()))
    assert page.count.n == min(expected, keyset.DEFAULT_CAP)
    e, _ = lists.paging.entries_statement(session, catalog, today, EntryQuery())
    capped = keyset.capped_count(session, select(e), cap=2)
    assert (capped.n, capped.is_floor, capped.words) == (2, True, "至少 2 条")
