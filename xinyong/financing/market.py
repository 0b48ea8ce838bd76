"""Loan products (published by institutions), financing needs (published by SMEs), matching.

A need is open until the SME withdraws it (`withdraw_need`) or a bank records a loan outcome on
it (`outcomes.record_outcome` → `answer_need`): served when granted, declined when refused — a
declined need can still be served by another bank or withdrawn; a served or withdrawn one is final.

Matching explains itself like the grade does: one line per condition of the product's
eligibility rule (evaluation.eligibility), plus the fit of the need's amount and term.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong import audit, auth
from xinyong.audit import Actor, AuditAction
from xinyong.catalog import Catalog
from xinyong.catalog.errors import CatalogError
from xinyong.db import transitions
from xinyong.db.tables import FinancingNeed, Institution, LoanProduct, Subject
from xinyong.enums import LoanResult, NeedStatus, Role
from xinyong.errors import Conflict, Forbidden, InvalidInput, NotFound
from xinyong.evaluation import eligibility
from xinyong.evaluation.eligibility import Eligibility, Line, Rule
from xinyong.financing import institutions

RATE_TYPES = {"fixed": "固定利率", "floating": "浮动利率（LPR加点）"}
MAX_TERM_MONTHS = 360
MAX_NAME = 100
MAX_PURPOSE = 200
SIZES = eligibility.SIZES


class BadProduct(InvalidInput):
    code = "financing.product_invalid"


class BadNeed(InvalidInput):
    code = "financing.need_invalid"


class NeedClosed(Conflict):
    code = "financing.need_closed"


def amount(value: Any, what: str) -> Decimal:
    try:
        found = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise InvalidInput(f"{what}须为数字（万元）", code="financing.amount") from None
    if not found.is_finite() or found <= 0 or found > Decimal("10000000"):
        raise InvalidInput(f"{what}须大于0（万元）", code="financing.amount")
    return found.quantize(Decimal("0.01"))


def _term(value: Any, what: str) -> int:
    try:
        months = int(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"{what}须为整数（月）", code="financing.term") from None
    if not 1 <= months <= MAX_TERM_MONTHS:
        raise InvalidInput(f"{what}须在1至{MAX_TERM_MONTHS}个月之间", code="financing.term")
    return months


def publish_product(
    session: Session,
    institution: Institution,
    *,
    name: str,
    amount_min: Any,
    amount_max: Any,
    term_min_months: Any,
    term_max_months: Any,
    rate_type: str,
    credit_loan: bool,
    eligibility_rule: dict[str, Any],
    actor: Actor,
) -> LoanProduct:
    """A bank user publishes a product of its own institution; the rule is checked as data."""
    institutions.require_own(session, actor, institution, "只能发布本机构的产品")
    if not name.strip() or len(name) > MAX_NAME:
        raise BadProduct("产品名称必填，不超过100字")
    low, high = amount(amount_min, "最低额度"), amount(amount_max, "最高额度")
    if low > high:
        raise BadProduct("最低额度不能大于最高额度")
    t_low, t_high = _term(term_min_months, "最短期限"), _term(term_max_months, "最长期限")
    if t_low > t_high:
        raise BadProduct("最短期限不能大于最长期限")
    if rate_type not in RATE_TYPES:
        raise BadProduct(f"利率类型只能是：{'、'.join(RATE_TYPES.values())}")
    try:
        rule = Rule.parse(eligibility_rule, "产品资格条件", "eligibility")
    except CatalogError as exc:
        raise BadProduct(str(exc)) from None
    row = LoanProduct(
        institution_id=institution.id, name=name.strip(), amount_min=low, amount_max=high,
        term_min_months=t_low, term_max_months=t_high, rate_type=rate_type,
        credit_loan=credit_loan, eligibility=rule.as_dict(),
    )  # fmt: skip
    return institutions.stored(
        session,
        row,
        AuditAction.LOAN_PRODUCT_PUBLISHED,
        target_type="loan_product",
        after=product_json,
        actor=actor,
    )


def products(session: Session, institution_id: int | None = None) -> list[LoanProduct]:
    stmt = select(LoanProduct).where(LoanProduct.active.is_(True)).order_by(LoanProduct.id)
    if institution_id is not None:
        stmt = stmt.where(LoanProduct.institution_id == institution_id)
    return list(session.execute(stmt).scalars())


def product_rule(row: LoanProduct) -> Rule:
    return Rule.parse(row.eligibility, f"loan_products#{row.id}", "eligibility")


def product_json(row: LoanProduct) -> dict[str, Any]:
    return {
        "id": row.id,
        "institution_id": row.institution_id,
        "name": row.name,
        "amount_min": str(row.amount_min),
        "amount_max": str(row.amount_max),
        "term_min_months": row.term_min_months,
        "term_max_months": row.term_max_months,
        "rate_type": row.rate_type,
        "credit_loan": row.credit_loan,
        "eligibility": row.eligibility,
        "conditions": product_rule(row).describe(),
    }


def publish_need(
    session: Session,
    subject: Subject,
    *,
    amount_wan: Any,
    term_months: Any,
    purpose: str,
    size: str | None,
    actor: Actor,
    today: date,
) -> FinancingNeed:
    """The SME (its own account) publishes a financing need."""
    auth.require_role(actor, Role.ENTERPRISE)
    if actor.kind != "system" and actor.subject_id != subject.id:
        raise Forbidden("只能为本企业发布融资需求", code="financing.not_own")
    text = (purpose or "").strip()
    if not text or len(text) > MAX_PURPOSE:
        raise BadNeed("用途必填，不超过200字")
    if size is not None and size not in SIZES:
        raise BadNeed(f"企业规模只能是：{'、'.join(SIZES.values())}")
    row = FinancingNeed(
        subject_id=subject.id, amount=amount(amount_wan, "融资金额"),
        term_months=_term(term_months, "融资期限"), purpose=text, size=size, published_on=today,
    )  # fmt: skip
    return institutions.stored(
        session,
        row,
        AuditAction.FINANCING_NEED_PUBLISHED,
        target_type="financing_need",
        after=need_json,
        actor=actor,
    )


def need_json(row: FinancingNeed) -> dict[str, Any]:
    return {
        "id": row.id,
        "subject_id": row.subject_id,
        "amount": str(row.amount),
        "term_months": row.term_months,
        "purpose": row.purpose,
        "size": row.size,
        "status": row.status,
        "published_on": row.published_on.isoformat(),
        "settled_on": row.settled_on.isoformat() if row.settled_on else None,
    }


def needs_of(session: Session, subject_id: int) -> list[FinancingNeed]:
    stmt = (
        select(FinancingNeed)
        .where(FinancingNeed.subject_id == subject_id)
        .order_by(FinancingNeed.id.desc())
    )
    return list(session.execute(stmt).scalars())


def get_need(session: Session, need_id: int) -> FinancingNeed:
    row = session.get(FinancingNeed, need_id)
    if row is None:
        raise NotFound(f"融资需求 {need_id} 不存在", code="financing.need_not_found")
    return row


def latest_open(needs: list[FinancingNeed]) -> FinancingNeed | None:
    """The newest need still open (the one products are matched against)."""
    return next((n for n in needs if n.status == NeedStatus.OPEN), None)


def withdraw_need(
    session: Session, need: FinancingNeed, *, actor: Actor, today: date
) -> FinancingNeed:
    """The SME (its own account) withdraws a need it no longer has; a served one stays served.
    `settled_on` is the day it was withdrawn."""
    auth.require_role(actor, Role.ENTERPRISE)
    if actor.kind != "system" and actor.subject_id != need.subject_id:
        raise Forbidden("只能撤回本企业的融资需求", code="financing.not_own")
    _move(session, need, NeedStatus.WITHDRAWN, AuditAction.FINANCING_NEED_WITHDRAWN, actor,
          on=today, reason="企业撤回")  # fmt: skip
    return need


def answer_need(
    session: Session, need: FinancingNeed, result: LoanResult, *, outcome_id: int,
    decided_on: date, actor: Actor,
) -> None:  # fmt: skip
    """A bank's loan outcome on the need (called by `outcomes.record_outcome`, which checked the
    bank): granted → served; refused → declined, unless another bank already served it.
    `settled_on` is the outcome's decision day."""
    if need.status == NeedStatus.WITHDRAWN:
        raise NeedClosed("企业已撤回该融资需求，请不选需求直接反馈结果")
    if result == LoanResult.REFUSED and need.status == NeedStatus.SERVED:
        return
    target = NeedStatus.SERVED if result == LoanResult.GRANTED else NeedStatus.DECLINED
    if need.status != target:
        _move(session, need, target, AuditAction.FINANCING_NEED_ANSWERED, actor,
              on=decided_on, reason=f"贷款结果反馈第 {outcome_id} 号")  # fmt: skip


