"""/admin/audit/check-replay: the auditor rebuilds a logged joint-check answer from the slim
check log (catalog version, hit ids, day checked) and sees whether its digest matches."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from xinyong import measures
from xinyong.audit import Actor
from xinyong.enums import Role
from xinyong.web.deps import DbSession, require
from xinyong.web.templating import templates

router = APIRouter(prefix="/admin", include_in_schema=False)
Auditor = Annotated[Actor, Depends(require(Role.AUDITOR, Role.ADMIN))]


@router.get("/audit/check-replay", response_class=HTMLResponse)
def check_replay_page(
    request: Request,
    session: DbSession,
    actor: Auditor,
    log_id: str = Query("", max_length=40),
) -> HTMLResponse:
    done, problem = None, None
    if log_id.strip():
        try:
            done = measures.replay_check(
                session, log_id, catalog=request.app.state.catalogs.current, actor=actor
            )
        except measures.CheckNotFound as exc:
            problem = exc.message
    ctx = {"actor": actor, "log_id": log_id, "done": done, "problem": problem}
    return templates.TemplateResponse(request, "admin/check_replay.html", ctx)
