"""Public pages of the lists and the catalog: /lists, /lists/{type}, /lists/publicity (with a
way to object), /catalog (the 基础目录 as published), and the portal's front page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from xinyong import content, disclosure, figures, lists
from xinyong.disclosure import ListingQuery
from xinyong.errors import XinyongError
from xinyong.web.deps import CurrentActor, CurrentCatalog, DbSession, Today
from xinyong.web.inputs import RowId
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


LIST_PAGE = 100


@router.get("/lists/{list_type}", response_class=HTMLResponse)
def list_page(
    request: Request,
    session: DbSession,
    catalog: CurrentCatalog,
    today: Today,
    list_type: str,
    q: str = Query("", max_length=100),
    page: int = Query(1, ge=1, le=100_000),
) -> HTMLResponse:
    """A list in force, searchable, 100 entries a page (an 经营异常名录 runs to thousands)."""
    lt = lists.public_type(catalog, list_type)
    rows = lists.public_listing(session, lt.id, catalog=catalog, today=today, q=q)
    pages = max(1, -(-len(rows) // LIST_PAGE))
    page = min(page, pages)
    shown = rows[(page - 1) * LIST_PAGE : page * LIST_PAGE]
    ctx = {"lt": lt, "rows": shown, "total": len(rows), "page": page, "pages": pages,
           "q": q, "today": today, "catalog": catalog}  # fmt: skip
    return templates.TemplateResponse(request, "portal/list_type.html", ctx)


@router.get("/catalog", response_class=HTMLResponse)
def catalog_page(request: Request, catalog: CurrentCatalog) -> HTMLResponse:
    """The catalog as published: information classes, list types, measures and legal bases."""
    return templates.TemplateResponse(request, "portal/catalog.html", {"catalog": catalog})
