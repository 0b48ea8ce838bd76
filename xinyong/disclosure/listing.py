"""双公示 listings: the disclosed licences or penalties of all subjects, newest first, paginated.

The window of each record is computed by the rules (never a stored flag). SQL first drops every
record no rule could show today, by cutoffs the rules themselves give (`rules.listing_cutoffs`:
the earliest decision date still in window for the class; no longer valid by `valid_until`) and,
for penalties, exactly by the stored severity (`spans.severity_plan`: the decision dates each
stored severity basis is shown for today). The rules then decide each remaining record — for a
classified penalty they agree with SQL; a record without a current basis, a status field or a
removal date is theirs alone. Pages follow a keyset (`after`: the last row's decision date and
id), so a page costs its own rows whatever the archive's size.
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


@dataclass(frozen=True, slots=True)
class ListingPage:
    query: ListingQuery
    items: tuple[tuple[dict[str, Any], PublicRecord], ...]  # (subject's public view, record)
    has_next: bool
    authorities: tuple[str, ...]
    next_after: tuple[date, int] | None = None  # the keyset of the next page


def listing(session: Session, query: ListingQuery, *, catalog: Catalog, today: date) -> ListingPage:
    """One page of the disclosed records of a class, with the authorities to filter by."""
    where = class_filter(query, catalog, today)
    skip = 0 if query.after else (query.page - 1) * query.per_page
    found: list[tuple[PublicRecord, tuple[date, int]]] = []
    subject_ids: list[int] = []
    after = query.after
    while len(found) <= query.per_page:
        wanted = min(BATCH, skip + query.per_page + 1 - len(found))
        batch = archive.current_of_class(session, where, after=after, limit=wanted)
        for record, window in windows(session, batch, catalog=catalog, today=today):
            if not window.shown:
                continue
            if skip:
                skip -= 1
                continue
            assert record.decision_date is not None  # the cutoffs keep undated records out
            found.append(
                (public_record(record, window, catalog), (record.decision_date, record.id))
            )
            subject_ids.append(record.subject_id)
        if len(batch) < wanted:
            break
        last = batch[-1]
        assert last.decision_date is not None
        after = (last.decision_date, last.id)
    shown = found[: query.per_page]
    views = {s.id: subjects.public_view(s) for s in subjects.by_ids(session, subject_ids)}
    items = tuple((views[sid], rec) for sid, (rec, _) in zip(subject_ids, shown, strict=False))
    has_next = len(found) > query.per_page
    return ListingPage(
        query=query,
        items=items,
        has_next=has_next,
        authorities=tuple(archive.authorities_of_class(session, query.info_class)),
        next_after=shown[-1][1] if has_next and shown else None,
    )


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
