"""/admin/jobs (批处理任务): the credit office sees each named job in Chinese — what it does, how
long it usually takes, its last recorded run and outcome — and runs one now. The run is
`jobs.run_recorded` (the same as `xinyong jobs run NAME`): audited, a failure shown in Chinese
beside the job with its writes rolled back, never a traceback."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from xinyong import indicators, jobs
from xinyong.audit import Actor
from xinyong.enums import Role
from xinyong.web.deps import CurrentCatalog, DbSession, Today, require
from xinyong.web.templating import templates

router = APIRouter(prefix="/admin/jobs", include_in_schema=False)
Admin = Annotated[Actor, Depends(require(Role.ADMIN))]


def _page(
    request: Request, session: DbSession, actor: Actor, *, ran: dict[str, Any] | None = None
) -> HTMLResponse:
    context = {"actor": actor, "about": jobs.ABOUT, "last": jobs.last_runs(session), "ran": ran}
    return templates.TemplateResponse(request, "admin/jobs.html", context)


@router.get("", response_class=HTMLResponse)
def jobs_page(request: Request, session: DbSession, actor: Admin) -> HTMLResponse:
    return _page(request, session, actor)


def _options(request: Request, name: str, catalog: Any) -> dict[str, Any]:
    """What each job needs from the platform's settings (as the command line gives it)."""
    settings = request.app.state.settings
    if name == "dashboard":
        defs = indicators.load(settings.catalog_dir, settings.catalog_override_dir)
        return {"catalog": catalog, "definitions": defs}
    if name == "retention":
        from xinyong.reports.issuer import office_key  # noqa: PLC0415

        return {"retention_years": settings.query_log_retention_years, "key": office_key(settings)}
    return {}


@router.post("/{name}/run", response_class=HTMLResponse)
def run_job(
    request: Request, session: DbSession, actor: Admin, today: Today, catalog: CurrentCatalog,
    name: str,
) -> HTMLResponse:  # fmt: skip
    """Run the job now, in this request (each takes seconds to a few minutes: the page says
    how long before the button is pressed)."""
    last, result = jobs.run_recorded(name, session, today=today, actor=actor,
                                     prepare=lambda: _options(request, name, catalog))  # fmt: skip
    ran = {"name": name, "title": jobs.ABOUT[name].title, "last": last,
           "rows": (result or {}).get("items", [])[:50] if name == "deadlines" else []}  # fmt: skip
    return _page(request, session, actor, ran=ran)
