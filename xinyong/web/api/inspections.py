"""双随机、一公开 API: `POST /api/v1/inspections/plans` (make a plan; the draw runs at once),
`GET /api/v1/inspections/plans/{plan_code}` (the plan and its draw, for whom may read it),
`GET /api/v1/inspections/plans/{plan_code}/redraw` (the draw again from the recorded seed, compared
pair by pair) and `POST /api/v1/inspections/{plan_code}/{inspection_id}/result`
(the inspecting department's enforcement system records a result, published at once). The same
audited actions as the pages and `xinyong inspections …`."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, Field

from xinyong import inspections, providers
from xinyong.audit import Actor
from xinyong.db.tables import InspectionPlan
from xinyong.enums import Role
from xinyong.web.deps import CurrentCalendar, CurrentCatalog, DbSession, Today, require
from xinyong.web.inputs import RowId

router = APIRouter(tags=["inspections"])
Planner = Annotated[Actor, Depends(require(Role.OFFICER, Role.ADMIN))]
Reader = Annotated[Actor, Depends(require(Role.OFFICER, Role.ADMIN, Role.AUDITOR))]
PlanCode = Annotated[str, Path(max_length=40, description="抽查计划编号")]


class PlanRequest(BaseModel):
    code: str = Field(min_length=1, max_length=40)
    title: str = Field(min_length=1, max_length=200)
    department: str = Field(max_length=64, description="检查部门统一社会信用代码")
    sector: str = Field(max_length=64, description="监管领域，如 market_regulation")
    region: str = Field(max_length=12, description="行政区划代码（前缀）")
    period_start: date
    period_end: date
    seed: str | None = Field(default=None, max_length=64)
    ratios: dict[str, float] = Field(
        default_factory=dict, description="提高某监管类别的抽查比例（0–1，不得低于目录比例）"
    )
    inspectors: list[int] | None = Field(
        default=None, description="检查人员名录（编号）；不填为检查部门的全部检查人员"
    )


def _pair(p: inspections.Pair) -> dict[str, Any]:
    return {
        "subject_id": p.subject_id,
        "supervision_class": p.supervision_class,
        "stored": None if p.stored is None else list(p.stored),
        "redrawn": None if p.again is None else list(p.again),
        "same": p.same,
        "excluded": [{"inspector_id": i, "reason": why} for i, why in p.excluded],
    }


@router.post("/inspections/plans", summary="制定双随机抽查计划并抽取", status_code=201)
def create_plan(
    body: PlanRequest, session: DbSession, actor: Planner, catalog: CurrentCatalog, today: Today
) -> dict[str, Any]:
    plan = inspections.create_plan(
        session, code=body.code.strip(), title=body.title.strip(),
        provider=providers.get_by_uscc(session, body.department), sector=body.sector,
        region_code=body.region.strip(), period_start=body.period_start,
        period_end=body.period_end, seed=body.seed, ratios=body.ratios,
        inspector_ids=body.inspectors, actor=actor, catalog=catalog, today=today,
    )  # fmt: skip
    return _plan_view(session, plan)


def _plan_view(session: DbSession, plan: InspectionPlan) -> dict[str, Any]:
    drawn = inspections.drawn_of(session, plan)
    return {
        "plan": plan.code,
        "seed": plan.seed,
        "population": len(plan.inputs["population"]),
        "ratios": plan.inputs["ratios"],
        "inspectors": plan.inputs["inspectors"],
        "drawn": [[d.subject_id, d.supervision_class, list(d.inspector_ids)] for d in drawn],
    }


@router.get("/inspections/plans/{plan_code}", summary="抽查计划及抽取结果")
def plan_detail(session: DbSession, actor: Reader, plan_code: PlanCode) -> dict[str, Any]:
    """The plan page's data, for the inspecting department, the credit office and auditors."""
    return _plan_view(session, inspections.get_plan(session, plan_code, actor=actor))


@router.get("/inspections/plans/{plan_code}/redraw", summary="按记录的种子复核抽取")
def redraw(session: DbSession, actor: Reader, plan_code: PlanCode) -> dict[str, Any]:
    found = inspections.get_plan(session, plan_code, actor=actor)
    result = inspections.redraw(session, found, actor=actor)
    return {
        "plan": plan_code,
        "seed": result.plan.seed,
        "identical": result.identical,
        "pairs": [_pair(p) for p in result.pairs],
    }


class ResultRequest(BaseModel):
    result: str = Field(max_length=40, description="检查结果：" + "、".join(inspections.RESULTS))
    detail: str = Field("", max_length=4000, description="情况说明")


@router.post(
    "/inspections/{plan_code}/{inspection_id}/result",
    summary="记录双随机检查结果（即时公示）",
)
def record_result(
    plan_code: PlanCode,
    inspection_id: RowId,
    body: ResultRequest,
    session: DbSession,
    actor: Planner,
    today: Today,
    calendar: CurrentCalendar,
    catalog: CurrentCatalog,
) -> dict[str, Any]:
    row = inspections.get_inspection(session, plan_code, inspection_id, actor=actor)
    inspections.record_result(session, row, body.result, body.detail, actor=actor, today=today,
                              calendar=calendar, catalog=catalog)  # fmt: skip
    return {"plan": plan_code, "inspection_id": row.id, "subject_id": row.subject_id,
            "result": row.result, "detail": row.result_detail, "result_on": row.result_on,
            "published_on": row.published_on}  # fmt: skip
