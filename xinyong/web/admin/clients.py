"""/admin/clients: API clients of business systems — add (the key shown once), rotate, revoke.

Keys are stored as their SHA-256 only; the page never shows one again after it was issued.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from xinyong import auth, clock, providers
from xinyong.audit import Actor
from xinyong.enums import Role
from xinyong.errors import XinyongError
from xinyong.web.deps import DbSession, require
from xinyong.web.templating import templates

router = APIRouter(prefix="/admin/clients", include_in_schema=False)
Admin = Annotated[Actor, Depends(require(Role.ADMIN))]


def _page(
    request: Request, session: Any, actor: Actor, *, issued: dict[str, str] | None = None,
    error: str | None = None, status: int = 200,
) -> HTMLResponse:  # fmt: skip
    names = {p.id: p.name for p in providers.list_providers(session)}
    ctx = {
        "actor": actor,
        "clients": auth.list_clients(session),
        "providers": names,
        "scopes": auth.CLIENT_SCOPES,
        "issued": issued,
        "error": error,
    }
    return templates.TemplateResponse(request, "admin/clients.html", ctx, status_code=status)


@router.get("", response_class=HTMLResponse)
def clients_page(request: Request, session: DbSession, actor: Admin) -> HTMLResponse:
    return _page(request, session, actor)


@router.post("", response_class=HTMLResponse)
async def add_client(request: Request, session: DbSession, actor: Admin) -> HTMLResponse:
    form = await request.form()
    name, provider = str(form.get("name") or ""), str(form.get("provider") or "")
    scopes = [str(s) for s in form.getlist("scopes")]
    rate = str(form.get("rate_limit") or "120/minute")
    try:
        with session.begin_nested():
            provider_id = providers.get_by_uscc(session, provider).id if provider else None
            client, key = auth.add_client(session, name, scopes, provider_id=provider_id,
                                          rate_limit=rate, actor=actor)  # fmt: skip
    except XinyongError as exc:
        return _page(request, session, actor, error=exc.message, status=exc.status)
    return _page(request, session, actor, issued={"name": client.name, "key": key})


@router.post("/{name}/{action}", response_class=HTMLResponse)
def change_client(
    request: Request, session: DbSession, actor: Admin, name: str, action: str
) -> HTMLResponse:
    """rotate: a new key, shown once; revoke: the key stops working."""
    try:
        with session.begin_nested():
            if action == "rotate":
                client, key = auth.rotate_client_key(session, name, now=clock.now(), actor=actor)
                issued = {"name": client.name, "key": key}
            elif action == "revoke":
                auth.revoke_client(session, name, now=clock.now(), actor=actor)
                issued = None
            else:
                raise auth.ClientNotFound(f"不支持的操作“{action}”")
    except XinyongError as exc:
        return _page(request, session, actor, error=exc.message, status=exc.status)
    return _page(request, session, actor, issued=issued)
