"""The subject page by section (portal tab), one page of each: what a subject with thousands of
records shows without reading them all (issue 17: the page costs the same for 10 × the records).

Each section holds the subject's records of the tab's classes that the rules show today, newest
decision first, `per_page` at a time; the next page follows a keyset (`after`: the last row's
decision date and id). SQL first keeps only what a rule could show — the listing's filter of each
class (`listing.class_filter`: cutoffs, and for penalties the exact severity plan) — and the
rules (`views.windows`) decide each remaining record, as on every public surface.

A section's count is exact and costs a bounded amount: it reads at most `SQL_COUNT_CAP` + 1 of the
subject's entries in the subject index for the section's classes and dates (one statement), counts
in SQL those it decides exactly (penalties with a current stored severity basis) and hands the
others to the rules, up to `RULES_COUNT_CAP` of them. Beyond either cap the count is a floor and
says so ("至少 N 条", "N+" on the tab); it never counts a record the rules would not show.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from xinyong import archive
from xinyong.catalog import Catalog
from xinyong.catalog.schema import InfoClass
from xinyong.db.tables import Subject
from xinyong.disclosure.listing import ListingQuery, class_filter
from xinyong.disclosure.views import PUNISHMENT_TAB, PublicRecord, public_record, tab_of, windows
from xinyong.enums import Disclosure

# The subject page's sections, in its order (views.TAB_OF_CLASS; "other" is not a section).
SECTIONS = ("licences", "penalties", "incentives", PUNISHMENT_TAB, "breaches")
PER_PAGE = 20  # records of a section on one page
BATCH = 100  # records the rules decide per round trip while filling a page
SQL_COUNT_CAP = 1_000  # index entries a count walks at most (+ 1: more makes the count a floor)
RULES_COUNT_CAP = 200  # records the rules decide for a count at most
ALL = "all"  # every public class at once (`public_page`)

Conditions = Sequence[ColumnElement[bool]]


@dataclass(frozen=True, slots=True)
class Section:
    """One page of one section: its records, how many the section holds, where the page starts
    (`page`, `after`) and the keyset of the next page (None: this is the last)."""

    tab: str
    items: tuple[PublicRecord, ...]
    count: int
    count_is_floor: bool = False
    page: int = 1
    after: tuple[date, int] | None = None
    next_after: tuple[date, int] | None = None
    per_page: int = PER_PAGE

    def count_label(self, extra: int = 0) -> str:
        """The count for the tab (plus `extra` items the platform itself shows in the tab)."""
        total = self.count + extra
        return f"{total:,}+" if self.count_is_floor else f"{total:,}"

    @property
    def count_sentence(self) -> str:
        """The count under the section: 共 N 条, or 至少 N 条 beyond the caps."""
        return f"至少 {self.count:,} 条" if self.count_is_floor else f"共 {self.count:,} 条"

    @property
    def first_number(self) -> int:
        return (self.page - 1) * self.per_page + 1


@dataclass(frozen=True, slots=True)
class SubjectSections:
    """The subject page's sections, by tab."""

    sections: dict[str, Section] = field(default_factory=dict)

    def __getitem__(self, tab: str) -> Section:
        return self.sections[tab]

    def __getattr__(self, tab: str) -> Section:  # templates write `sections.penalties`
        try:
            return self.sections[tab]
        except KeyError:
            raise AttributeError(tab) from None


def public_classes(catalog: Catalog) -> list[InfoClass]:
    """Every publicly disclosed class but registration data (the sections' and "other")."""
    return [
        info
        for info in catalog.info_classes.values()
        if info.kind != "registration" and info.disclosure.attribute == Disclosure.PUBLIC
    ]


def section_classes(catalog: Catalog, tab: str) -> list[InfoClass]:
    """The publicly disclosed classes a section shows (registration data is the subject's own
    facts, a class not public is never shown)."""
    return [info for info in public_classes(catalog) if tab_of(info) == tab]


def subject_sections(
    session: Session,
    subject: Subject,
    *,
    catalog: Catalog,
    today: date,
    tab: str | None = None,
    page: int = 1,
    after: tuple[date, int] | None = None,
    per_page: int = PER_PAGE,
) -> SubjectSections:
    """Every section's first page; the section `tab` at `page` (after the keyset `after`; without
    one, the records before the page are skipped, as the listing's page numbers do)."""
    every = {name: section_classes(catalog, name) for name in SECTIONS}
    present = archive.classes_of_subject(
        session, subject.id, [info.id for infos in every.values() for info in infos]
    )  # one statement: the sections without any record cost nothing more
    out = {}
    for name in SECTIONS:
        at, key = (page, after) if name == tab else (1, None)
        if not any(info.id in present for info in every[name]):
            out[name] = Section(tab=name, items=(), count=0, page=at, after=key,
                                per_page=per_page)  # fmt: skip
            continue
        out[name] = section(session, subject, name, catalog=catalog, today=today, page=at,
                            after=key, per_page=per_page)  # fmt: skip
    return SubjectSections(out)


