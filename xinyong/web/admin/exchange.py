"""Admin: /admin/exchange — what waits to be sent, failed deliveries with their reason, the
delivery timeliness per department (双公示 within 7 working days)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from xinyong.audit import Actor
from xinyong.enums import Role
from xinyong.exchange import delivery
from xinyong.web.deps import CurrentCalendar, DbSession, require
from xinyong.web.templating import templates

router = APIRouter(prefix="/admin", include_in_schema=False)
Staff = Annotated[Actor, Depends(require(Role.ADMIN, Role.AUDITOR))]


def _targets(settings: Any) -> list[str]:
    """Where `xinyong jobs run exchange` sends packages (the URL without any credentials)."""
    out = []
    if settings.exchange_outbox_folder is not None:
        out.append(f"文件夹 {settings.exchange_outbox_folder}")
    if settings.exchange_outbox_url:
        out.append(f"接口 {settings.exchange_outbox_url.split('?', 1)[0]}")
    return out


@router.get("/exchange", response_class=HTMLResponse)
def exchange_page(
    request: Request, session: DbSession, actor: Staff, calendar: CurrentCalendar
) -> HTMLResponse:
    ctx = {
        "actor": actor,
        "pending": delivery.pending(session),
        "cursor": delivery.last_sent_cursor(session),
        "failures": delivery.failures(session),
        "timeliness": delivery.timeliness(session, calendar),
        "days": delivery.TIMELY_WORKING_DAYS,
        "targets": _targets(request.app.state.settings),
    }
    return templates.TemplateResponse(request, "admin/exchange.html", ctx)
