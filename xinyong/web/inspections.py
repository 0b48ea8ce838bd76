"""双随机、一公开 pages: the public results (/inspections) and the inspecting department's plans,
draws and result form (/admin/inspections)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from xinyong import inspections, subjects
from xinyong.audit import Actor
from xinyong.db.tables import Inspection, InspectionPlan, Inspector
from xinyong.enums import Role
from xinyong.errors import NotFound
from xinyong.evaluation import supervision
from xinyong.web.deps import CurrentCalendar, DbSession, Today, require
from xinyong.web.inputs import RowId
from xinyong.web.templating import templates

portal = APIRouter(include_in_schema=False)
admin = APIRouter(prefix="/admin", include_in_schema=False)
Officer = Annotated[Actor, Depends(require(Role.OFFICER, Role.ADMIN, Role.AUDITOR))]


@portal.get("/inspections", response_class=HTMLResponse)
def public_page(request: Request, session: DbSession, today: Today) -> HTMLResponse:
    rules = supervision.load_rules()
    context = {"results": inspections.public_results(session, today=today), "rules": rules}
    return templates.TemplateResponse(request, "inspections/public.html", context)


@admin.get("/inspections", response_class=HTMLResponse)
def plans_page(request: Request, session: DbSession, actor: Officer) -> HTMLResponse:
    stmt = select(InspectionPlan).order_by(InspectionPlan.id.desc())
    if actor.role == Role.OFFICER:
        stmt = stmt.where(InspectionPlan.provider_id == actor.provider_id)
    plans = session.execute(stmt.limit(100)).scalars().all()
    return templates.TemplateResponse(
        request, "inspections/plans.html", {"actor": actor, "plans": plans}
    )


@admin.get("/inspections/{code}", response_class=HTMLResponse)
def plan_page(request: Request, session: DbSession, actor: Officer, code: str) -> HTMLResponse:
    plan = inspections.get_plan(session, code)
    rows = inspections.drawn_of(session, plan)
    people = {
        i.id: i
        for i in session.execute(
            select(Inspector).where(Inspector.provider_id == plan.provider_id)
        ).scalars()
    }
    who = {
        s.id: subjects.public_view(s)
        for s in subjects.by_ids(session, [r.subject_id for r in rows])
    }
    context = {
        "actor": actor,
        "plan": plan,
        "rows": rows,
        "people": people,
        "who": who,
        "results": inspections.RESULTS,
        "rules": supervision.load_rules(),
    }
    return templates.TemplateResponse(request, "inspections/plan.html", context)


@admin.post("/inspections/{code}/{inspection_id}/result")
def record_result(
    session: DbSession,
    actor: Officer,
    today: Today,
    calendar: CurrentCalendar,
    code: str,
    inspection_id: RowId,
    result: Annotated[str, Form()],
    detail: Annotated[str, Form()] = "",
) -> Response:
    row = session.get(Inspection, inspection_id)
    plan = inspections.get_plan(session, code)
    if row is None or row.plan_id != plan.id:
        raise NotFound("该抽查计划中没有这条检查任务")
    inspections.record_result(
        session, row, result, detail, actor=actor, today=today, calendar=calendar
    )
    return RedirectResponse(f"/admin/inspections/{code}", status_code=303)


def register(app: FastAPI) -> None:
    app.include_router(portal)
    app.include_router(admin)