def section(
    session: Session,
    subject: Subject,
    tab: str,
    *,
    catalog: Catalog,
    today: date,
    page: int = 1,
    after: tuple[date, int] | None = None,
    per_page: int = PER_PAGE,
) -> Section:
    """One page of one section, with the section's count."""
    filters, every = _filters(catalog, tab, today)
    skip = 0 if after else (page - 1) * per_page
    found = _shown(session, subject.id, every, catalog=catalog, today=today, after=after,
                   skip=skip, limit=per_page + 1)  # fmt: skip
    items = tuple(record for record, _ in found[:per_page])
    has_next = len(found) > per_page
    if page == 1 and not has_next:
        count, floor = len(items), False  # the whole section is on this page
    else:
        count, floor = _count(session, subject.id, filters, catalog=catalog, today=today)
    return Section(
        tab=tab,
        items=items,
        count=count,
        count_is_floor=floor,
        page=page,
        after=after,
        next_after=found[per_page - 1][1] if has_next else None,
        per_page=per_page,
    )


def public_page(
    session: Session,
    subject: Subject,
    *,
    catalog: Catalog,
    today: date,
    after: tuple[date, int] | None = None,
    per_page: int = PER_PAGE,
) -> Section:
    """One page of every record the rules show of the subject, all sections together, newest
    decision first, after the keyset `after` (the API's public view), with the count as a
    section's (exact up to the caps, a floor beyond)."""
    filters, conditions = _filters(catalog, ALL, today)
    found = _shown(session, subject.id, conditions, catalog=catalog, today=today, after=after,
                   limit=per_page + 1)  # fmt: skip
    items = tuple(record for record, _ in found[:per_page])
    has_next = len(found) > per_page
    if after is None and not has_next:
        count, floor = len(items), False
    else:
        count, floor = _count(session, subject.id, filters, catalog=catalog, today=today)
    return Section(tab=ALL, items=items, count=count, count_is_floor=floor, after=after,
                   next_after=found[per_page - 1][1] if has_next else None,
                   per_page=per_page)  # fmt: skip


_KEPT = 64  # filters kept (a catalog version × section × day each)
_kept: dict[tuple[str, str, date], tuple[list[archive.ClassFilter], list[Conditions]]] = {}


def _filters(
    catalog: Catalog, tab: str, today: date
) -> tuple[list[archive.ClassFilter], list[Conditions]]:
    """The listing's filter of each class of the section and its SQL conditions, built once per
    catalog version and day (the plan behind them is a day's: `spans.severity_plan`)."""
    key = (catalog.version, tab, today)
    if key not in _kept:
        if len(_kept) > _KEPT:
            _kept.clear()
        infos = public_classes(catalog) if tab == ALL else section_classes(catalog, tab)
        filters = [class_filter(ListingQuery(info.id), catalog, today) for info in infos]
        _kept[key] = (filters, [archive.class_conditions(f) for f in filters])
    return _kept[key]


def any_shown(session: Session, subject: Subject, *, catalog: Catalog, today: date) -> bool:
    """Whether the rules show any of the subject's records today (in any section or none)."""
    tabs = {tab_of(info) for info in catalog.info_classes.values()}
    return any(
        _shown(session, subject.id, _filters(catalog, tab, today)[1], catalog=catalog,
               today=today, limit=1)
        for tab in sorted(tabs)
    )  # fmt: skip


def _shown(
    session: Session,
    subject_id: int,
    classes: Sequence[Conditions],
    *,
    catalog: Catalog,
    today: date,
    after: tuple[date, int] | None = None,
    skip: int = 0,
    limit: int,
) -> list[tuple[PublicRecord, tuple[date, int]]]:
    """The first `limit` records the rules show, after skipping `skip` shown ones, with each
    one's keyset; read in batches so a section costs about the rows it shows."""
    found: list[tuple[PublicRecord, tuple[date, int]]] = []
    if not classes:
        return found
    while len(found) < limit:
        wanted = min(BATCH, skip + limit - len(found))
        batch = archive.current_of_subject(session, subject_id, classes, after=after,
                                           limit=wanted)  # fmt: skip
        for record, window in windows(session, batch, catalog=catalog, today=today):
            if not window.shown:
                continue
            if skip:
                skip -= 1
                continue
            assert record.decision_date is not None  # the filters keep undated records out
            found.append((public_record(record, window, catalog), (record.decision_date,
                                                                   record.id)))  # fmt: skip
        if len(batch) < wanted:
            break
        last = batch[-1]
        assert last.decision_date is not None
        after = (last.decision_date, last.id)
    return found[:limit]


def _count(
    session: Session, subject_id: int, filters: list[archive.ClassFilter], *, catalog: Catalog,
    today: date,
) -> tuple[int, bool]:  # fmt: skip
    """(records the section shows, whether that is a floor), read in at most `SQL_COUNT_CAP` + 1
    of the subject's index entries of the section (`archive.tally_of_subject`): SQL counts the
    ones it decides exactly, the rules decide the rest (up to `RULES_COUNT_CAP`). More entries
    than the cap, or more left to the rules than theirs: what was counted is a floor."""
    tally = archive.tally_of_subject(
        session, subject_id, [archive.class_span(f) for f in filters],
        decided=[archive.class_conditions(f, severity="decided") for f in filters
                 if f.severity_shown is not None],
        undecided=[archive.class_conditions(f, severity="undecided") for f in filters],
        cap=SQL_COUNT_CAP, rules_cap=RULES_COUNT_CAP,
    )  # fmt: skip
    rest = tally.undecided
    by_rules = sum(w.shown for _, w in windows(session, rest[:RULES_COUNT_CAP], catalog=catalog,
                                                 today=today))  # fmt: skip
    floor = tally.walked > SQL_COUNT_CAP or len(rest) > RULES_COUNT_CAP
    return tally.decided + by_rules, floor
