"""The portal's editorial sections: /info (all four), /info/{section}, /info/{section}/{id},
published attachments. Anonymous; only published items are ever shown."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from xinyong import content
from xinyong.web.deps import DbSession
from xinyong.web.inputs import RowId
from xinyong.web.templating import templates

router = APIRouter(include_in_schema=False)
PAGE = 20


# Before /info/{section}/{item_id}, which would otherwise take "attachments" for a section.
@router.get("/info/attachments/{attachment_id}")
def public_attachment(request: Request, session: DbSession, attachment_id: RowId) -> Response:
    return attachment_response(request, session, attachment_id, public=True)


@router.get("/info", response_class=HTMLResponse)
def sections(request: Request, session: DbSession) -> HTMLResponse:
    latest = {key: content.published(session, key, limit=5) for key in content.SECTIONS}
    ctx = {"sections": content.SECTIONS, "latest": latest}
    return templates.TemplateResponse(request, "portal/content_sections.html", ctx)


@router.get("/info/{section}", response_class=HTMLResponse)
def section_page(
    request: Request, session: DbSession, section: str, page: int = Query(1, ge=1, le=10_000)
) -> HTMLResponse:
    items = content.published(session, section, limit=PAGE, offset=(page - 1) * PAGE)
    total = content.count_published(session, section)
    ctx = {"section": section, "title": content.SECTIONS[section], "items": items, "page": page,
           "pages": max(1, -(-total // PAGE)), "sections": content.SECTIONS}  # fmt: skip
    return templates.TemplateResponse(request, "portal/content_section.html", ctx)


@router.get("/info/{section}/{item_id}", response_class=HTMLResponse)
def item_page(request: Request, session: DbSession, section: str, item_id: RowId) -> HTMLResponse:
    item = content.public_item(session, item_id)
    ctx = {"item": item, "title": content.SECTIONS[item.section], "sections": content.SECTIONS,
           "attachments": content.attachments(session, item.id)}  # fmt: skip
    return templates.TemplateResponse(request, "portal/content_item.html", ctx)


def attachment_response(
    request: Request, session: Session, attachment_id: int, *, public: bool
) -> Response:
    row, data = content.attachment_bytes(session, attachment_id, public=public,
                                         data_dir=request.app.state.settings.data_dir)  # fmt: skip
    headers = {
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(row.filename)}",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "sandbox",
    }
    return Response(data, media_type=row.content_type, headers=headers)
