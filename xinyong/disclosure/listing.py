"""双公示 listings: the disclosed licences or penalties of all subjects, newest first, paginated.

The window of each record is computed by the rules (never a stored flag). SQL first drops every
record no rule could show today, by cutoffs the rules themselves give (`rules.listing_cutoffs`:
the earliest decision date still in window for the class; no longer valid by `valid_until`) and,
for penalties, exactly by the stored severity (`spans.severity_plan`: the decision dates each
stored severity basis is shown for today). The rules then decide each remaining record — for a
classified penalty they agree with SQL; a record without a current basis, a status field or a
removal date is theirs alone. Pages follow a keyset (`after`: the last row's decision date and
id), and the previous page's link reads backwards from the first row's keyset (`before`), so a
page reached by its links costs its own rows whatever the archive's size; no total is counted.
Only a page number typed without a keyset skips the shown rows before it (≤ 1,000 pages).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from xinyong import archive, subjects
from xinyong.archive import ClassFilter
from xinyong.catalog import Catalog
from xinyong.db.tables import Record
from xinyong.disclosure.rules import listing_cutoffs
from xinyong.disclosure.spans import severity_plan
from xinyong.disclosure.views import PublicRecord, public_record, windows

BATCH = 500  # records the rules decide per round trip
LISTED_CLASSES = ("penalty", "licence")  # 双公示: 行政许可 and 行政处罚


@dataclass(frozen=True, slots=True)
class ListingQuery:
    info_class: str
    authority_name: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    page: int = 1
    per_page: int = 20
    after: tuple[date, int] | None = None  # the keyset: start after this (decision date, id)
    before: tuple[date, int] | None = None  # the previous page: the rows just before this keyset


@dataclass(frozen=True, slots=True)
class ListingPage:
    query: ListingQuery
    items: tuple[tuple[dict[str, Any], PublicRecord], ...]  # (subject's public view, record)
    has_next: bool
    authorities: tuple[str, ...]
    next_after: tuple[date, int] | None = None  # the keyset of the next page
    first_key: tuple[date, int] | None = None  # the first row's keyset (the previous page's link)


def listing(session: Session, query: ListingQuery, *, catalog: Catalog, today: date) -> ListingPage:
    """One page of the disclosed records of a class, with the authorities to filter by."""
    where = class_filter(query, catalog, today)
    if query.before is not None:
        found = _shown(session, where, query, catalog=catalog, today=today, backwards=True)
        shown = found[: query.per_page][::-1]  # the rows nearest the keyset, newest first
        has_next = True  # the keyset's own row follows this page
    else:
        found = _shown(session, where, query, catalog=catalog, today=today)
        shown = found[: query.per_page]
        has_next = len(found) > query.per_page
    ids = [record.subject_id for _, record, _ in shown]
    views = {s.id: subjects.public_view(s) for s in subjects.by_ids(session, ids)}
    return ListingPage(
        query=query,
        items=tuple((views[record.subject_id], rec) for rec, record, _ in shown),
        has_next=has_next,
        authorities=tuple(archive.authorities_of_class(session, query.info_class)),
        next_after=shown[-1][2] if has_next and shown else None,
        first_key=shown[0][2] if shown else None,
    )


def _shown(
    session: Session,
    where: ClassFilter,
    query: ListingQuery,
    *,
    catalog: Catalog,
    today: date,
    backwards: bool = False,
) -> list[tuple[PublicRecord, Record, tuple[date, int]]]:
    """Up to `per_page` + 1 records the rules show, each with its keyset, in reading order:
    after `query.after` (or from the newest, skipping the pages before `query.page`), or — going
    `backwards` — before `query.before`, nearest first. Read in batches of `BATCH`."""
    skip = 0 if (query.after or backwards) else (query.page - 1) * query.per_page
    found: list[tuple[PublicRecord, Record, tuple[date, int]]] = []
    key = query.before if backwards else query.after
    while len(found) <= query.per_page:
        wanted = min(BATCH, skip + query.per_page + 1 - len(found))
        side = {"before": key} if backwards else {"after": key}
        batch = archive.current_of_class(session, where, limit=wanted, **side)
        for record, window in windows(session, batch, catalog=catalog, today=today):
            if not window.shown:
                continue
            if skip:
                skip -= 1
                continue
            assert record.decision_date is not None  # the cutoffs keep undated records out
            keyset = (record.decision_date, record.id)
            found.append((public_record(record, window, catalog), record, keyset))
        if len(batch) < wanted:
            break
        last = batch[-1]
        assert last.decision_date is not None
        key = (last.decision_date, last.id)
    return found


def class_filter(query: ListingQuery, catalog: Catalog, today: date) -> ClassFilter:
    """The listing's filters plus the class's cutoffs as of today (`rules.listing_cutoffs`)."""
    cut = listing_cutoffs(catalog, query.info_class, today)
    plan = severity_plan(catalog, query.info_class, today)
    return ClassFilter(
        info_class=query.info_class,
        authority_name=query.authority_name,
        date_from=query.date_from,
        date_to=query.date_to,
        decided_since=cut.decided_since,
        decided_until=today,  # a decision dated after today is not shown yet
        severity_since=tuple(cut.by_severity.items()) if cut.by_severity else None,
        valid_on=today if cut.end_is_valid_until else None,
        long_term_sentinel=cut.long_term_sentinel,
        undated_since=cut.undated_since,
        severity_shown=None if plan is None else plan.groups,
        severity_known=() if plan is None else plan.known,
    )
