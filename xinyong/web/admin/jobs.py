"""/admin/jobs (批处理任务): the credit office sees each named job in Chinese — what it does, how
long it usually takes, its last recorded run and outcome — and presses 立即运行: the job is
queued as a background run (`runs.start`, audited) and the officer is taken to the run's page,
which follows it to the end (/admin/runs/{id}). The run itself is `jobs.run_recorded` (the
same as `xinyong jobs run NAME`) executed by the runner, never inside the request."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from xinyong import clock, jobs, runs
from xinyong.audit import Actor
from xinyong.enums import Role
from xinyong.web.deps import DbSession, require
from xinyong.web.run_session import RunSession
from xinyong.web.templating import templates

router = APIRouter(prefix="/admin/jobs", include_in_schema=False)
Admin = Annotated[Actor, Depends(require(Role.ADMIN))]


@router.get("", response_class=HTMLResponse)
def jobs_page(request: Request, session: DbSession, actor: Admin) -> HTMLResponse:
    now = clock.now()
    recent = [runs.view(r, now) for r in runs.recent(session, now=now, limit=10)]
    context = {"actor": actor, "about": jobs.ABOUT, "last": jobs.last_runs(session),
               "recent": recent}  # fmt: skip
    return templates.TemplateResponse(request, "admin/jobs.html", context)


@router.post("/{name}/run")
def run_job(
    session: RunSession, actor: Admin, name: str,
    reason: Annotated[str, Form(max_length=500)] = "",
) -> RedirectResponse:  # fmt: skip
    """Queue the job (a run of it already waiting or running is shown instead) and go to the
    run's page."""
    run, _new = runs.start(session, name, actor=actor, now=clock.now(), reason=reason)
    return RedirectResponse(f"/admin/runs/{run.id}", status_code=303)
