"""信易贷 pages of the SME (/me/financing): its needs and matching products, consent to
institutions, and the whitelist opt-out. The enterprise acts for its own subject only."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from xinyong.evaluation.eligibility import SIZES
from xinyong.financing import institutions, market, whitelist
from xinyong.financing.market import RATE_TYPES
from xinyong.web.deps import CurrentCatalog, DbSession, Enterprise, OwnSubject, Today
from xinyong.web.inputs import RowId
from xinyong.web.templating import templates

me = APIRouter(prefix="/me/financing", include_in_schema=False)


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
        "current_need": market.latest_open(needs),
        "withdrawable": market.WITHDRAWABLE,
        "matches": market.match(
            session, subject, market.latest_open(needs), catalog=catalog, today=today
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


@me.post("/needs/{need_id}/withdraw")
def me_withdraw_need(
    session: DbSession, actor: Enterprise, subject: OwnSubject, today: Today, need_id: RowId
) -> Response:
    market.withdraw_need(session, market.get_need(session, need_id), actor=actor, today=today)
    return RedirectResponse("/me/financing#need", status_code=303)


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
