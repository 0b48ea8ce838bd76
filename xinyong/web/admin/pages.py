"""Admin pages: login, catalog browser (users: `admin/users.py`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from xinyong import auth, catalog
from xinyong.audit import Actor
from xinyong.catalog import CatalogError
from xinyong.enums import Role
from xinyong.web import login as page_login
from xinyong.web.deps import SESSION_COOKIE, CurrentActor, CurrentCatalog, DbSession, require
from xinyong.web.templating import templates

router = APIRouter(prefix="/admin", include_in_schema=False)
Staff = Annotated[
    Actor, Depends(require(Role.ADMIN, Role.AUDITOR, Role.OFFICER, Role.PROVIDER_CLERK))
]
Admin = Annotated[Actor, Depends(require(Role.ADMIN))]
_staff_only = require(Role.ADMIN, Role.AUDITOR, Role.OFFICER, Role.PROVIDER_CLERK)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/admin/") -> HTMLResponse:
    return templates.TemplateResponse(request, "admin/login.html", {"next": next, "error": None})


@router.post("/login")
def login(
    request: Request,
    session: DbSession,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/admin/",
) -> Response:
    form = (username, password, next)
    return page_login.answer(
        request, session, form, template="admin/login.html", default_next="/admin/"
    )


@router.post("/logout")
def logout(request: Request, session: DbSession) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        auth.log_out(session, token)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


# Where 管理入口 (every page's header) takes a signed-in user who does not work in the admin.
OWN_HOMES = {**page_login.HOMES, Role.ENTERPRISE: "/me/"}


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request, actor: CurrentActor) -> Response:
    """The staff's 工作台; a bank, a 信易+ partner or an enterprise is sent to its own home
    rather than to a 无权访问 page."""
    home = None if actor.is_anonymous or actor.role is None else OWN_HOMES.get(actor.role)
    if home:
        return RedirectResponse(home, status_code=303)
    _staff_only(actor)
    return templates.TemplateResponse(request, "admin/dashboard.html", {"actor": actor})


@router.get("/catalog", response_class=HTMLResponse)
def catalog_browser(request: Request, actor: Staff, catalog: CurrentCatalog) -> HTMLResponse:
    ctx = {"actor": actor, "catalog": catalog}
    return templates.TemplateResponse(request, "admin/catalog.html", ctx)


@router.post("/catalog/reload", response_class=HTMLResponse)
def reload_catalog(request: Request, session: DbSession, actor: Admin) -> HTMLResponse:
    """Load the catalog files again; a malformed file is refused and the last good version stays."""
    holder = request.app.state.catalogs
    try:
        catalog.record_version(session, holder.reload(), actor=actor)
        ctx = {"actor": actor, "catalog": holder.current, "notice": "目录已重新加载", "error": None}
        status = 200
    except CatalogError as exc:
        ctx = {"actor": actor, "catalog": holder.current, "notice": None, "error": exc.message}
        status = 422
    return templates.TemplateResponse(request, "admin/catalog.html", ctx, status_code=status)


@router.get("/catalog/{class_id}", response_class=HTMLResponse)
def info_class_page(
    request: Request, actor: Staff, catalog: CurrentCatalog, class_id: str
) -> HTMLResponse:
    ctx = {"actor": actor, "catalog": catalog, "ic": catalog.info_class(class_id)}
    return templates.TemplateResponse(request, "admin/info_class.html", ctx)
