"""信易贷 pages of the credit office (/admin/financing): institutions and their users, whitelist
generation, review and push, the figures."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from xinyong import auth
from xinyong.audit import Actor
from xinyong.enums import Role
from xinyong.errors import NotFound
from xinyong.financing import catalog as fin_catalog
from xinyong.financing import institutions, outcomes, whitelist
from xinyong.financing.institutions import KINDS
from xinyong.web.deps import CurrentCatalog, DbSession, Today, require
from xinyong.web.inputs import checked
from xinyong.web.templating import templates

admin = APIRouter(prefix="/admin/financing", include_in_schema=False)
Office = Annotated[Actor, Depends(require(Role.ADMIN))]


@admin.get("", response_class=HTMLResponse)
def admin_page(request: Request, session: DbSession, actor: Office, today: Today) -> HTMLResponse:
    names = {i.id: i.name for i in institutions.all_active(session)}
    ctx = {
        "actor": actor,
        "institutions": institutions.all_active(session),
        "names": names,
        "whitelists": whitelist.lists_of(session),
        "figures": outcomes.figures(session),
        "kinds": KINDS,
        "month": today.strftime("%Y-%m"),
    }
    return templates.TemplateResponse(request, "financing/admin.html", ctx)


@admin.post("/institutions")
def admin_register(
    session: DbSession,
    actor: Office,
    name: Annotated[str, Form()],
    code: Annotated[str, Form()],
    kind: Annotated[str, Form()],
    username: Annotated[str | None, Form()] = None,
    joined: Annotated[str | None, Form()] = None,
) -> Response:
    inst = institutions.register(
        session, name, code, kind, joined_whitelist=checked(joined), actor=actor
    )
    if username:
        user = auth.find_user(session, username.strip())
        if user is None:
            raise NotFound(f"用户“{username}”不存在", code="auth.user_not_found")
        institutions.add_user(session, inst, user, actor=actor)
    return RedirectResponse("/admin/financing", status_code=303)


@admin.post("/whitelists")
def admin_generate(
    session: DbSession, actor: Office, catalog: CurrentCatalog, today: Today,
    month: Annotated[str, Form()],
) -> Response:  # fmt: skip
    whitelist.generate(session, month.strip(), catalog=catalog, fin_catalog=fin_catalog.load(),
                       actor=actor, today=today)  # fmt: skip
    return RedirectResponse("/admin/financing#whitelists", status_code=303)


@admin.post("/whitelists/{whitelist_id}/{step}")
def admin_whitelist_step(
    session: DbSession, actor: Office, whitelist_id: int, step: str
) -> Response:
    row = whitelist.get(session, whitelist_id)
    if step == "review":
        whitelist.review(session, row, actor=actor)
    elif step == "push":
        whitelist.push(session, row, actor=actor)
    return RedirectResponse("/admin/financing#whitelists", status_code=303)


@admin.get("/whitelists/{whitelist_id}", response_class=HTMLResponse)
def admin_whitelist(
    request: Request, session: DbSession, actor: Office, whitelist_id: int
) -> HTMLResponse:
    row = whitelist.get(session, whitelist_id)
    ctx = {"actor": actor, "institution": institutions.get(session, row.institution_id),
           "list": row, "entries": whitelist.entries(session, row.id)}  # fmt: skip
    return templates.TemplateResponse(request, "financing/whitelist.html", ctx)
