"""双随机、一公开 pages: the public results (/inspections) and the inspecting department's plans,
draws and result form (/admin/inspections): an officer registers the department's inspectors,
makes a plan (the draw runs and is stored at once), and records each inspection's result — the
audited actions of `inspections.plans`, the same ones `xinyong inspections …` runs."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, FastAPI, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from xinyong import inspections, providers, subjects
from xinyong.audit import Actor
from xinyong.db.tables import InspectionPlan, Inspector, Provider
from xinyong.enums import Role
from xinyong.errors import InvalidInput, XinyongError
from xinyong.evaluation import supervision
from xinyong.web.deps import CurrentCalendar, CurrentCatalog, DbSession, Today, require
from xinyong.web.inputs import RowId
from xinyong.web.templating import templates

portal = APIRouter(include_in_schema=False)
admin = APIRouter(prefix="/admin", include_in_schema=False)
Officer = Annotated[Actor, Depends(require(Role.OFFICER, Role.ADMIN, Role.AUDITOR))]
Planner = Annotated[Actor, Depends(require(Role.OFFICER, Role.ADMIN))]
Text = Annotated[str, Form(max_length=200)]
PlanCode = Annotated[str, Path(max_length=40, description="抽查计划编号")]


async def _plan_choices(request: Request) -> dict[str, Any]:
    """The plan form's fields whose names come from the catalog: `ratio_<class>` (percent, blank
    = the catalog's) and the ticked inspectors (`pool`, with `pool_chosen` saying the list was
    shown: without it the whole department's pool is drawn from, as the CLI does)."""
    form = await request.form()
    ratios: dict[str, str] = {
        str(k)[6:]: str(v).strip() for k, v in form.items() if str(k).startswith("ratio_")
    }
    pool = [str(v) for v in form.getlist("pool")] if form.get("pool_chosen") else None
    return {"ratios": {k: v for k, v in ratios.items() if v}, "pool": pool}


PlanChoices = Annotated[dict[str, Any], Depends(_plan_choices)]


def _percent(text: str, cls: str) -> float:
    try:
        return float(text.rstrip("%％")) / 100
    except ValueError:
        raise InvalidInput(f"监管类别 {cls} 的抽查比例应为百分数，如 10：{text}") from None


def _chosen(session: DbSession, dept: Provider, texts: list[str] | None) -> list[int] | None:
    """The ticked inspectors of the plan's department (the list shows every department the
    officer sees; the plan draws from its own department's only)."""
    if texts is None:
        return None
    try:
        ids = {int(t) for t in texts}
    except ValueError:
        raise InvalidInput("所选检查人员无效，请刷新页面后重新选择") from None
    stmt = select(Inspector.id).where(Inspector.provider_id == dept.id, Inspector.id.in_(ids))
    found = sorted(session.execute(stmt).scalars())
    if ids and not found:
        raise InvalidInput(f"所勾选的检查人员都不属于{dept.name}，请勾选该部门的检查人员")
    return found


@portal.get("/inspections", response_class=HTMLResponse)
def public_page(
    request: Request, session: DbSession, today: Today, catalog: CurrentCatalog
) -> HTMLResponse:
    rules = supervision.rules_of(catalog)
    context = {"results": inspections.public_results(session, today=today), "rules": rules}
    return templates.TemplateResponse(request, "inspections/public.html", context)


def _departments(session: DbSession, actor: Actor) -> list[Provider]:
    """The departments whose plans and inspectors `actor` sees: an officer its own."""
    every = providers.list_providers(session)
    return every if actor.role != Role.OFFICER else [p for p in every if p.id == actor.provider_id]


