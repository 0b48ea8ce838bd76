"""Products, needs and matching with an explanation; consent to an institution."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.factories.lists import listed
from tests.factories.subjects import SYSTEM
from tests.factories.workflows import make_user
from tests.financing.conftest import Bank, make_bank, make_sme
from xinyong import audit, consent, evaluation
from xinyong.audit import Actor
from xinyong.catalog import Catalog
from xinyong.catalog.errors import CatalogError
from xinyong.clock import Calendar
from xinyong.db.tables import LoanProduct, User
from xinyong.enums import Role
from xinyong.errors import Forbidden, InvalidInput
from xinyong.evaluation.eligibility import Rule
from xinyong.financing import institutions, market

RULE = {"grades": ["A", "B"], "no_punishment_in_force": True}


def _product(session: Session, bank: Bank, **over: Any) -> LoanProduct:
    fields: dict[str, Any] = {
        "name": "惠企信用贷",
        "amount_min": "10",
        "amount_max": "300",
        "term_min_months": 3,
        "term_max_months": 36,
        "rate_type": "floating",
        "credit_loan": True,
        "eligibility_rule": RULE,
    } | over
    return market.publish_product(session, bank.institution, actor=bank.actor, **fields)


def test_sme_sees_eligible_products_and_why(session: Session, catalog: Catalog, today: date):
    bank = make_bank(session)
    product = _product(session, bank)
    sme = make_sme(session, catalog, today)
    need = market.publish_need(
        session, sme.subject, amount_wan="100", term_months=12, purpose="采购原材料",
        size="small", actor=sme.actor, today=today,
    )  # fmt: skip
    found = {
        m.product.id: m
        for m in market.match(session, sme.subject, need, catalog=catalog, today=today)
    }
    m = found[product.id]
    assert m.result.eligible
    text = "\n".join(m.result.explanation())
    assert "评价等级须为 A、B：当前等级 B（良）" in text
    assert "无正在执行的失信惩戒：无有效期内的失信名单，符合。" in text
    assert "额度 10.00–300.00 万元：申请 100.00 万元，符合。" in text

    big = market.publish_need(
        session, sme.subject, amount_wan="500", term_months=12, purpose="扩建厂房",
        size="small", actor=sme.actor, today=today,
    )  # fmt: skip
    refused = {
        x.product.id: x
        for x in market.match(session, sme.subject, big, catalog=catalog, today=today)
    }
    assert not refused[product.id].result.eligible
    assert "额度 10.00–300.00 万元" in refused[product.id].result.reason()


def test_serious_list_makes_a_product_ineligible_naming_the_rule(
    session: Session, catalog: Catalog, calendar: Calendar, today: date, operator: Actor
):
    bank = make_bank(session)
    product = _product(session, bank)
    sme = make_sme(session, catalog, today)
    listed(session, sme.subject, "tax_serious_violation", catalog=catalog, calendar=calendar,
           actor=operator, proposed_on=today - timedelta(days=40))  # fmt: skip
    evaluation.evaluate_subject(session, sme.subject, catalog=catalog, today=today)
    m = next(x for x in market.match(session, sme.subject, None, catalog=catalog, today=today)
             if x.product.id == product.id)  # fmt: skip
    assert not m.result.eligible
    assert "不符合产品“惠企信用贷”的条件“无正在执行的失信惩戒”" in m.result.reason()


def test_a_product_rule_is_data_and_a_bad_one_is_refused(session: Session):
    bank = make_bank(session)
    with pytest.raises(InvalidInput, match="grades"):
        _product(session, bank, eligibility_rule={"grades": ["AAA"]})
    with pytest.raises(CatalogError, match="未知的资格条件"):
        Rule.parse({"score": 90}, "f.yaml", "conditions")


def test_only_the_banks_own_staff_publish_its_products(session: Session):
    bank, other = make_bank(session), make_bank(session, "另一银行")
    with pytest.raises(Forbidden):
        market.publish_product(
            session, bank.institution, name="x", amount_min=1, amount_max=2, term_min_months=1,
            term_max_months=2, rate_type="fixed", credit_loan=False, eligibility_rule={},
            actor=other.actor,
        )  # fmt: skip


def test_consent_to_an_institution_covers_its_users_and_revocation_ends_it(
    session: Session, catalog: Catalog, today: date
):
    bank = make_bank(session)
    sme = make_sme(session, catalog, today)
    assert institutions.consents_to(session, sme.subject.id, bank.institution.id, today) == []
    rows = institutions.grant(
        session, sme.subject, bank.institution, purpose="流动资金贷款审批",
        valid_until=today + timedelta(days=90), actor=sme.actor, today=today,
    )  # fmt: skip
    assert len(rows) == 1
    assert set(rows[0].scopes) >= {"financing", "evaluation", "archive", "special_report"}
    basis = consent.authorise(
        session, bank.actor, sme.subject, consent.Scope.EVALUATION, purpose=None, today=today
    )
    assert basis.kind == "consent"
    assert (
        institutions.revoke(session, sme.subject, bank.institution, actor=sme.actor, today=today)
        == 1
    )
    with pytest.raises(Forbidden):
        consent.authorise(
            session, bank.actor, sme.subject, consent.Scope.EVALUATION, purpose=None, today=today
        )
    assert audit.AuditAction.CONSENT_REVOKED


def test_consent_goes_to_the_bank_so_an_officer_who_joins_later_is_covered(
    session: Session, catalog: Catalog, today: date
):
    """A subject authorises a named party — the bank — not the officers it had that day."""
    bank = make_bank(session)
    other_bank = make_bank(session, "另一家银行")
    sme = make_sme(session, catalog, today)
    (row,) = institutions.grant(
        session, sme.subject, bank.institution, purpose="流动资金贷款审批",
        valid_until=today + timedelta(days=90), actor=sme.actor, today=today,
    )  # fmt: skip
    assert (row.grantee_kind, row.grantee_id) == ("institution", bank.institution.id)
    newcomer, _ = make_user(session, Role.BANK)
    user = session.get(User, newcomer.id)
    assert user is not None
    institutions.add_user(session, bank.institution, user, actor=SYSTEM)
    basis = consent.authorise(session, newcomer, sme.subject, consent.Scope.SPECIAL_REPORT,
                              purpose="贷前审查", today=today)  # fmt: skip
    assert (basis.kind, basis.consent_id) == ("consent", row.id)
    with pytest.raises(Forbidden):
        consent.authorise(session, other_bank.actor, sme.subject, consent.Scope.SPECIAL_REPORT,
                          purpose="贷前审查", today=today)  # fmt: skip
    assert institutions.consents_to(session, sme.subject.id, bank.institution.id, today) == [row]
    assert institutions.revoke(session, sme.subject, bank.institution, actor=sme.actor,
                               today=today) == 1  # fmt: skip
    with pytest.raises(Forbidden):
        consent.authorise(session, newcomer, sme.subject, consent.Scope.SPECIAL_REPORT,
                          purpose="贷前审查", today=today)  # fmt: skip
