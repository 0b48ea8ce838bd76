"""信易+ verification: eligible, ineligible by a list entry, by the grade — the reason names the
rule; natural persons only with a legal basis and consent; every verification counted."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy.orm import Session

from tests.factories import make_subject
from tests.factories.lists import listed
from tests.factories.subjects import SYSTEM
from tests.factories.workflows import make_user
from xinyong import audit, consent, evaluation
from xinyong.audit import Actor
from xinyong.catalog import Catalog
from xinyong.catalog.errors import CatalogError
from xinyong.clock import Calendar
from xinyong.db.tables import Subject, User
from xinyong.enums import Role, SubjectKind
from xinyong.errors import Forbidden
from xinyong.scenarios import catalog as scenario_catalog
from xinyong.scenarios import verify as verifying
from xinyong.scenarios.catalog import ScenarioCatalog


@pytest.fixture
def scenarios() -> ScenarioCatalog:
    return scenario_catalog.load()


def _partner(session: Session, scenarios: ScenarioCatalog, *ids: str) -> Actor:
    actor, _ = make_user(session, Role.PARTNER)
    user = session.get(User, actor.id)
    assert user is not None
    for sid in ids:
        verifying.register_partner(
            session, scenarios.get(sid), "示范区政务服务中心", user, actor=SYSTEM
        )
    return actor


def _graded(session: Session, catalog: Catalog, today: date) -> Subject:
    subject = make_subject(session)
    evaluation.evaluate_subject(session, subject, catalog=catalog, today=today)
    return subject


def test_eligible_subject_gets_the_benefit_with_each_rule_shown(
    session: Session, catalog: Catalog, today: date, scenarios: ScenarioCatalog
) -> None:
    partner = _partner(session, scenarios, "xinyi_pi")
    subject = _graded(session, catalog, today)
    v = verifying.verify(session, scenarios, "xinyi_pi", subject.code, method="code",
                         actor=partner, catalog=catalog, today=today)  # fmt: skip
    assert v.result.eligible
    assert v.result.reason() == "符合“信易批”场景的全部资格条件。"
    assert "评价等级须为 A、B：当前等级 B（良）" in "".join(v.result.explanation())
    assert v.verification.eligible is True


def test_ineligible_because_of_a_list_entry_names_the_rule(
    session: Session, catalog: Catalog, calendar: Calendar, today: date, scenarios: ScenarioCatalog,
    operator: Actor,
) -> None:  # fmt: skip
    partner = _partner(session, scenarios, "xinyi_zu")
    subject = _graded(session, catalog, today)
    listed(session, subject, "tax_serious_violation", catalog=catalog, calendar=calendar,
           actor=operator, proposed_on=today - timedelta(days=40))  # fmt: skip
    v = verifying.verify(session, scenarios, "xinyi_zu", subject.code, method="code",
                         actor=partner, catalog=catalog, today=today)  # fmt: skip
    assert not v.result.eligible
    reason = v.result.reason()
    assert "不符合“信易租”场景的条件“无正在执行的失信惩戒”" in reason
    assert "不在严重失信主体名单、重点关注名单内" in reason
    assert "在有效期内的失信名单：" in reason


def test_ineligible_because_of_the_grade_names_the_rule(
    session: Session, catalog: Catalog, today: date, scenarios: ScenarioCatalog
) -> None:
    partner = _partner(session, scenarios, "xinyi_zu")
    subject = _graded(session, catalog, today)  # B: 信易租 asks for A
    v = verifying.verify(session, scenarios, "xinyi_zu", subject.code, method="qr",
                         actor=partner, catalog=catalog, today=today)  # fmt: skip
    assert not v.result.eligible
    assert (
        v.result.reason()
        == "不符合“信易租”场景的条件“评价等级须为 A”（当前等级 B（良），评价日 2026-11-23）"
    )
    assert [line.condition for line in v.result.failed] == ["grades"]


def test_scanned_code_and_counts(
    session: Session, catalog: Catalog, today: date, scenarios: ScenarioCatalog
) -> None:
    partner = _partner(session, scenarios, "xinyi_pi")
    subject = _graded(session, catalog, today)
    scanned = f"https://credit.example.gov.cn/subjects/{subject.code}"
    v = verifying.verify(session, scenarios, "xinyi_pi", scanned, method="qr", actor=partner,
                         catalog=catalog, today=today)  # fmt: skip
    assert v.subject.id == subject.id
    verifying.verify(session, scenarios, "xinyi_pi", subject.code, method="code", actor=partner,
                     catalog=catalog, today=today)  # fmt: skip
    counts = [c for c in verifying.counts(session) if c["scenario"] == "xinyi_pi"]
    assert sum(c["verifications"] for c in counts) >= 2
    with pytest.raises(Forbidden):  # not registered for 信易租
        verifying.verify(session, scenarios, "xinyi_zu", subject.code, method="code",
                         actor=partner, catalog=catalog, today=today)  # fmt: skip


def test_natural_person_only_with_consent(
    session: Session, catalog: Catalog, today: date, scenarios: ScenarioCatalog
) -> None:
    partner = _partner(session, scenarios, "xinyi_xing")
    person = make_subject(session, kind=SubjectKind.PERSON)
    person_actor, _ = make_user(session, Role.ENTERPRISE, subject=person)
    with pytest.raises(Forbidden):
        verifying.verify(session, scenarios, "xinyi_xing", person.code, method="code",
                         actor=partner, catalog=catalog, today=today)  # fmt: skip
    assert partner.id is not None
    consent.grant(
        session, person, consent.Grantee("user", partner.id, partner.label), purpose="公交免押金",
        scopes=["scenario"], valid_from=today, valid_until=today + timedelta(days=30),
        actor=person_actor, today=today,
    )  # fmt: skip
    v = verifying.verify(session, scenarios, "xinyi_xing", person.code, method="code",
                         actor=partner, catalog=catalog, today=today)  # fmt: skip
    assert not v.result.eligible  # no signed commitment yet
    assert "须签署有效的信用承诺" in v.result.reason()


def test_a_person_scenario_without_a_legal_basis_is_refused() -> None:
    data = {"version": "1", "scenarios": [{
        "id": "x", "title": "信易游", "benefit": "门票折扣", "grantor": "景区", "basis": "b",
        "subject_kinds": ["person"], "conditions": {"no_punishment_in_force": True},
    }]}  # fmt: skip
    with pytest.raises(CatalogError, match="person_basis"):
        scenario_catalog.parse(data, "scenarios.yaml")


def test_every_verification_is_in_the_subjects_query_log(
    session: Session, catalog: Catalog, today: date, scenarios: ScenarioCatalog
) -> None:
    """Who (the partner), whom, why (the scenario) and on what basis, in the same transaction."""
    partner = _partner(session, scenarios, "xinyi_pi")
    subject = _graded(session, catalog, today)
    verifying.verify(session, scenarios, "xinyi_pi", subject.code, method="code",
                     actor=partner, catalog=catalog, today=today)  # fmt: skip
    (logged,) = audit.list_queries(session, subject.id)
    assert logged.actor_label == partner.label
    assert logged.surface == "scenario"
    assert logged.basis == consent.SCENARIO_BASIS
    assert logged.purpose.startswith("信易+ ")
    assert scenarios.get("xinyi_pi").basis[:20] in logged.purpose
    assert (logged.detail or {})["scenario"] == "xinyi_pi"
