"""信易贷 surfaces: /me/financing (the SME), /bank/… (the institution), /admin/financing (the
office) and the API under /api/v1/financing. Permissions are checked in the domain modules.

`register(app)` includes the routers and turns on 贷中预警 for this process
(`financing.outcomes.install`), with the app's today.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from xinyong import audit, auth, clock, consent, disclosure, subjects
from xinyong.audit import Actor
from xinyong.catalog import Catalog
from xinyong.db.tables import Subject
from xinyong.enums import LoanResult, Role, WhitelistState
from xinyong.errors import Forbidden, InvalidInput, NotFound
from xinyong.evaluation import access as evaluation_access
from xinyong.evaluation.eligibility import SIZES
from xinyong.financing import catalog as fin_catalog
from xinyong.financing import institutions, market, outcomes, whitelist
from xinyong.financing.institutions import KINDS
from xinyong.financing.market import RATE_TYPES
from xinyong.web.deps import CurrentCatalog, DbSession, Enterprise, OwnSubject, Today, require
from xinyong.web.openapi import ERROR_RESPONSES
from xinyong.web.templating import templates

me = APIRouter(prefix="/me/financing", include_in_schema=False)
bank = APIRouter(prefix="/bank", include_in_schema=False)
admin = APIRouter(prefix="/admin/financing", include_in_schema=False)
api = APIRouter(prefix="/api/v1/financing", tags=["信易贷"])
Banker = Annotated[Actor, Depends(require(Role.BANK))]
Office = Annotated[Actor, Depends(require(Role.ADMIN))]
FigureReader = Annotated[Actor, Depends(require(Role.ADMIN, Role.AUDITOR, Role.BANK))]
LENDER_PURPOSE = "贷前审核：查看企业信用档案"


def _yes(value: str | None) -> bool:
    return value in {"1", "true", "on", "yes"}


# ---- the SME ----------------------------------------------------------------------------------


@me.get("", response_class=HTMLResponse)
def me_page(
    request: Request,
    session: DbSession,
    actor: Enterprise,
    subject: OwnSubject,
    catalog: CurrentCatalog,
    today: Today,
) -> HTMLResponse:
    needs = market.needs_of(session, subject.id)
    banks = [
        (inst, institutions.consents_to(session, subject.id, inst.id, today))
        for inst in institutions.all_active(session)
    ]
    ctx = {
        "actor": actor,
        "subject": subject,
        "needs": needs,
        "matches": market.match(
            session, subject, needs[0] if needs else None, catalog=catalog, today=today
        ),
        "banks": banks,
        "opted_out": subject.id in whitelist.opted_out(session),
        "sizes": SIZES,
        "rate_types": RATE_TYPES,
        "today": today,
    }
    return templates.TemplateResponse(request, "financing/me.html", ctx)


@me.post("/needs")
def me_publish_need(
    session: DbSession,
    actor: Enterprise,
    subject: OwnSubject,
    today: Today,
    amount: Annotated[str, Form()],
    term_months: Annotated[str, Form()],
    purpose: Annotated[str, Form()],
    size: Annotated[str | None, Form()] = None,
) -> Response:
    market.publish_need(
        session, subject, amount_wan=amount, term_months=term_months, purpose=purpose,
        size=size or None, actor=actor, today=today,
    )  # fmt: skip
    return RedirectResponse("/me/financing#matches", status_code=303)


@me.post("/consents")
def me_consent(
    session: DbSession,
    actor: Enterprise,
    subject: OwnSubject,
    today: Today,
    institution_id: Annotated[int, Form()],
    purpose: Annotated[str, Form()],
    valid_until: Annotated[date, Form()],
) -> Response:
    institutions.grant(
        session, subject, institutions.get(session, institution_id),
        purpose=purpose, valid_until=valid_until, actor=actor, today=today,
    )  # fmt: skip
    return RedirectResponse("/me/financing#banks", status_code=303)


@me.post("/consents/{institution_id}/revoke")
def me_revoke(
    session: DbSession, actor: Enterprise, subject: OwnSubject, today: Today, institution_id: int
) -> Response:
    institutions.revoke(
        session, subject, institutions.get(session, institution_id),
        actor=actor, today=today,
    )  # fmt: skip
    return RedirectResponse("/me/financing#banks", status_code=303)


@me.post("/whitelist")
def me_whitelist(
    session: DbSession,
    actor: Enterprise,
    subject: OwnSubject,
    choice: Annotated[str, Form()],
    reason: Annotated[str | None, Form()] = None,
) -> Response:
    if choice == "out":
        whitelist.opt_out(session, subject, actor=actor, reason=reason)
    else:
        whitelist.opt_in(session, subject, actor=actor)
    return RedirectResponse("/me/financing#whitelist", status_code=303)


# ---- the institution --------------------------------------------------------------------------


def _consenting(session: Session, institution_id: int, today: date) -> list[dict[str, Any]]:
    """SMEs whose consent to this institution holds today, with their open needs."""
    seen: dict[int, dict[str, Any]] = {}
    for party in institutions.grantees(session, institution_id):
        for row in consent.list_for_grantee(session, party):
            if consent.is_valid(row, today) and "financing" in row.scopes:
                subject = subjects.get(session, row.subject_id)
                seen.setdefault(
                    subject.id,
                    {
                        "subject": subject,
                        "consent": row,
                        "needs": market.needs_of(session, subject.id),
                    },
                )
    return list(seen.values())


@bank.get("/", response_class=HTMLResponse)
def bank_home(request: Request, session: DbSession, actor: Banker, today: Today) -> HTMLResponse:
    inst = institutions.of_actor(session, actor)
    products = market.products(session, inst.id)
    ctx = {
        "actor": actor,
        "institution": inst,
        "products": products,
        "conditions": {p.id: market.product_rule(p).describe() for p in products},
        "borrowers": _consenting(session, inst.id, today),
        "outcomes": [
            (o, subjects.get(session, o.subject_id)) for o in outcomes.outcomes_of(session, inst.id)
        ],
        "alerts": len(outcomes.alerts_of(session, inst.id)),
        "whitelists": whitelist.lists_of(session, inst.id, pushed_only=True),
        "figures": [f for f in outcomes.figures(session) if f.institution_id == inst.id],
        "rate_types": RATE_TYPES,
        "reasons": fin_catalog.load().refusal_reasons,
        "grades": ("A", "B", "C", "D"),
        "today": today,
    }
    return templates.TemplateResponse(request, "financing/bank.html", ctx)


@bank.post("/products")
def bank_publish_product(
    session: DbSession,
    actor: Banker,
    name: Annotated[str, Form()],
    amount_min: Annotated[str, Form()],
    amount_max: Annotated[str, Form()],
    term_min_months: Annotated[str, Form()],
    term_max_months: Annotated[str, Form()],
    rate_type: Annotated[str, Form()],
    credit_loan: Annotated[str | None, Form()] = None,
    grades: Annotated[list[str] | None, Form()] = None,
    no_punishment_in_force: Annotated[str | None, Form()] = None,
) -> Response:
    inst = institutions.of_actor(session, actor)
    rule: dict[str, Any] = {}
    if grades:
        rule["grades"] = grades
    if _yes(no_punishment_in_force):
        rule["no_punishment_in_force"] = True
    market.publish_product(
        session, inst, name=name, amount_min=amount_min, amount_max=amount_max,
        term_min_months=term_min_months, term_max_months=term_max_months, rate_type=rate_type,
        credit_loan=_yes(credit_loan), eligibility_rule=rule, actor=actor,
    )  # fmt: skip
    return RedirectResponse("/bank/#products", status_code=303)


def _lender_view(
    session: Session, actor: Actor, subject: Subject, catalog: Catalog, today: date
) -> dict[str, Any]:
    """Evaluation and archive through their owners: each read checks consent and is logged."""
    evaluation = evaluation_access.read_evaluation(
        session, subject, actor=actor, catalog=catalog, today=today, surface="bank"
    )
    archive = disclosure.read_archive(
        session, subject, purpose=LENDER_PURPOSE, surface="bank", actor=actor, catalog=catalog,
        today=today,
    )  # fmt: skip
    return {"evaluation": evaluation, "archive": archive}


@bank.get("/subjects/{code}", response_class=HTMLResponse)
def bank_subject(
    request: Request,
    session: DbSession,
    actor: Banker,
    catalog: CurrentCatalog,
    today: Today,
    code: str,
) -> HTMLResponse:
    inst = institutions.of_actor(session, actor)
    subject = subjects.get_by_code(session, code)
    ctx = {
        "actor": actor,
        "institution": inst,
        "subject": subject,
        "needs": market.needs_of(session, subject.id),
        "catalog": catalog,
    } | _lender_view(session, actor, subject, catalog, today)
    return templates.TemplateResponse(request, "financing/bank_subject.html", ctx)


@bank.post("/outcomes")
def bank_outcome(
    session: DbSession,
    actor: Banker,
    today: Today,
    code: Annotated[str, Form()],
    result: Annotated[str, Form()],
    need_id: Annotated[str | None, Form()] = None,
    amount: Annotated[str | None, Form()] = None,
    granted_on: Annotated[str | None, Form()] = None,
    matures_on: Annotated[str | None, Form()] = None,
    rate_type: Annotated[str | None, Form()] = None,
    credit_loan: Annotated[str | None, Form()] = None,
    first_loan: Annotated[str | None, Form()] = None,
    refusal_code: Annotated[str | None, Form()] = None,
) -> Response:
    inst = institutions.of_actor(session, actor)
    subject = subjects.get_by_code(session, code.strip())
    granted = result == LoanResult.GRANTED
    outcomes.record_outcome(
        session, inst, subject, result=result, decided_on=today, fin_catalog=fin_catalog.load(),
        actor=actor, need=market.get_need(session, int(need_id)) if need_id else None,
        amount_wan=amount, granted_on=_day(granted_on), matures_on=_day(matures_on),
        rate_type=rate_type or None, credit_loan=_yes(credit_loan) if granted else None,
        first_loan=_yes(first_loan) if granted else None, refusal_code=refusal_code or None,
    )  # fmt: skip
    return RedirectResponse("/bank/#outcomes", status_code=303)


def _day(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"日期“{value}”格式应为 YYYY-MM-DD") from None


@bank.get("/alerts", response_class=HTMLResponse)
def bank_alerts(request: Request, session: DbSession, actor: Banker) -> HTMLResponse:
    inst = institutions.of_actor(session, actor)
    rows = [
        outcomes.alert_json(a, subjects.get(session, a.subject_id))
        for a in outcomes.alerts_of(session, inst.id)
    ]
    ctx = {"actor": actor, "institution": inst, "alerts": rows}
    return templates.TemplateResponse(request, "financing/alerts.html", ctx)


@bank.get("/whitelists/{whitelist_id}", response_class=HTMLResponse)
def bank_whitelist(
    request: Request, session: DbSession, actor: Banker, whitelist_id: int
) -> HTMLResponse:
    inst = institutions.of_actor(session, actor)
    row = whitelist.get(session, whitelist_id)
    if row.institution_id != inst.id or row.state != WhitelistState.PUSHED:
        raise Forbidden("该白名单未推送给本机构", code="financing.whitelist_forbidden")
    ctx = {"actor": actor, "institution": inst, "list": row,
           "entries": whitelist.entries(session, row.id)}  # fmt: skip
    return templates.TemplateResponse(request, "financing/whitelist.html", ctx)


# ---- the credit office ------------------------------------------------------------------------


@admin.get("", response_class=HTMLResponse)
def admin_page(request: Request, session: DbSession, actor: Office, today: Today) -> HTMLResponse:
    names = {i.id: i.name for i in institutions.all_active(session)}
    ctx = {
        "actor": actor,
        "institutions": institutions.all_active(session),
        "names": names,
        "whitelists": whitelist.lists_of(session),
        "figures": outcomes.figures(session),
        "kinds": KINDS,
        "month": today.strftime("%Y-%m"),
    }
    return templates.TemplateResponse(request, "financing/admin.html", ctx)


@admin.post("/institutions")
def admin_register(
    session: DbSession,
    actor: Office,
    name: Annotated[str, Form()],
    code: Annotated[str, Form()],
    kind: Annotated[str, Form()],
    username: Annotated[str | None, Form()] = None,
    joined: Annotated[str | None, Form()] = None,
) -> Response:
    inst = institutions.register(
        session, name, code, kind, joined_whitelist=_yes(joined), actor=actor
    )
    if username:
        user = auth.find_user(session, username.strip())
        if user is None:
            raise NotFound(f"用户“{username}”不存在", code="auth.user_not_found")
        institutions.add_user(session, inst, user, actor=actor)
    return RedirectResponse("/admin/financing", status_code=303)


@admin.post("/whitelists")
def admin_generate(
    session: DbSession, actor: Office, catalog: CurrentCatalog, today: Today,
    month: Annotated[str, Form()],
) -> Response:  # fmt: skip
    whitelist.generate(session, month.strip(), catalog=catalog, fin_catalog=fin_catalog.load(),
                       actor=actor, today=today)  # fmt: skip
    return RedirectResponse("/admin/financing#whitelists", status_code=303)


@admin.post("/whitelists/{whitelist_id}/{step}")
def admin_whitelist_step(
    session: DbSession, actor: Office, whitelist_id: int, step: str
) -> Response:
    row = whitelist.get(session, whitelist_id)
    if step == "review":
        whitelist.review(session, row, actor=actor)
    elif step == "push":
        whitelist.push(session, row, actor=actor)
    return RedirectResponse("/admin/financing#whitelists", status_code=303)


@admin.get("/whitelists/{whitelist_id}", response_class=HTMLResponse)
def admin_whitelist(
    request: Request, session: DbSession, actor: Office, whitelist_id: int
) -> HTMLResponse:
    row = whitelist.get(session, whitelist_id)
    ctx = {"actor": actor, "institution": institutions.get(session, row.institution_id),
           "list": row, "entries": whitelist.entries(session, row.id)}  # fmt: skip
    return templates.TemplateResponse(request, "financing/whitelist.html", ctx)


# ---- API --------------------------------------------------------------------------------------


class NeedIn(BaseModel):
    amount: str = Field(description="融资金额（万元）")
    term_months: int = Field(description="期限（月）")
    purpose: str
    size: str | None = Field(default=None, description="企业规模 micro|small|medium|large")


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


@api.get("/queries", summary="谁查询了本企业的信用信息（含金融机构的每次查询）")
def api_queries(session: DbSession, actor: Enterprise) -> dict[str, Any]:
    assert actor.subject_id is not None
    return {
        "queries": [
            {
                "at": audit.jsonable(q.at),
                "who": q.actor_label,
                "purpose": q.purpose,
                "surface": q.surface,
                "basis": q.basis,
                "consent_id": q.consent_id,
            }
            for q in audit.list_queries(session, actor.subject_id, limit=500)
        ]
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


@api.get("/figures", summary="按机构和月份的信易贷统计")
def api_figures(
    session: DbSession, actor: FigureReader, month: str | None = None
) -> dict[str, Any]:
    rows = outcomes.figures(session, month)
    if actor.role == Role.BANK:
        inst = institutions.of_actor(session, actor)
        rows = [f for f in rows if f.institution_id == inst.id]
    return {"figures": [f.as_dict() for f in rows]}


def register(app: FastAPI) -> None:
    settings = app.state.settings
    outcomes.install(lambda: (app.state.catalogs.current, settings.today or clock.today()))
    for router in (me, bank, admin):
        app.include_router(router)
    app.include_router(api, responses=ERROR_RESPONSES)