WITHDRAWABLE = (NeedStatus.OPEN, NeedStatus.DECLINED)
FROM = {  # target status → the statuses it may be reached from
    NeedStatus.WITHDRAWN: WITHDRAWABLE,
    NeedStatus.SERVED: (NeedStatus.OPEN, NeedStatus.DECLINED),
    NeedStatus.DECLINED: (NeedStatus.OPEN,),
}


def _move(
    session: Session, need: FinancingNeed, target: NeedStatus, action: AuditAction, actor: Actor,
    *, on: date, reason: str,
) -> None:  # fmt: skip
    before = NeedStatus(need.status)
    settled = need.settled_on
    if before not in FROM[target] or not transitions.move(
        session, need, before, status=target.value, settled_on=on
    ):
        raise NeedClosed(f"该融资需求{NeedStatus(need.status).label}，不能再改为“{target.label}”")
    audit.record(session, actor, action, target_type="financing_need", target_id=need.id,
                 before={"status": before.value, "settled_on": settled},
                 after={"status": target.value, "settled_on": on}, reason=reason)  # fmt: skip
    session.flush()


def latest_size(session: Session, subject_id: int) -> str | None:
    needs = needs_of(session, subject_id)
    return next((n.size for n in needs if n.size), None)


@dataclass(frozen=True, slots=True)
class Match:
    product: LoanProduct
    institution: Institution
    result: Eligibility

    def as_dict(self) -> dict[str, Any]:
        return {
            "product": product_json(self.product),
            "institution": self.institution.name,
        } | self.result.as_dict()


