"""Public portal pages (the front page is in `public_lists`): search results, subject page with
tabs, 信用码 card, and the 双公示 listings. Routes only: the domain decides what is shown."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from xinyong import disclosure, identifiers, related_parties, subjects
from xinyong.db.tables import Subject
from xinyong.disclosure import ListingQuery
from xinyong.errors import InvalidInput
from xinyong.web import evaluation as evaluation_web
from xinyong.web import profile
from xinyong.web.deps import CurrentCatalog, DbSession, Today
from xinyong.web.inputs import KEYSET, keyset
from xinyong.web.portal import qr
from xinyong.web.templating import templates

router = APIRouter(include_in_schema=False)
PER_PAGE = 20


@router.get("/search", response_class=HTMLResponse)
def search(
    request: Request, session: DbSession, catalog: CurrentCatalog, today: Today,
    q: str = Query("", max_length=100),
) -> HTMLResponse:  # fmt: skip
    hits = profile.public_search(session, q, limit=50, catalog=catalog, today=today)
    found = [subjects.public_view(s) for s in hits]
    shown_q = identifiers.mask_text(q)  # an ID number typed as the query is not echoed back
    context = {"q": shown_q, "results": found}
    return templates.TemplateResponse(request, "portal/search.html", context)


SECTION_TABS = Literal["licences", "penalties", "incentives", "punishments", "breaches"]


@router.get("/subjects/{ref}", response_class=HTMLResponse)
def subject_page(
    request: Request,
    session: DbSession,
    catalog: CurrentCatalog,
    today: Today,
    ref: str,
    tab: SECTION_TABS | None = None,
    page: int = Query(1, ge=1, le=1000),
    after: str | None = Query(None, max_length=40, pattern=KEYSET),
) -> HTMLResponse:
    """The subject page: one page of each section (newest first); `tab`, `page` and `after`
    turn the pages of one section (its next-page link)."""
    subject = profile.public_subject(session, ref, catalog, today)
    sections = disclosure.subject_sections(
        session, subject, catalog=catalog, today=today, tab=tab, page=page, after=_after(after)
    )
    view, url = _address(request, subject)
    context = {
        "s": view,
        "sections": sections,
        "today": today,
        "qr_svg": qr.svg(url, title=f"{view['name']}的信用码"),
        "related": related_parties.related_organisations(
            session, subject, catalog=catalog, today=today
        ),
        **profile.platform_profile(session, subject.id, catalog, today),
        **evaluation_web.portal_context(session, subject, catalog, today),
    }
    return _noindex(templates.TemplateResponse(request, "portal/subject.html", context), subject)


@router.get("/subjects/{ref}/card", response_class=HTMLResponse)
def credit_code_card(
    request: Request, session: DbSession, catalog: CurrentCatalog, today: Today, ref: str
) -> HTMLResponse:
    """The printable 信用码 card: the subject's name, code and QR code (no records)."""
    subject = profile.public_subject(session, ref, catalog, today)
    view, url = _address(request, subject)
    context = {"s": view, "today": today, "public_url": url,
               "qr_svg": qr.svg(url, title=f"{view['name']}的信用码")}  # fmt: skip
    return _noindex(templates.TemplateResponse(request, "portal/card.html", context), subject)


def _address(request: Request, subject: Subject) -> tuple[dict[str, Any], str]:
    """The subject's public facts and the public address of its page (the QR code's)."""
    view = subjects.public_view(subject)
    base = qr.base_url(request.app.state.settings.public_base_url, str(request.base_url))
    return view, qr.public_url(base, view["ref"])


def _noindex(response: HTMLResponse, subject: Subject) -> HTMLResponse:
    """A person's page is never indexed (the template also carries the robots meta tag)."""
    if subjects.is_person(subject):
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


@router.get("/disclosures/{info_class}", response_class=HTMLResponse)
def listing_page(
    request: Request,
    session: DbSession,
    catalog: CurrentCatalog,
    today: Today,
    info_class: Literal["penalty", "licence"],
    authority: str | None = Query(None, max_length=200),
    date_from: str | None = Query(None, alias="from", max_length=10),
    date_to: str | None = Query(None, alias="to", max_length=10),
    page: int = Query(1, ge=1, le=1000),
    after: str | None = Query(None, max_length=40, pattern=KEYSET),
    before: str | None = Query(None, max_length=40, pattern=KEYSET),
) -> HTMLResponse:
    """One page of a 双公示 listing: the next page's link carries the last row's keyset
    (`after`), the previous page's the first row's (`before`)."""
    start, end = _day(date_from, "起始日期"), _day(date_to, "截止日期")
    query = ListingQuery(info_class, authority or None, start, end, page, PER_PAGE, _after(after),
                         None if after else _after(before))  # fmt: skip
    result = disclosure.listing(session, query, catalog=catalog, today=today)
    title = catalog.info_class(info_class).title
    context = {"page": result, "title": title, "info_class": info_class, "today": today}
    return templates.TemplateResponse(request, "portal/listing.html", context)


def _after(text: str | None) -> tuple[date, int] | None:
    """The next page's keyset from its link (`inputs.keyset`)."""
    return keyset(text)


def _day(text: str | None, label: str) -> date | None:
    """An optional date from a form field (an empty field means no filter)."""
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{label}格式应为 YYYY-MM-DD，收到“{text}”") from None
