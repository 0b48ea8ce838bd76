"""A financing need closes: the SME withdraws it, or a bank's loan outcome serves or declines it;
each change audited, a closed need refusing the step it cannot take."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.financing.conftest import Bank, Sme, make_bank, make_sme
from xinyong.audit import AuditAction
from xinyong.catalog import Catalog
from xinyong.db.tables import AuditEntry, FinancingNeed
from xinyong.enums import NeedStatus
from xinyong.errors import Forbidden
from xinyong.financing import market, outcomes
from xinyong.financing.catalog import FinancingCatalog


def _need(session: Session, sme: Sme, today: date) -> FinancingNeed:
    return market.publish_need(
        session, sme.subject, amount_wan="50", term_months=12, purpose="流动资金", size="small",
        actor=sme.actor, today=today,
    )  # fmt: skip


def _answer(
    session: Session, bank: Bank, sme: Sme, need: FinancingNeed, fin: FinancingCatalog,
    today: date, *, granted: bool,
) -> None:  # fmt: skip
    terms = ({"amount_wan": "50", "granted_on": today, "matures_on": today + timedelta(days=365),
              "rate_type": "fixed", "credit_loan": True, "first_loan": False} if granted
             else {"refusal_code": "insufficient_cashflow"})  # fmt: skip
    outcomes.record_outcome(
        session, bank.institution, sme.subject, result="granted" if granted else "refused",
        decided_on=today, fin_catalog=fin, actor=bank.actor, need=need, **terms,
    )  # fmt: skip


def _audited(session: Session, need: FinancingNeed) -> list[tuple[str, object]]:
    rows = session.execute(
        select(AuditEntry.action, AuditEntry.after)
        .where(AuditEntry.target_type == "financing_need", AuditEntry.target_id == str(need.id))
        .order_by(AuditEntry.id)
    ).all()  # fmt: skip
    return [(a, (after or {}).get("status")) for a, after in rows]


def test_the_sme_withdraws_its_need_and_only_its_own(
    session: Session, catalog: Catalog, today: date
) -> None:
    sme, other = make_sme(session, catalog, today), make_sme(session, catalog, today)
    need = _need(session, sme, today)
    with pytest.raises(Forbidden):
        market.withdraw_need(session, need, actor=other.actor, today=today)
    market.withdraw_need(session, need, actor=sme.actor, today=today)
    assert need.status == NeedStatus.WITHDRAWN
    assert market.latest_open(market.needs_of(session, sme.subject.id)) is None
    assert _audited(session, need)[-1] == (AuditAction.FINANCING_NEED_WITHDRAWN, "withdrawn")
    with pytest.raises(market.NeedClosed, match="已撤回"):
        market.withdraw_need(session, need, actor=sme.actor, today=today)


def test_a_refusal_declines_a_need_and_a_later_grant_serves_it(
    session: Session, catalog: Catalog, today: date, fin: FinancingCatalog
) -> None:
    sme, first, second = make_sme(session, catalog, today), make_bank(session), make_bank(session)
    need = _need(session, sme, today)
    _answer(session, first, sme, need, fin, today, granted=False)
    assert need.status == NeedStatus.DECLINED
    _answer(session, second, sme, need, fin, today, granted=True)
    assert need.status == NeedStatus.SERVED
    _answer(session, first, sme, need, fin, today, granted=False)  # a late refusal changes nothing
    assert need.status == NeedStatus.SERVED
    assert _audited(session, need)[1:] == [
        (AuditAction.FINANCING_NEED_ANSWERED, "declined"),
        (AuditAction.FINANCING_NEED_ANSWERED, "served"),
    ]
    with pytest.raises(market.NeedClosed, match="已获贷款"):
        market.withdraw_need(session, need, actor=sme.actor, today=today)


def test_no_outcome_on_a_withdrawn_need(
    session: Session, catalog: Catalog, today: date, fin: FinancingCatalog
) -> None:
    sme, bank = make_sme(session, catalog, today), make_bank(session)
    need = _need(session, sme, today)
    market.withdraw_need(session, need, actor=sme.actor, today=today)
    with pytest.raises(market.NeedClosed, match="已撤回"):
        _answer(session, bank, sme, need, fin, today, granted=True)


def test_a_need_records_when_it_was_raised_and_settled(
    session: Session, catalog: Catalog, today: date, fin: FinancingCatalog
) -> None:
    sme, bank = make_sme(session, catalog, today), make_bank(session)
    need = _need(session, sme, today)
    assert (need.published_on, need.settled_on) == (today, None)  # open: raised, not settled
    later = today + timedelta(days=6)
    _answer(session, bank, sme, need, fin, later, granted=False)
    assert (need.status, need.settled_on) == (NeedStatus.DECLINED, later)
    withdrawn = today + timedelta(days=9)
    market.withdraw_need(session, need, actor=sme.actor, today=withdrawn)
    assert need.settled_on == withdrawn
    assert market.need_json(need)["settled_on"] == withdrawn.isoformat()
    last = session.execute(
        select(AuditEntry).where(AuditEntry.target_type == "financing_need",
                                 AuditEntry.target_id == str(need.id))
        .order_by(AuditEntry.id.desc()).limit(1)
    ).scalar_one()  # fmt: skip
    assert last.before is not None
    assert last.after is not None
    assert (last.before["settled_on"], last.after["settled_on"]) == (
        later.isoformat(),
        withdrawn.isoformat(),
    )
