"""Demo 信易贷 and 信易+: a bank with a product, the demo enterprise's need, its consent to the
bank and a granted loan; a partner registered for 信易批. `make run` shows them at /bank/,
/me/financing and /partner/ (accounts in README.md)."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy.orm import Session

from xinyong import auth, subjects
from xinyong.audit import Actor
from xinyong.demo.region import DEMO_PASSWORD, make_uscc
from xinyong.enums import LoanResult, Role
from xinyong.financing import catalog as fin_catalog
from xinyong.financing import institutions, market, outcomes
from xinyong.scenarios import catalog as scenario_catalog
from xinyong.scenarios import verify as verifying

BANK_NAME = "示范区农村商业银行"


def load_financing(session: Session, *, seed: int, actor: Actor, today: date) -> None:
    bank_user = auth.find_user(session, "bank")
    enterprise_user = auth.find_user(session, "enterprise")
    if bank_user is None or enterprise_user is None or enterprise_user.subject_id is None:
        return
    code = make_uscc(random.Random(seed + 15), "9", "1")  # noqa: S311 — demo data
    inst = institutions.register(
        session, BANK_NAME, code, "bank", joined_whitelist=True, actor=actor
    )
    institutions.add_user(session, inst, bank_user, actor=actor)
    banker = auth.actor_for_user(bank_user)
    product = market.publish_product(
        session, inst, name="守信惠企贷", amount_min="10", amount_max="300", term_min_months=3,
        term_max_months=36, rate_type="floating", credit_loan=True,
        eligibility_rule={"grades": ["A", "B"], "no_punishment_in_force": True}, actor=banker,
    )  # fmt: skip
    market.publish_product(
        session, inst, name="园区厂房抵押贷", amount_min="100", amount_max="2000",
        term_min_months=12, term_max_months=120, rate_type="fixed", credit_loan=False,
        eligibility_rule={"no_punishment_in_force": True}, actor=banker,
    )  # fmt: skip
    company = subjects.get(session, enterprise_user.subject_id)
    owner = auth.actor_for_user(enterprise_user)
    need = market.publish_need(
        session, company, amount_wan="120", term_months=12, purpose="采购原材料（流动资金）",
        size="small", actor=owner, today=today,
    )  # fmt: skip
    institutions.grant(
        session, company, inst, purpose="流动资金贷款审批与贷后管理",
        valid_until=today + timedelta(days=365), actor=owner, today=today,
    )  # fmt: skip
    outcomes.record_outcome(
        session, inst, company, result=LoanResult.GRANTED, decided_on=today, need=need,
        product_id=product.id, amount_wan="100", granted_on=today,
        matures_on=today + timedelta(days=364), rate_type="floating", credit_loan=True,
        first_loan=True, fin_catalog=fin_catalog.load(), actor=banker,
    )  # fmt: skip
    partner = auth.create_user(
        session, "partner", DEMO_PASSWORD, Role.PARTNER, display_name="示范区政务服务中心窗口",
        actor=actor,
    )  # fmt: skip
    verifying.register_partner(
        session, scenario_catalog.load().get("xinyi_pi"), "示范区政务服务中心", partner,
        actor=actor,
    )  # fmt: skip
