"""信易贷 API under /api/v1/financing: alerts for a bank, a bank's loan outcome from its own loan
system (as on `/bank/`: the need it answers marked served or declined), who queried an SME,
products, an SME's need with the matching products, the figures. Response shapes are decided
here, not in domain."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from xinyong import audit, subjects
from xinyong.audit import Actor
from xinyong.db.base import MAX_ROW_ID
from xinyong.enums import LoanResult, Role
from xinyong.financing import catalog as fin_catalog
from xinyong.financing import institutions, market, outcomes
from xinyong.web.deps import CurrentCatalog, DbSession, Enterprise, OwnSubject, Today, require
from xinyong.web.inputs import RowId

api = APIRouter(prefix="/api/v1/financing", tags=["信易贷"])
Banker = Annotated[Actor, Depends(require(Role.BANK))]
FigureReader = Annotated[Actor, Depends(require(Role.ADMIN, Role.AUDITOR, Role.BANK))]


class NeedIn(BaseModel):
    amount: str = Field(description="融资金额（万元）")
    term_months: int = Field(description="期限（月）")
    purpose: str
    size: str | None = Field(default=None, description="企业规模 micro|small|medium|large")


class OutcomeIn(BaseModel):
    code: str = Field(max_length=64, description="企业统一社会信用代码")
    result: LoanResult = Field(description="granted 获批 / refused 未获批")
    need_id: int | None = Field(None, ge=1, le=MAX_ROW_ID, description="所回应的融资需求编号")
    amount: str | None = Field(None, max_length=32, description="放款金额（万元，获批时）")
    granted_on: date | None = Field(None, description="放款日期（获批时必填）")
    matures_on: date | None = Field(None, description="到期日")
    rate_type: str | None = Field(None, max_length=32, description="利率类型（获批时必填）")
    credit_loan: bool | None = Field(None, description="是否信用贷款（获批时必填）")
    first_loan: bool | None = Field(None, description="是否首贷（获批时必填）")
    refusal_code: str | None = Field(None, max_length=32, description="未获批原因代码")


@api.post("/outcomes", summary="本机构反馈放贷结果（获批或未获批），所回应的融资需求随之办结")
def api_outcome(body: OutcomeIn, session: DbSession, actor: Banker, today: Today) -> dict[str, Any]:
    inst = institutions.of_actor(session, actor)
    subject = subjects.get_by_code(session, body.code.strip())
    need = market.get_need(session, body.need_id) if body.need_id else None
    granted = body.result == LoanResult.GRANTED
    row = outcomes.record_outcome(
        session, inst, subject, result=body.result, decided_on=today,
        fin_catalog=fin_catalog.load(), actor=actor, need=need, amount_wan=body.amount,
        granted_on=body.granted_on, matures_on=body.matures_on, rate_type=body.rate_type,
        credit_loan=body.credit_loan if granted else None,
        first_loan=body.first_loan if granted else None, refusal_code=body.refusal_code,
    )  # fmt: skip
    return {"outcome": outcomes.outcome_json(row)}


@api.get("/alerts", summary="本机构的贷中预警")
def api_alerts(session: DbSession, actor: Banker) -> dict[str, Any]:
    inst = institutions.of_actor(session, actor)
    return {
        "institution": inst.name,
        "alerts": [
            outcomes.alert_json(a, subjects.get(session, a.subject_id))
            for a in outcomes.alerts_of(session, inst.id)
        ],
    }


@api.get(
    "/queries", summary="谁查询了本企业的信用信息（含金融机构的每次查询、业务系统的联合奖惩核查）"
)
def api_queries(
    session: DbSession,
    actor: Enterprise,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    assert actor.subject_id is not None
    reads, total = audit.reads_of_subject(session, actor.subject_id, page=page, per_page=per_page)
    return {
        "total": total,
        "page": page,
        "queries": [
            {
                "at": audit.jsonable(q.at),
                "who": q.who,
                "purpose": q.purpose,
                "surface": q.surface,
                "basis": q.basis,
                "consent_id": q.consent_id,
                "matter": q.matter,
                "check_id": q.check_id,
            }
            for q in reads
        ],
    }


@api.get("/products", summary="已发布的贷款产品")
def api_products(session: DbSession) -> dict[str, Any]:
    return {"products": [market.product_json(p) for p in market.products(session)]}


@api.post("/needs", summary="企业发布融资需求，返回可申请的产品及理由")
def api_need(
    body: NeedIn,
    session: DbSession,
    actor: Enterprise,
    subject: OwnSubject,
    catalog: CurrentCatalog,
    today: Today,
) -> dict[str, Any]:
    need = market.publish_need(
        session, subject, amount_wan=body.amount, term_months=body.term_months,
        purpose=body.purpose, size=body.size, actor=actor, today=today,
    )  # fmt: skip
    found = market.match(session, subject, need, catalog=catalog, today=today)
    return {"need": market.need_json(need), "matches": [m.as_dict() for m in found]}


@api.post("/needs/{need_id}/withdraw", summary="企业撤回本企业的融资需求")
def api_withdraw_need(
    session: DbSession, actor: Enterprise, subject: OwnSubject, today: Today, need_id: RowId
) -> dict[str, Any]:
    need = market.withdraw_need(
        session, market.get_need(session, need_id), actor=actor, today=today
    )
    return {"need": market.need_json(need)}


@api.get("/figures", summary="按机构和月份的信易贷统计")
def api_figures(
    session: DbSession, actor: FigureReader, month: str | None = None
) -> dict[str, Any]:
    rows = outcomes.figures(session, month)
    if actor.role == Role.BANK:
        inst = institutions.of_actor(session, actor)
        rows = [f for f in rows if f.institution_id == inst.id]
    return {"figures": [f.as_dict() for f in rows]}
