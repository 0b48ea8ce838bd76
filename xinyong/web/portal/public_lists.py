"""Public pages of the lists and the catalog: /lists, /lists/{type}, /lists/publicity (with a
way to object), /catalog (the 基础目录 as published), and the portal's front page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from xinyong import content, disclosure, figures, lists
from xinyong.db import keyset
from xinyong.disclosure import ListingQuery
from xinyong.errors import XinyongError
from xinyong.web.deps import CurrentActor, CurrentCatalog, DbSession, Today
from xinyong.web.inputs import RowId
from xinyong.web.paging import pager_links
from xinyong.web.templating import templates

router = APIRouter(include_in_schema=False)
LATEST = 5


@router.get("/", response_class=HTMLResponse)
def home(
    request: Request, session: DbSession, catalog: CurrentCatalog, today: Today
) -> HTMLResponse:
    """Search first, then today's figures, the latest 双公示 and list decisions, every section."""
    latest = {
        ic: disclosure.listing(
            session, ListingQuery(ic, per_page=LATEST), catalog=catalog, today=today
        ).items
        for ic in ("penalty", "licence")
    }
    ctx = {
        "today": today,
        "figures": figures.today_figures(session, catalog=catalog, today=today),
        "latest": latest,
        "decisions": lists.latest_decisions(session, catalog=catalog, today=today, limit=LATEST),
        "list_types": lists.public_types(catalog),
        "catalog": catalog,
        "newest_content": content.newest(session),
    }
    return templates.TemplateResponse(request, "portal/home.html", ctx)


@router.get("/lists", response_class=HTMLResponse)
def lists_index(request: Request, catalog: CurrentCatalog, today: Today) -> HTMLResponse:
    ctx = {"types": lists.public_types(catalog), "today": today}
    return templates.TemplateResponse(request, "portal/lists.html", ctx)


@router.get("/lists/publicity", response_class=HTMLResponse)
def publicity(
    request: Request, session: DbSession, catalog: CurrentCatalog, today: Today
) -> HTMLResponse:
    ctx = {
        "items": lists.in_publicity(session, catalog=catalog, today=today),
        "today": today,
        "error": None,
        "done": request.query_params.get("done"),
    }
    return templates.TemplateResponse(request, "portal/publicity.html", ctx)


@router.post("/lists/publicity/{entry_id}/objection")
def object_to(
    request: Request,
    session: DbSession,
    catalog: CurrentCatalog,
    today: Today,
    actor: CurrentActor,
    entry_id: RowId,
    name: Annotated[str, Form()],
    contact: Annotated[str, Form()],
    objection: Annotated[str, Form()],
) -> Response:
    try:
        with session.begin_nested():
            lists.file_publicity_objection(
                session,
                entry_id,
                name,
                contact,
                objection,
                catalog=catalog,
                actor=actor,
                today=today,
            )
    except XinyongError as exc:
        ctx = {
            "items": lists.in_publicity(session, catalog=catalog, today=today),
            "today": today,
            "error": {"entry_id": entry_id, "message": exc.message},
            "done": None,
        }
        return templates.TemplateResponse(
            request, "portal/publicity.html", ctx, status_code=exc.status
        )
    return RedirectResponse(f"/lists/publicity?done={entry_id}#entry-{entry_id}", status_code=303)


@router.get("/lists/{list_type}", response_class=HTMLResponse)
def list_page(
    request: Request,
    session: DbSession,
    catalog: CurrentCatalog,
    today: Today,
    list_type: str,
    q: str = Query("", max_length=100),
    page: int = Query(1, ge=1, le=100_000),
    after: str | None = Query(None, max_length=keyset.MAX_POSITION),
    before: str | None = Query(None, max_length=keyset.MAX_POSITION),
) -> HTMLResponse:
    """A list in force, searchable, 100 entries a page read in the query after the last row's
    position (an 经营异常名录 runs to hundreds of thousands); the count "至少 N 条" beyond
    the cap."""
    lt = lists.public_type(catalog, list_type)
    kinds = lists.public_query(lt.id).key_kinds
    rows, found = lists.public_page(
        session, lt.id, catalog=catalog, today=today, q=q, page=page,
        after=keyset.decode(after, kinds), before=keyset.decode(before, kinds),
    )  # fmt: skip
    ctx = {"lt": lt, "rows": rows, "found": found, "q": q, "today": today, "catalog": catalog,
           "pager": pager_links(f"/lists/{lt.id}", {"q": q}, page, found)}  # fmt: skip
    return templates.TemplateResponse(request, "portal/list_type.html", ctx)


@router.get("/catalog", response_class=HTMLResponse)
def catalog_page(request: Request, catalog: CurrentCatalog) -> HTMLResponse:
    """The catalog as published: information classes, list types, measures and legal bases."""
    return templates.TemplateResponse(request, "portal/catalog.html", {"catalog": catalog})
