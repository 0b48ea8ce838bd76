"""/admin/providers (报送单位): the credit office lists the departments that submit records and
decide, registers one (its USCC checked) and edits one — `providers.add` / `providers.update`,
audited, the same actions as `xinyong providers add`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from xinyong import providers
from xinyong.audit import Actor
from xinyong.db.tables import Provider
from xinyong.enums import Role
from xinyong.errors import XinyongError
from xinyong.web.deps import DbSession, require
from xinyong.web.inputs import RowId
from xinyong.web.templating import templates

router = APIRouter(prefix="/admin/providers", include_in_schema=False)
Admin = Annotated[Actor, Depends(require(Role.ADMIN))]
Text = Annotated[str, Form(max_length=300)]


def _page(
    request: Request, session: DbSession, actor: Actor, *, editing: Provider | None = None,
    error: str | None = None, form: dict[str, Any] | None = None, status: int = 200,
    done: str | None = None,
) -> HTMLResponse:  # fmt: skip
    every = providers.list_providers(session)
    context = {
        "actor": actor,
        "providers": every,
        "kinds": sorted({p.kind for p in every if p.kind}),
        "editing": editing,
        "error": error,
        "form": form or {},
        "done": done,
    }
    name = "admin/provider_edit.html" if editing else "admin/providers.html"
    return templates.TemplateResponse(request, name, context, status)


@router.get("", response_class=HTMLResponse)
def providers_page(
    request: Request, session: DbSession, actor: Admin, added: int | None = None
) -> HTMLResponse:
    done = None
    if added is not None and (found := session.get(Provider, added)) is not None:
        done = f"已登记报送单位“{found.name}”（{found.uscc}）"
    return _page(request, session, actor, done=done)


@router.post("", response_class=HTMLResponse)
def add_provider(
    request: Request, session: DbSession, actor: Admin, uscc: Text, name: Text,
    kind: Text = "", region_code: Text = "",
) -> Response:  # fmt: skip
    form = {"uscc": uscc, "name": name, "kind": kind, "region_code": region_code}
    try:
        with session.begin_nested():
            row = providers.add(session, uscc, name, kind=kind or None,
                                region_code=region_code or None, actor=actor)  # fmt: skip
    except XinyongError as exc:
        return _page(request, session, actor, error=exc.message, form=form, status=exc.status)
    return RedirectResponse(f"/admin/providers?added={row.id}", status_code=303)


@router.get("/{provider_id}", response_class=HTMLResponse)
def provider_page(
    request: Request, session: DbSession, actor: Admin, provider_id: RowId, saved: bool = False
) -> HTMLResponse:
    found = providers.get(session, provider_id)
    return _page(request, session, actor, editing=found, done="已保存" if saved else None)


@router.post("/{provider_id}", response_class=HTMLResponse)
def edit_provider(
    request: Request, session: DbSession, actor: Admin, provider_id: RowId, name: Text,
    kind: Text = "", region_code: Text = "", active: Annotated[str, Form(max_length=8)] = "",
) -> Response:  # fmt: skip
    found = providers.get(session, provider_id)
    form = {"name": name, "kind": kind, "region_code": region_code, "active": active == "on"}
    try:
        with session.begin_nested():
            providers.update(session, found, name=name, kind=kind or None,
                             region_code=region_code or None, active=active == "on",
                             actor=actor)  # fmt: skip
    except XinyongError as exc:
        session.refresh(found)
        return _page(request, session, actor, editing=found, error=exc.message, form=form,
                     status=exc.status)  # fmt: skip
    return RedirectResponse(f"/admin/providers/{provider_id}?saved=1", status_code=303)
