"""双公示 listings: the disclosed licences or penalties of all subjects, newest first, paginated.

The window of each record is computed by the rules (never a stored flag). To keep the scan small,
SQL first drops every record no rule could show today, by cutoffs the rules themselves give
(`rules.listing_cutoffs`: the earliest decision date still in window for the class, or for an
explicit severity, asked of `clock.period_last_day`; no longer valid by `valid_until`); the rules
then decide each remaining record (a severity classified from the fields, a status field, a
removal date).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from xinyong import archive, subjects
from xinyong.archive import ClassFilter
from xinyong.catalog import Catalog
from xinyong.disclosure.rules import listing_cutoffs
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


@dataclass(frozen=True, slots=True)
class ListingPage:
    query: ListingQuery
    items: tuple[tuple[dict[str, Any], PublicRecord], ...]  # (subject's public view, record)
    has_next: bool
    authorities: tuple[str, ...]


def listing(session: Session, query: ListingQuery, *, catalog: Catalog, today: date) -> ListingPage:
    """One page of the disclosed records of a class, with the authorities to filter by."""
    where = class_filter(query, catalog, today)
    skip = (query.page - 1) * query.per_page
    found: list[PublicRecord] = []
    subject_ids: list[int] = []
    after: tuple[date, int] | None = None
    while len(found) <= query.per_page:
        batch = archive.current_of_class(session, where, after=after, limit=BATCH)
        for record, window in windows(session, batch, catalog=catalog, today=today):
            if not window.shown:
                continue
            if skip:
                skip -= 1
                continue
            found.append(public_record(record, window, catalog))
            subject_ids.append(record.subject_id)
        if len(batch) < BATCH:
            break
        last = batch[-1]
        assert last.decision_date is not None  # the cutoffs keep undated records out
        after = (last.decision_date, last.id)
    shown = found[: query.per_page]
    views = {s.id: subjects.public_view(s) for s in subjects.by_ids(session, subject_ids)}
    items = tuple((views[sid], rec) for sid, rec in zip(subject_ids, shown, strict=False))
    return ListingPage(
        query=query,
        items=items,
        has_next=len(found) > query.per_page,
        authorities=tuple(archive.authorities_of_class(session, query.info_class)),
    )


def class_filter(query: ListingQuery, catalog: Catalog, today: date) -> ClassFilter:
    """The listing's filters plus the class's cutoffs as of today (`rules.listing_cutoffs`)."""
    cut = listing_cutoffs(catalog, query.info_class, today)
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
    )
