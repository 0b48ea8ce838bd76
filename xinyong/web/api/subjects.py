"""GET /api/v1/subjects?q= and /api/v1/subjects/{code}.

Anonymous callers (and anyone asking `view=public`) get the public view: the subject's public facts
and its disclosed records with class, decision number, decision date and `disclosure_ends`, a
page at a time (`limit`, newest decision first; `links.next` / `after=next_after` for the next
page, `count` with `count_is_floor` as the subject page's sections count them).
Authorised readers (admin, officer, auditor; an enterprise account for its own subject; a party
the subject consented to) get the full archive and must give a `purpose`: paged the same way, with
the same keys (every current record, newest decision first, undated records before the dated —
their position `undated.<id>`; `count` of the current records up to 1,000, a floor beyond); each
page read is written to the query log in the read's transaction.

The search has two bodies with one answer: on PostgreSQL (unless `search_fast_path` is off) an
anonymous search is served by the async route through the fast read path (`subjects_fast`, no
session, no pydantic on the way out); a request carrying an API key or a sign-in cookie, and every
search on SQLite, goes through the sync route, the reference.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from xinyong import audit, clock, disclosure, identifiers, subjects
from xinyong.catalog import Catalog
from xinyong.config import Settings
from xinyong.disclosure import ArchivePage, Section
from xinyong.web import fastpaths, profile
from xinyong.web.deps import SESSION_COOKIE, CurrentActor, CurrentCatalog, DbSession, Today
from xinyong.web.inputs import ARCHIVE_KEYSET, archive_keyset, keyset, position

router = APIRouter(tags=["subjects"])
sync_search_router = APIRouter(tags=["subjects"])
fast_search_router = APIRouter(tags=["subjects"])
SEARCH_SUMMARY = "按名称、曾用名或代码查询信用主体（公开信息）"
PER_PAGE = 20  # public records a page of GET /subjects/{code}
MAX_LIMIT = 100


class SubjectOut(BaseModel):
    ref: str  # address of the subject on public surfaces: /api/v1/subjects/{ref}
    code: str
    name: str
    kind: str
    kind_label: str
    status: str
    status_label: str
    region_code: str | None
    former_names: list[str]
    legal_rep: str | None
    registration_authority: str | None
    established_on: date | None
    address: str | None
    industry_code: str | None
    verified: bool  # False: known only from departments' records, no registration data yet


class SubjectList(BaseModel):
    q: str
    count: int
    items: list[SubjectOut]


def search_json(q: str, items: list[dict[str, Any]]) -> str:
    """The fast route's body: `SubjectList` as compact JSON, byte for byte what the sync route's
    response model gives (tests/web/test_search_fast.py)."""
    body = {"q": identifiers.mask_text(q), "count": len(items), "items": items}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"), default=_iso)


def _iso(value: object) -> str:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


class PageLinks(BaseModel):
    self: str
    next: str | None = None  # None: this is the last page


class SubjectDetail(SubjectOut):
    view: Literal["public", "full"]
    records: list[dict[str, Any]]  # public: disclosed records; full: the archive entries
    list_entries: list[
        dict[str, Any]
    ] = []  # lists decided on this platform, in force and published
    # paging of either view's records (issue 17): newest decision first, `limit` a page, the
    # next page after the keyset `next_after` (links.next); `count` exact up to the caps
    # (public: disclosure.sections; full: the current records, up to 1,000), a floor when
    # `count_is_floor`
    count: int | None = None
    count_is_floor: bool = False
    limit: int | None = None
    after: str | None = None
    next_after: str | None = None
    links: PageLinks | None = None


@sync_search_router.get("/subjects", response_model=SubjectList, summary=SEARCH_SUMMARY)
def search_subjects(
    session: DbSession,
    catalog: CurrentCatalog,
    today: Today,
    q: str = Query("", max_length=100),
    limit: int = Query(20, ge=1, le=100),
) -> SubjectList:
    return _search(session, q, limit, catalog, today)


def _search(session: Session, q: str, limit: int, catalog: Catalog, today: date) -> SubjectList:
    found = profile.public_search(session, q, limit=limit, catalog=catalog, today=today)
    items = [SubjectOut.model_validate(subjects.public_view(s)) for s in found]
    return SubjectList(q=identifiers.mask_text(q), count=len(items), items=items)


def _search_in_transaction(app: FastAPI, q: str, limit: int) -> SubjectList:
    settings = app.state.settings
    today = settings.today if settings.today is not None else clock.today()
    with app.state.sessionmaker() as session, session.begin():
        return _search(session, q, limit, app.state.catalogs.current, today)


def _signed_in(request: Request) -> bool:
    headers = request.headers
    key = headers.get("x-api-key") or headers.get("authorization")
    return bool(key) or SESSION_COOKIE in request.cookies


@fast_search_router.get("/subjects", response_model=SubjectList, summary=SEARCH_SUMMARY)
async def search_subjects_fast(
    request: Request, q: str = Query("", max_length=100), limit: int = Query(20, ge=1, le=100)
) -> Response | SubjectList:
    fast = fastpaths.fast_search(request)
    # not an anonymous search, or a person search (disclosure decides): the reference (sync) path
    if _signed_in(request) or not fast.answers(q):
        return await run_in_threadpool(_search_in_transaction, request.app, q, limit)
    body = search_json(q, await fast.search(q, limit=limit))
    return Response(body, media_type="application/json")


def search_routers(settings: Settings) -> list[APIRouter]:
    return [fast_search_router if fastpaths.search_enabled(settings) else sync_search_router]


@router.get("/subjects/{code}", response_model=SubjectDetail)
def get_subject(
    request: Request,
    session: DbSession,
    actor: CurrentActor,
    catalog: CurrentCatalog,
    today: Today,
    code: str,
    purpose: str | None = Query(None, max_length=200, description="查询目的（非公开查询必填）"),
    view: Literal["auto", "public"] = "auto",
    limit: int = Query(PER_PAGE, ge=1, le=MAX_LIMIT, description="每页记录条数"),
    after: str | None = Query(
        None,
        max_length=40,
        pattern=ARCHIVE_KEYSET,
        description="下一页的位置（上一页的 next_after）",
    ),
) -> SubjectDetail:
    subject = subjects.get_by_ref(session, code)
    facts = subjects.public_view(subject)
    if view == "public" or not disclosure.may_read_archive(session, actor, subject, today):
        subject = profile.public_subject(session, code, catalog, today)
        page = disclosure.public_page(session, subject, catalog=catalog, today=today,
                                      after=keyset(after), per_page=limit)  # fmt: skip
        own = profile.platform_profile(session, subject.id, catalog, today)
        entries = audit.jsonable(own["list_entries"] + own["red_entries"])
        next_after = position(page.next_after)
        return SubjectDetail(
            **facts, view="public", records=[r.as_json() for r in page.items],
            list_entries=entries, **_paging(request, page, limit, after, next_after),
        )  # fmt: skip
    full = disclosure.read_archive_page(
        session, subject, purpose=purpose, surface="api", actor=actor, catalog=catalog,
        today=today, after=archive_keyset(after), per_page=limit,
    )  # fmt: skip
    return SubjectDetail(
        **facts, view="full", records=[e.as_json() for e in full.entries],
        **_paging(request, full, limit, after, position(full.next_after)),
    )  # fmt: skip


def _paging(
    request: Request, page: Section | ArchivePage, limit: int, after: str | None,
    next_after: str | None,
) -> dict[str, Any]:  # fmt: skip
    """The paging keys of either view (the same keys, the same keyset order)."""
    return {
        "count": page.count, "count_is_floor": page.count_is_floor, "limit": limit,
        "after": after, "next_after": next_after,
        "links": PageLinks(self=_link(request, after),
                           next=_link(request, next_after) if next_after else None),
    }  # fmt: skip


def _link(request: Request, after: str | None) -> str:
    """This address with `after` set (or left out): the page's own link or the next one's."""
    params = {k: v for k, v in request.query_params.items() if k != "after"}
    if after:
        params["after"] = after
    query = urlencode(params)
    return request.url.path + (f"?{query}" if query else "")