def match(
    session: Session,
    subject: Subject,
    need: FinancingNeed | None,
    *,
    catalog: Catalog,
    today: date,
) -> list[Match]:
    """Every active product, eligible first, each with its explanation."""
    out = []
    for product in products(session):
        inst = institutions.get(session, product.institution_id)
        size = need.size if need else latest_size(session, subject.id)
        found = eligibility.check(
            session, subject, product_rule(product), catalog=catalog, today=today,
            source=f"产品“{product.name}”", size=size,
        )  # fmt: skip
        if need is not None:
            found = _with_need_fit(found, product, need)
        out.append(Match(product, inst, found))
    return sorted(out, key=lambda m: (not m.result.eligible, m.product.id))


def _with_need_fit(found: Eligibility, product: LoanProduct, need: FinancingNeed) -> Eligibility:
    amount_ok = product.amount_min <= need.amount <= product.amount_max
    term_ok = product.term_min_months <= need.term_months <= product.term_max_months
    lines = (
        Line("amount", f"额度 {product.amount_min}–{product.amount_max} 万元", amount_ok,
             f"申请 {need.amount} 万元"),
        Line("term", f"期限 {product.term_min_months}–{product.term_max_months} 个月", term_ok,
             f"申请 {need.term_months} 个月"),
    )  # fmt: skip
    return Eligibility(found.eligible and amount_ok and term_ok, lines + found.lines, found.source)
