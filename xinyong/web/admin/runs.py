"""/admin/runs (后台运行): the recent runs with filters (job, status), one run's page — status,
progress bar, phase, who started it and why, times, the result or the Chinese error — kept up to
date by static/runs.js polling /admin/runs/{id}/progress, and 重新运行 for a run that failed or
was interrupted (its runner died: 中断, from its heartbeat and now)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse

from xinyong import clock, runs
from xinyong.audit import Actor
from xinyong.enums import Role, RunStatus
from xinyong.web.deps import DbSession, require
from xinyong.web.inputs import RowId
from xinyong.web.run_session import RunSession
from xinyong.web.templating import templates

router = APIRouter(prefix="/admin/runs", include_in_schema=False)
Admin = Annotated[Actor, Depends(require(Role.ADMIN))]
STALE_MINUTES = int(runs.STALE_AFTER.total_seconds() // 60)


@router.get("", response_class=HTMLResponse)
def runs_page(
    request: Request, session: DbSession, actor: Admin,
    job: Annotated[str, Query(max_length=32)] = "",
    status: Annotated[str, Query(max_length=16)] = "",
) -> HTMLResponse:  # fmt: skip
    now = clock.now()
    wanted = RunStatus(status) if status in RunStatus._value2member_map_ else None
    job = job if job in runs.TITLES else ""
    found = [runs.view(r, now) for r in runs.recent(session, now=now, job=job or None,
                                                       status=wanted, limit=100)]  # fmt: skip
    context: dict[str, Any] = {"actor": actor, "runs": found, "titles": runs.TITLES,
                               "statuses": list(RunStatus), "job": job,
                               "status": wanted.value if wanted else "",
                               "stale_minutes": STALE_MINUTES}  # fmt: skip
    return templates.TemplateResponse(request, "admin/runs.html", context)


@router.get("/{run_id}", response_class=HTMLResponse)
def run_page(request: Request, session: DbSession, actor: Admin, run_id: RowId) -> HTMLResponse:
    run = runs.view(runs.get(session, run_id), clock.now())
    return templates.TemplateResponse(
        request, "admin/run.html", {"actor": actor, "run": run, "stale_minutes": STALE_MINUTES}
    )


@router.get("/{run_id}/progress")
def run_progress(session: DbSession, actor: Admin, run_id: RowId) -> JSONResponse:
    """What the run page polls (static/runs.js)."""
    return JSONResponse(runs.view(runs.get(session, run_id), clock.now()))


@router.post("/{run_id}/again")
def run_again(session: RunSession, actor: Admin, run_id: RowId) -> RedirectResponse:
    run, _new = runs.again(session, run_id, actor=actor, now=clock.now())
    return RedirectResponse(f"/admin/runs/{run.id}", status_code=303)
