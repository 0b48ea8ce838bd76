"""What would change my grade: every suggestion, performed for real on a seeded region, gives the
grade it predicted."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session

from tests.factories import make_provider, make_subject
from tests.factories.lists import listed
from tests.factories.workflows import make_enterprise, make_officer, make_penalty
from tests.test_repair import REGION, _apply
from xinyong import archive, commitments, evaluation, registrations, repair
from xinyong.audit import Actor
from xinyong.catalog import Catalog
from xinyong.clock import Calendar
from xinyong.db.tables import Subject
from xinyong.enums import SubjectKind
from xinyong.registrations import NewRegistration

OFFICE = Actor.system("测试")


def seeded(session: Session, catalog: Catalog, calendar: Calendar) -> list[Subject]:
    provider = make_provider(session)
    repairable, recent, clean, watched = (make_subject(session) for _ in range(4))
    make_penalty(session, repairable, provider, decision_date=date(2026, 6, 1))
    make_penalty(session, recent, provider, decision_date=date(2026, 10, 1), amount="5000")
    listed(
        session,
        watched,
        "watch",
        catalog=catalog,
        calendar=calendar,
        actor=OFFICE,
        proposed_on=date(2026, 10, 12),
    )
    business = make_subject(session, kind=SubjectKind.INDIVIDUAL_BUSINESS)
    make_penalty(session, business, provider, decision_date=date(2026, 7, 1))
    return [repairable, recent, clean, watched, business]


def perform(
    session: Session,
    subject: Subject,
    s: evaluation.Suggestion,
    *,
    catalog: Catalog,
    calendar: Calendar,
    data_dir: Path,
    today: date,
) -> date:
    """Do what the suggestion says, through the real actions; returns the day to grade on."""
    enterprise = make_enterprise(session, subject)
    if s.kind == "repair":
        assert s.ref is not None
        record = archive.get(session, int(s.ref.split(":")[1]))
        provider = repair.deciding_provider(session, record)
        assert provider is not None
        officer = make_officer(session, provider)
        app = _apply(
            session,
            record,
            enterprise,
            catalog=catalog,
            calendar=calendar,
            data_dir=data_dir,
            today=today,
        )
        repair.accept(session, app, actor=officer, today=today, catalog=catalog, calendar=calendar)
        repair.decide(
            session, app, approve=True, reason="已履行", actor=officer, today=today, catalog=catalog
        )
    elif s.kind == "commitment":
        assert s.template_id is not None
        commitments.sign(
            session,
            subject,
            s.template_id,
            actor=enterprise,
            today=today,
            catalog=catalog,
            region_code=REGION,
        )
    elif s.kind == "registration":
        new = NewRegistration(
            "public_welfare",
            "社区公益活动",
            "参加社区义务植树",
            evidence="街道办",
            occurred_on=date(2026, 10, 1),
            truth_affirmed=True,
        )
        reg = registrations.submit(
            session, subject, new, actor=enterprise, today=today, catalog=catalog
        )
        registrations.verify(session, reg, verified=True, note="已核实", actor=OFFICE, today=today)
    else:
        assert s.kind == "date"
        assert s.on is not None
        return s.on
    session.flush()
    return today


def test_every_suggestion_gives_the_grade_it_predicts(
    session: Session, catalog: Catalog, calendar: Calendar, tmp_path: Path, today: date
) -> None:
    kinds: set[str] = set()
    for subject in seeded(session, catalog, calendar):
        found = evaluation.assess(session, subject, catalog=catalog, today=today)
        assert found is not None
        current, facts = found
        loaded = evaluation.models_for(catalog).for_kind(subject.kind)
        assert loaded is not None
        offers = evaluation.suggestions(
            session, subject, loaded, facts, current, catalog=catalog, today=today
        )
        assert offers, subject.name
        for offer in offers:
            kinds.add(offer.kind)
            nested = session.begin_nested()
            day = perform(
                session,
                subject,
                offer,
                catalog=catalog,
                calendar=calendar,
                data_dir=tmp_path,
                today=today,
            )
            got = evaluation.evaluate_subject(session, subject, catalog=catalog, today=day)
            assert got is not None
            assert (got.grade, got.score) == (offer.grade, offer.score), offer
            nested.rollback()
    assert kinds == {"repair", "commitment", "registration", "date"}


def test_a_record_not_yet_repairable_is_not_offered(
    session: Session, catalog: Catalog, today: date
) -> None:
    subject = make_subject(session)
    make_penalty(session, subject, make_provider(session), decision_date=date(2026, 10, 1))
    found = evaluation.assess(session, subject, catalog=catalog, today=today)
    assert found is not None
    loaded = evaluation.models_for(catalog).for_kind(subject.kind)
    assert loaded is not None
    offers = evaluation.suggestions(
        session, subject, loaded, found[1], found[0], catalog=catalog, today=today
    )
    assert "repair" not in {o.kind for o in offers}
    assert "date" in {o.kind for o in offers}
