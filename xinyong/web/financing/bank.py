"""信易贷 pages of a financial institution (/bank/…): products, the consenting SMEs and their
credit files (each view logged as a query with the consent relied on), loan outcomes, 贷中预警
alerts and the whitelists pushed to it. Permissions are checked in the domain modules."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from xinyong import consent, disclosure, subjects
from xinyong.audit import Actor
from xinyong.catalog import Catalog
from xinyong.db.base import MAX_ROW_ID
from xinyong.db.tables import FinancingNeed, Subject
from xinyong.enums import LoanResult, Role, WhitelistState
from xinyong.errors import Forbidden, InvalidInput
from xinyong.evaluation import access as evaluation_access
from xinyong.financing import catalog as fin_catalog
from xinyong.financing import institutions, market, outcomes, whitelist
from xinyong.financing.market import RATE_TYPES
from xinyong.web.deps import CurrentCatalog, DbSession, Today, require
from xinyong.web.inputs import ARCHIVE_KEYSET, archive_keyset, checked, position
from xinyong.web.templating import templates

bank = APIRouter(prefix="/bank", include_in_schema=False)
Banker = Annotated[Actor, Depends(require(Role.BANK))]
LENDER_PURPOSE = "贷前审核：查看企业信用档案"
ARCHIVE_PER_PAGE = 20  # archive entries a page of /bank/subjects/{code} (the API's default)
MAX_PAGE = 100_000  # the page number a link may carry (shown only: the keyset decides the rows)


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
def bank_home(
    request: Request, session: DbSession, actor: Banker, today: Today,
    code: str = Query("", max_length=32),
) -> Response:  # fmt: skip
    """The institution's desk; `?code=` (查找企业) opens that subject's 贷前审核 page, which says
    why when the subject has not authorised the institution."""
    if code.strip():
        return RedirectResponse(f"/bank/subjects/{quote(code.strip(), safe='')}", status_code=303)
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
    if checked(no_punishment_in_force):
        rule["no_punishment_in_force"] = True
    market.publish_product(
        session, inst, name=name, amount_min=amount_min, amount_max=amount_max,
        term_min_months=term_min_months, term_max_months=term_max_months, rate_type=rate_type,
        credit_loan=checked(credit_loan), eligibility_rule=rule, actor=actor,
    )  # fmt: skip
    return RedirectResponse("/bank/#products", status_code=303)


def _lender_view(
    session: Session, actor: Actor, subject: Subject, catalog: Catalog, today: date,
    after: tuple[date | None, int] | None,
) -> dict[str, Any]:  # fmt: skip
    """Evaluation and one page of the archive through their owners: each read checks consent
    and is logged (the archive's page with its position, as the full-archive API logs it), so a
    consent revoked between two pages refuses the next one."""
    evaluation = evaluation_access.read_evaluation(
        session, subject, actor=actor, catalog=catalog, today=today, surface="bank"
    )
    archive = disclosure.read_archive_page(
        session, subject, purpose=LENDER_PURPOSE, surface="bank", actor=actor, catalog=catalog,
        today=today, after=after, per_page=ARCHIVE_PER_PAGE,
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
    after: str | None = Query(None, max_length=40, pattern=ARCHIVE_KEYSET),
    page: int = Query(1, ge=1, le=MAX_PAGE),
) -> HTMLResponse:
    """A consenting SME's credit file: its needs, evaluation and full archive a page at a time
    (newest decision first, the undated before the dated; `after`: the last row's position)."""
    inst = institutions.of_actor(session, actor)
    subject = subjects.get_by_code(session, code)
    view = _lender_view(session, actor, subject, catalog, today, archive_keyset(after))
    shown = view["archive"]
    ctx = {
        "actor": actor,
        "institution": inst,
        "subject": subject,
        "needs": market.needs_of(session, subject.id),
        "catalog": catalog,
        "page": page if after else 1,
        "first_number": (page - 1) * ARCHIVE_PER_PAGE + 1 if after else 1,
        "next_after": position(shown.next_after),
    } | view
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
        actor=actor, need=_need(session, need_id),
        amount_wan=amount, granted_on=_day(granted_on), matures_on=_day(matures_on),
        rate_type=rate_type or None, credit_loan=checked(credit_loan) if granted else None,
        first_loan=checked(first_loan) if granted else None, refusal_code=refusal_code or None,
    )  # fmt: skip
    return RedirectResponse("/bank/#outcomes", status_code=303)


def _need(session: Session, value: str | None) -> FinancingNeed | None:
    """The need a bank's outcome answers (optional: a loan may come without a published need)."""
    text = (value or "").strip()
    if not text:
        return None
    if not text.isdigit() or not 1 <= int(text) <= MAX_ROW_ID:
        raise InvalidInput(f"融资需求编号“{text}”应为正整数")
    return market.get_need(session, int(text))


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
