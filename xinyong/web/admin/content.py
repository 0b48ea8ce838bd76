"""/admin/content: write, review and publish the portal's editorial pages (Markdown in, sanitised
HTML out); every step is an audited action in xinyong/content.py."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from xinyong import content
from xinyong.audit import Actor
from xinyong.web.deps import DbSession, Today, require
from xinyong.web.inputs import RowId
from xinyong.web.portal.content import attachment_response
from xinyong.web.templating import templates

router = APIRouter(prefix="/admin/content", include_in_schema=False)
Writer = Annotated[Actor, Depends(require(*content.WRITERS))]
Text = Annotated[str, Form()]


def _labels() -> dict[str, object]:
    return {"sections": content.SECTIONS, "statuses": content.STATUS_LABELS,
            "move_labels": content.MOVE_LABELS}  # fmt: skip


@router.get("", response_class=HTMLResponse)
def content_list(request: Request, session: DbSession, actor: Writer) -> HTMLResponse:
    ctx = {"actor": actor, "items": content.all_items(session, actor=actor), **_labels()}
    return templates.TemplateResponse(request, "admin/content_list.html", ctx)


@router.get("/new", response_class=HTMLResponse)
def new_form(request: Request, actor: Writer) -> HTMLResponse:
    ctx = {"actor": actor, "item": None, "attachments": [], **_labels()}
    return templates.TemplateResponse(request, "admin/content_edit.html", ctx)


@router.post("/new")
def create(
    session: DbSession, actor: Writer, section: Text, title: Text, body_md: Text,
    summary: Annotated[str | None, Form()] = None,
) -> Response:  # fmt: skip
    item = content.create(session, content.Draft(section, title, summary, body_md), actor=actor)
    return RedirectResponse(f"/admin/content/{item.id}", status_code=303)


@router.get("/{item_id}", response_class=HTMLResponse)
def edit_form(request: Request, session: DbSession, actor: Writer, item_id: RowId) -> HTMLResponse:
    item = content.get(session, item_id)
    ctx = {"actor": actor, "item": item, "attachments": content.attachments(session, item_id),
           "moves": content.moves_open(item, actor), **_labels()}  # fmt: skip
    return templates.TemplateResponse(request, "admin/content_edit.html", ctx)


@router.post("/{item_id}")
def save(
    session: DbSession, actor: Writer, item_id: RowId, section: Text, title: Text, body_md: Text,
    summary: Annotated[str | None, Form()] = None,
) -> Response:  # fmt: skip
    item = content.get(session, item_id)
    content.update(session, item, content.Draft(section, title, summary, body_md), actor=actor)
    return RedirectResponse(f"/admin/content/{item_id}", status_code=303)


@router.post("/{item_id}/move")
def move(
    session: DbSession, actor: Writer, today: Today, item_id: RowId, action: Text,
    reason: Annotated[str | None, Form()] = None,
) -> Response:  # fmt: skip
    item = content.get(session, item_id)
    content.move(session, item, action, actor=actor, today=today, reason=reason)
    return RedirectResponse(f"/admin/content/{item_id}", status_code=303)


@router.post("/{item_id}/attachments")
async def upload(
    request: Request, session: DbSession, actor: Writer, item_id: RowId,
    file: Annotated[UploadFile, File()],
) -> Response:  # fmt: skip
    data = await file.read()
    item = content.get(session, item_id)
    content.attach(session, item, file.filename or "", data, actor=actor,
                   data_dir=request.app.state.settings.data_dir)  # fmt: skip
    return RedirectResponse(f"/admin/content/{item_id}", status_code=303)


@router.get("/attachments/{attachment_id}")
def attachment(
    request: Request, session: DbSession, actor: Writer, attachment_id: RowId
) -> Response:
    return attachment_response(request, session, attachment_id, public=False)
