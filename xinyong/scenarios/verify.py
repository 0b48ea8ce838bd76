"""Partners registered for a scenario, and their verifications (eligible or not, and why).

A partner (a service window, a landlord, a transport operator) is a user with role `partner`
registered by the credit office for one scenario. It verifies a subject by code or by scanning
the subject's 信用码; the answer names the rule that decided it. Every verification is stored
(counted on the partner and office pages). A natural person is verified only where the scenario
names a legal basis and the person consented to this partner (consent scope `scenario`); that
read is written to the query log with the consent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Integer, cast, func, select
from sqlalchemy.orm import Session

from xinyong import audit, auth, clock, consent, subjects
from xinyong.audit import Actor, AuditAction
from xinyong.catalog import Catalog
from xinyong.db.tables import ScenarioPartner, ScenarioVerification, Subject, User
from xinyong.enums import Role, SubjectKind
from xinyong.errors import Forbidden, InvalidInput
from xinyong.evaluation import eligibility
from xinyong.scenarios.catalog import Scenario, ScenarioCatalog

METHODS = {"code": "输入代码", "qr": "扫描信用码"}


def register_partner(
    session: Session, scenario: Scenario, name: str, user: User, *, actor: Actor
) -> ScenarioPartner:
    auth.require_role(actor, Role.ADMIN)
    if Role(user.role) != Role.PARTNER:
        raise InvalidInput("只有信易+合作方角色（partner）的账户可以登记为场景合作方")
    if not name.strip():
        raise InvalidInput("合作方名称必填")
    row = ScenarioPartner(scenario_id=scenario.id, name=name.strip(), user_id=user.id)
    session.add(row)
    session.flush()
    audit.record(
        session, actor, AuditAction.SCENARIO_PARTNER_REGISTERED, target_type="scenario_partner",
        target_id=row.id, after={"scenario": scenario.id, "name": row.name, "user": user.username},
    )  # fmt: skip
    return row


def partners_of(session: Session, actor: Actor) -> list[ScenarioPartner]:
    """The scenarios this partner user is registered for (403 when none)."""
    rows: list[ScenarioPartner] = []
    if actor.kind == "user" and actor.role == Role.PARTNER:
        rows = list(
            session.execute(
                select(ScenarioPartner)
                .where(ScenarioPartner.user_id == actor.id, ScenarioPartner.active.is_(True))
                .order_by(ScenarioPartner.id)
            ).scalars()
        )
    if not rows:
        raise Forbidden("此功能仅供已登记的信易+合作方使用", code="scenarios.not_partner")
    return rows


def code_from_scan(text: str) -> str:
    """The subject code in a scanned 信用码 (`…/subjects/{code}`) or the text typed."""
    value = (text or "").strip()
    if "/subjects/" in value:
        value = value.rsplit("/subjects/", 1)[1].split("?", 1)[0].split("#", 1)[0]
    return value.strip().upper()


@dataclass(frozen=True, slots=True)
class Verdict:
    verification: ScenarioVerification
    subject: Subject
    scenario: Scenario
    result: eligibility.Eligibility

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.verification.id,
            "scenario": self.scenario.id,
            "scenario_title": self.scenario.title,
            "benefit": self.scenario.benefit,
            "grantor": self.scenario.grantor,
            "subject": subjects.public_view(self.subject),
            "method": self.verification.method,
        } | self.result.as_dict()


def verify(
    session: Session,
    scenarios: ScenarioCatalog,
    scenario_id: str,
    code_or_scan: str,
    *,
    method: str,
    actor: Actor,
    catalog: Catalog,
    today: date,
) -> Verdict:
    partner = next((p for p in partners_of(session, actor) if p.scenario_id == scenario_id), None)
    if partner is None:
        raise Forbidden("未登记为该场景的合作方", code="scenarios.not_partner")
    if method not in METHODS:
        raise InvalidInput("核验方式只能是 code（输入代码）或 qr（扫描信用码）")
    scenario = scenarios.get(scenario_id)
    code = code_from_scan(code_or_scan)
    if not code:
        raise InvalidInput("请输入统一社会信用代码或扫描信用码", code="scenarios.code_required")
    subject = subjects.get_by_code(session, code)
    if subject.kind not in scenario.subject_kinds:
        raise InvalidInput(
            f"“{scenario.title}”不面向{SubjectKind(subject.kind).label}", code="scenarios.kind"
        )
    purpose = f"信易+ {scenario.title}核验"
    if subject.kind == SubjectKind.PERSON.value:
        # Only with a legal basis in the catalog (checked at load) and the person's consent.
        basis = consent.authorise(
            session, actor, subject, consent.Scope.SCENARIO, purpose=purpose, today=today
        )
    else:  # an organisation: the scenario's catalogued basis (its grade and lists are read)
        basis = consent.Basis(consent.SCENARIO_BASIS, f"{purpose}（依据：{scenario.basis}）"[:200])
    audit.log_query(
        session, actor, subject.id, purpose=basis.purpose, surface="scenario",
        detail={"scenario": scenario.id, "partner": partner.name, "method": method},
        basis=basis.kind, consent_id=basis.consent_id,
    )  # fmt: skip
    result = eligibility.check(
        session, subject, scenario.conditions, catalog=catalog, today=today,
        source=f"“{scenario.title}”场景",
    )  # fmt: skip
    row = ScenarioVerification(
        partner_id=partner.id, scenario_id=scenario.id, subject_id=subject.id, method=method,
        eligible=result.eligible, reason=result.reason()[:1000], result=result.as_dict(),
        at=clock.now(),
    )  # fmt: skip
    session.add(row)
    session.flush()
    return Verdict(row, subject, scenario, result)


def counts(session: Session) -> list[dict[str, Any]]:
    """Verifications per scenario and partner: total and eligible."""
    rows = session.execute(
        select(
            ScenarioVerification.scenario_id,
            ScenarioPartner.name,
            func.count(ScenarioVerification.id),
            func.sum(cast(ScenarioVerification.eligible, Integer)),
        )
        .join(ScenarioPartner, ScenarioPartner.id == ScenarioVerification.partner_id)
        .group_by(ScenarioVerification.scenario_id, ScenarioPartner.name)
        .order_by(ScenarioVerification.scenario_id, ScenarioPartner.name)
    ).all()
    return [
        {"scenario": s, "partner": p, "verifications": int(n), "eligible": int(e or 0)}
        for s, p, n, e in rows
    ]


def recent(session: Session, partner_ids: list[int], limit: int = 20) -> list[ScenarioVerification]:
    stmt = (
        select(ScenarioVerification)
        .where(ScenarioVerification.partner_id.in_(partner_ids))
        .order_by(ScenarioVerification.id.desc())
        .limit(limit)
    )
    return list(session.execute(stmt).scalars())
