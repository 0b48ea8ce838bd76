"""Outcomes, 贷中预警 in the changing transaction, monthly figures, 白名单."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.factories.archive import make_record
from tests.factories.lists import listed
from tests.factories.subjects import SYSTEM
from tests.financing.conftest import Bank, Sme, make_bank, make_sme
from xinyong.catalog import Catalog
from xinyong.clock import Calendar
from xinyong.db.tables import ListEntry
from xinyong.errors import Conflict, InvalidInput
from xinyong.financing import institutions, outcomes, whitelist
from xinyong.financing.catalog import FinancingCatalog


def _grant(
    session: Session, bank: Bank, sme: Sme, fin: FinancingCatalog, day: date, **over: Any
) -> Any:
    fields: dict[str, Any] = {
        "amount_wan": "100", "granted_on": day, "matures_on": day + timedelta(days=365),
        "rate_type": "floating", "credit_loan": True, "first_loan": True,
    } | over  # fmt: skip
    return outcomes.record_outcome(
        session, bank.institution, sme.subject, result="granted", decided_on=day,
        fin_catalog=fin, actor=bank.actor, **fields,
    )  # fmt: skip


def _consent(session: Session, bank: Bank, sme: Sme, today: date) -> None:
    institutions.grant(
        session, sme.subject, bank.institution, purpose="贷款审批与贷后管理",
        valid_until=today + timedelta(days=365), actor=sme.actor, today=today,
    )  # fmt: skip


def test_a_refusal_needs_a_reason_from_the_code_list(
    session: Session, catalog: Catalog, today: date, fin
):
    bank, sme = make_bank(session), make_sme(session, catalog, today)
    with pytest.raises(InvalidInput, match="码表"):
        outcomes.record_outcome(session, bank.institution, sme.subject, result="refused",
                                decided_on=today, fin_catalog=fin, actor=bank.actor,
                                refusal_code="bad_luck")  # fmt: skip
    row = outcomes.record_outcome(session, bank.institution, sme.subject, result="refused",
                                  decided_on=today, fin_catalog=fin, actor=bank.actor,
                                  refusal_code="insufficient_cashflow")  # fmt: skip
    assert row.refusal_code == "insufficient_cashflow"


def test_new_serious_record_of_a_borrower_alerts_its_lender_in_the_same_transaction(
    session: Session,
    catalog: Catalog,
    today: date,
    fin,
    alerting,
):
    lender, other = make_bank(session), make_bank(session, "未放款银行")
    sme = make_sme(session, catalog, today)
    _consent(session, lender, sme, today)
    _consent(session, other, sme, today)
    _grant(session, lender, sme, fin, today - timedelta(days=30))
    session.commit()
    make_record(session, sme.subject, severity="serious")
    make_record(session, sme.subject, severity="general")  # not serious: no alert
    session.commit()  # the alert commits with the record
    alerts = outcomes.alerts_of(session, lender.institution.id)
    assert len(alerts) == 1
    assert alerts[0].trigger_kind == "record"
    assert "严重失信信息" in alerts[0].title
    assert outcomes.alerts_of(session, other.institution.id) == []  # no loan there


def test_no_alert_once_consent_is_revoked_or_the_loan_matured(
    session: Session,
    catalog: Catalog,
    today: date,
    fin,
    alerting,
):
    bank = make_bank(session)
    revoked, matured = make_sme(session, catalog, today), make_sme(session, catalog, today)
    for sme in (revoked, matured):
        _consent(session, bank, sme, today)
    _grant(session, bank, revoked, fin, today - timedelta(days=30))
    _grant(session, bank, matured, fin, today - timedelta(days=400),
           matures_on=today - timedelta(days=35))  # fmt: skip
    institutions.revoke(
        session, revoked.subject, bank.institution, actor=revoked.actor, today=today
    )
    session.commit()
    make_record(session, revoked.subject, severity="serious")
    make_record(session, matured.subject, severity="serious")
    session.commit()
    assert outcomes.alerts_of(session, bank.institution.id) == []


def test_serious_list_entry_drops_out_of_the_next_whitelist_and_alerts_the_lender(
    session: Session,
    catalog: Catalog,
    calendar: Calendar,
    today: date,
    fin,
    alerting,
    operator,
):
    bank = make_bank(session)
    good, listed_sme = make_sme(session, catalog, today), make_sme(session, catalog, today)
    opted = make_sme(session, catalog, today)
    whitelist.opt_out(session, opted.subject, actor=opted.actor, reason="暂无融资需求")
    _consent(session, bank, listed_sme, today)
    _grant(session, bank, listed_sme, fin, today - timedelta(days=10))

    first = whitelist.generate(
        session, "2026-11", catalog=catalog, fin_catalog=fin, actor=SYSTEM, today=today
    )
    mine = next(w for w in first if w.institution_id == bank.institution.id)
    codes = {s.code for s, _ in whitelist.entries(session, mine.id)}
    assert {good.subject.code, listed_sme.subject.code} <= codes
    assert opted.subject.code not in codes
    explanation = {s.code: e for s, e in whitelist.entries(session, mine.id)}[good.subject.code]
    assert any("评价等级须为 A、B" in line for line in explanation)
    with pytest.raises(Conflict):
        whitelist.push(session, mine, actor=SYSTEM)  # must be reviewed first
    whitelist.review(session, mine, actor=SYSTEM)
    whitelist.push(session, mine, actor=SYSTEM)
    session.commit()

    listed(session, listed_sme.subject, "tax_serious_violation", catalog=catalog, calendar=calendar,
           actor=operator, proposed_on=today - timedelta(days=40))  # fmt: skip
    session.commit()
    alerts = outcomes.alerts_of(session, bank.institution.id)
    assert [a.trigger_kind for a in alerts] == ["list_entry"]

    later = today + timedelta(days=8)
    nxt = whitelist.generate(
        session, "2026-12", catalog=catalog, fin_catalog=fin, actor=SYSTEM, today=later
    )
    mine = next(w for w in nxt if w.institution_id == bank.institution.id)
    codes = {s.code for s, _ in whitelist.entries(session, mine.id)}
    assert good.subject.code in codes
    assert listed_sme.subject.code not in codes
    with pytest.raises(Conflict):  # a pushed month is never rewritten
        whitelist.generate(
            session, "2026-11", catalog=catalog, fin_catalog=fin, actor=SYSTEM, today=later
        )


def test_monthly_figures_equal_a_hand_computation(
    session: Session, catalog: Catalog, today: date, fin
):
    a, b = make_bank(session, "甲银行"), make_bank(session, "乙银行")
    smes = [make_sme(session, catalog, today) for _ in range(3)]
    oct_, nov = date(2026, 10, 15), date(2026, 11, 3)
    # 甲, 2026-10: 100 (credit, first) + 50.5 (not credit, first)
    #   → 2 loans, 150.50, share 0.5, 2 first
    _grant(session, a, smes[0], fin, oct_, amount_wan="100")
    _grant(session, a, smes[1], fin, oct_, amount_wan="50.5", credit_loan=False)
    # 甲, 2026-11: 200 (credit, not first) + one refusal
    _grant(session, a, smes[2], fin, nov, amount_wan="200", first_loan=False)
    outcomes.record_outcome(
        session, a.institution, smes[0].subject, result="refused", decided_on=nov,
        fin_catalog=fin, actor=a.actor, refusal_code="other",
    )  # fmt: skip
    # 乙, 2026-11: 30 (credit, first), 70 (credit, not first), 25 (not credit, not first)
    _grant(session, b, smes[0], fin, nov, amount_wan="30")
    _grant(session, b, smes[1], fin, nov, amount_wan="70", first_loan=False)
    _grant(session, b, smes[2], fin, nov, amount_wan="25", credit_loan=False, first_loan=False)

    got = {(f.institution_id, f.month): f for f in outcomes.figures(session)}
    ia, ib = a.institution.id, b.institution.id
    assert (got[(ia, "2026-10")].loans, got[(ia, "2026-10")].amount) == (2, Decimal("150.50"))
    assert got[(ia, "2026-10")].credit_share == 0.5
    assert got[(ia, "2026-10")].first_loans == 2
    assert (got[(ia, "2026-11")].loans, got[(ia, "2026-11")].refused) == (1, 1)
    assert got[(ia, "2026-11")].amount == Decimal("200.00")
    assert got[(ia, "2026-11")].first_loans == 0
    f = got[(ib, "2026-11")]
    assert (f.loans, f.amount, f.credit_loans, f.first_loans) == (3, Decimal("125.00"), 2, 1)
    assert f.credit_share == round(2 / 3, 4)
    assert [
        x.month for x in outcomes.figures(session, "2026-10") if x.institution_id in (ia, ib)
    ] == ["2026-10"]


def test_a_collected_batch_with_a_serious_record_alerts_the_lender(
    session: Session, catalog: Catalog, today: date, fin: FinancingCatalog
) -> None:
    bank, sme = make_bank(session), make_sme(session, catalog, today)
    _consent(session, bank, sme, today)
    _grant(session, bank, sme, fin, today - timedelta(days=5))
    make_record(session, sme.subject, severity="serious", batch_id=424242)  # listener not on
    assert outcomes.alerts_of(session, bank.institution.id) == []
    raised = outcomes.alerts_for_batch(session, 424242, catalog=catalog, today=today)
    assert [a.institution_id for a in raised] == [bank.institution.id]
    assert (
        outcomes.alerts_for_batch(session, 424242, catalog=catalog, today=today) == []
    )  # once per trigger


def test_an_imported_court_defaulter_alerts_and_a_red_list_entry_does_not(
    session: Session, catalog: Catalog, today: date, fin: FinancingCatalog
) -> None:
    bank, sme = make_bank(session), make_sme(session, catalog, today)
    _consent(session, bank, sme, today)
    _grant(session, bank, sme, fin, today - timedelta(days=5))
    make_record(session, sme.subject, info_class="court_defaulter", batch_id=515151,
                data={"decision_number": "（2026）示执123号"})  # fmt: skip
    raised = outcomes.alerts_for_batch(session, 515151, catalog=catalog, today=today)
    assert [a.title for a in raised] == ["列入失信被执行人名单：（2026）示执123号"]
    red = ListEntry(subject_id=sme.subject.id, list_type="red", decided_on=today)
    assert outcomes._trigger(red, catalog) is None