def _plans_page(
    request: Request,
    session: DbSession,
    actor: Actor,
    today: date,
    *,
    error: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    departments = _departments(session, actor)
    ids = [d.id for d in departments]
    stmt = select(InspectionPlan).order_by(InspectionPlan.id.desc())
    if actor.role == Role.OFFICER:
        stmt = stmt.where(InspectionPlan.provider_id == actor.provider_id)
    pool = select(Inspector).where(Inspector.provider_id.in_(ids)).order_by(Inspector.id)
    context: dict[str, Any] = {
        "actor": actor,
        "plans": session.execute(stmt.limit(100)).scalars().all(),
        "departments": departments,
        "names": {d.id: d.name for d in departments},
        "inspectors": session.execute(pool).scalars().all(),
        "rules": supervision.rules_of(request.app.state.catalogs.current),
        "region": request.app.state.settings.region_code,
        "today": today,
        "error": error,
        "form": form or {},
    }
    return templates.TemplateResponse(request, "inspections/plans.html", context, status)


@admin.get("/inspections", response_class=HTMLResponse)
def plans_page(request: Request, session: DbSession, actor: Officer, today: Today) -> HTMLResponse:
    return _plans_page(request, session, actor, today)


def _day(text: str, label: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(f"{label}应为日期（YYYY-MM-DD）：{text}") from None


def _attempt(
    request: Request, session: DbSession, actor: Actor, today: date, form: dict[str, str],
    where: str, action: Any,
) -> Response:  # fmt: skip
    """Run the action in a savepoint; a refusal shows the page again with its Chinese message
    beside the form (`where`) and what the clerk typed."""
    try:
        with session.begin_nested():
            target = action()
    except XinyongError as exc:
        error = {"where": where, "message": exc.message}
        return _plans_page(request, session, actor, today, error=error, form=form,
                           status=exc.status)  # fmt: skip
    return RedirectResponse(target, status_code=303)


@admin.post("/inspections/inspectors")
def add_inspector(
    request: Request, session: DbSession, actor: Planner, today: Today, name: Text, badge: Text,
    department: Text, related: Annotated[str, Form(max_length=2000)] = "",
) -> Response:  # fmt: skip
    """登记检查人员 and the subjects they are related to (one code a line, or separated by
    commas/、): the draw keeps them away from those subjects."""
    codes = tuple(c for c in re.split(r"[\s,，、;；]+", related) if c)
    form = {"name": name, "badge": badge, "department": department, "related": related}

    def act() -> str:
        dept = providers.get_by_uscc(session, department.strip())
        inspections.add_inspector(session, name, badge, dept, related_codes=codes, actor=actor)
        return "/admin/inspections#inspectors"

    return _attempt(request, session, actor, today, form, "inspector", act)


@admin.post("/inspections/plans")
def make_plan(
    request: Request, session: DbSession, actor: Planner, today: Today, catalog: CurrentCatalog,
    code: Text, title: Text, department: Text, sector: Text, region: Text, period_start: Text,
    period_end: Text, choices: PlanChoices, seed: Annotated[str, Form(max_length=64)] = "",
) -> Response:  # fmt: skip
    """制定抽查计划: the draw runs at once with a recorded seed (random unless given), at the
    catalog's ratios (raised per class where asked) from the chosen inspectors."""
    form: dict[str, Any] = {
        "code": code, "title": title, "department": department, "sector": sector,
        "region": region, "period_start": period_start, "period_end": period_end, "seed": seed,
        **{f"ratio_{k}": v for k, v in choices["ratios"].items()}, "pool": choices["pool"],
    }  # fmt: skip

    def act() -> str:
        dept = providers.get_by_uscc(session, department.strip())
        plan = inspections.create_plan(
            session, code=code.strip(), title=title.strip(), provider=dept, sector=sector,
            region_code=region.strip(), period_start=_day(period_start, "抽查开始日期"),
            period_end=_day(period_end, "抽查结束日期"), seed=seed.strip() or None,
            ratios={k: _percent(v, k) for k, v in choices["ratios"].items()},
            inspector_ids=_chosen(session, dept, choices["pool"]),
            actor=actor, catalog=catalog, today=today,
        )  # fmt: skip
        return f"/admin/inspections/{quote(plan.code, safe='')}"

    return _attempt(request, session, actor, today, form, "plan", act)


def _people(session: DbSession, plan: InspectionPlan) -> dict[int, Inspector]:
    stmt = select(Inspector).where(Inspector.provider_id == plan.provider_id)
    return {i.id: i for i in session.execute(stmt).scalars()}


@admin.get("/inspections/{plan_code}", response_class=HTMLResponse)
def plan_page(
    request: Request, session: DbSession, actor: Officer, plan_code: PlanCode
) -> HTMLResponse:
    plan = inspections.get_plan(session, plan_code, actor=actor)
    rows = inspections.drawn_of(session, plan)
    people = _people(session, plan)
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
        "rules": supervision.rules_of(request.app.state.catalogs.current),
    }
    return templates.TemplateResponse(request, "inspections/plan.html", context)


@admin.get("/inspections/{plan_code}/redraw", response_class=HTMLResponse)
def redraw_page(
    request: Request, session: DbSession, actor: Officer, plan_code: PlanCode
) -> HTMLResponse:
    """复核抽取: the draw again from the recorded seed and inputs, beside the stored one, pair by
    pair, with the inspectors each subject's conflicts of interest kept away."""
    plan = inspections.get_plan(session, plan_code, actor=actor)
    result = inspections.redraw(session, plan, actor=actor)
    people = _people(session, plan)
    ids = [p.subject_id for p in result.pairs]
    who = {s.id: subjects.public_view(s) for s in subjects.by_ids(session, ids)}
    context = {
        "actor": actor,
        "plan": plan,
        "result": result,
        "people": people,
        "who": who,
        "rules": supervision.load_rules(),
        "department": providers.get(session, plan.provider_id).name,
    }
    return templates.TemplateResponse(request, "inspections/redraw.html", context)


@admin.post("/inspections/{plan_code}/{inspection_id}/result")
def record_result(
    session: DbSession,
    actor: Officer,
    today: Today,
    calendar: CurrentCalendar,
    catalog: CurrentCatalog,
    plan_code: PlanCode,
    inspection_id: RowId,
    result: Annotated[str, Form()],
    detail: Annotated[str, Form()] = "",
) -> Response:
    row = inspections.get_inspection(session, plan_code, inspection_id, actor=actor)
    inspections.record_result(
        session, row, result, detail, actor=actor, today=today, calendar=calendar, catalog=catalog
    )
    return RedirectResponse(f"/admin/inspections/{plan_code}", status_code=303)


def register(app: FastAPI) -> None:
    app.include_router(portal)
    app.include_router(admin)
