"""Each department sees its own, enforced in the domain (the routes only add the login check).

The web side is covered route by route in tests/web/test_access_matrix.py.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from tests.factories import make_provider, make_subject
from tests.factories.workflows import PDF, make_enterprise, make_officer, make_penalty, make_user
from xinyong import auth, commitments, disclosure, objections, registrations, repair, workqueue
from xinyong.audit import ANONYMOUS, Actor
from xinyong.catalog import Catalog
from xinyong.clock import Calendar
from xinyong.db.tables import Provider
from xinyong.enums import Role
from xinyong.errors import Forbidden
from xinyong.registrations import NewRegistration


def test_the_anonymous_actor_holds_no_role() -> None:
    assert ANONYMOUS.role is None
    for role in Role:
        with pytest.raises(Forbidden):
            auth.require_role(ANONYMOUS, role)


def test_reading_the_full_archive_checks_its_permission_inside(
    session: Session, catalog: Catalog, today: date
) -> None:
    subject = make_subject(session)
    bank, _ = make_user(session, Role.BANK)
    other = make_enterprise(session, make_subject(session))
    for actor in (ANONYMOUS, bank, other):
        with pytest.raises(Forbidden):
            disclosure.read_archive(
                session, subject, purpose="贷款审查", surface="test", actor=actor,
                catalog=catalog, today=today,
            )  # fmt: skip
    auditor, _ = make_user(session, Role.AUDITOR)
    assert disclosure.read_archive(
        session, subject, purpose="审计", surface="test", actor=auditor, catalog=catalog,
        today=today,
    ) == []  # fmt: skip


def test_a_registration_goes_to_the_department_the_catalog_names(
    session: Session, catalog: Catalog, today: date
) -> None:
    market = make_provider(session, name="示范区市场监督管理局", kind="market_regulation")
    civil = make_provider(session, name="示范区民政局", kind="civil_affairs")
    kind = catalog.workflows.registrations.kind("certificate")
    assert kind is not None
    assert kind.verifier == "market_regulation"
    subject = make_subject(session)
    enterprise = make_enterprise(session, subject)
    new = NewRegistration("certificate", "ISO 9001 认证", "证书编号 00123Q", truth_affirmed=True)
    item = registrations.submit(
        session, subject, new, actor=enterprise, today=today, catalog=catalog
    )
    # the department of that kind (on PostgreSQL other tests may have committed another one)
    chosen = session.get(Provider, item.provider_id)
    assert chosen is not None
    assert chosen.kind == market.kind
    market = chosen
    mine, theirs = make_officer(session, market), make_officer(session, civil)
    clerk, _ = make_user(session, Role.PROVIDER_CLERK, provider=market)

    def queued(actor: auth.Actor) -> list[int]:
        return [
            i.target_id
            for i in workqueue.work_queue(session, today=today, actor=actor)
            if i.kind == "registration_verification"
        ]

    assert item.id in queued(mine)
    assert item.id not in queued(theirs)
    assert registrations.get(session, item.id, actor=clerk) is item
    with pytest.raises(Forbidden):
        registrations.get(session, item.id, actor=theirs)
    with pytest.raises(Forbidden):
        registrations.verify(session, item, verified=True, note="", actor=theirs, today=today)
    with pytest.raises(Forbidden):  # a clerk reads the case but the officer decides
        registrations.verify(session, item, verified=True, note="", actor=clerk, today=today)
    registrations.verify(session, item, verified=True, note="", actor=mine, today=today)
    assert item.status == "verified"


def test_a_registration_without_a_department_of_its_kind_goes_to_the_credit_office(
    session: Session, catalog: Catalog, today: date
) -> None:
    market = make_provider(session, kind="market_regulation")
    subject = make_subject(session)
    new = NewRegistration("public_welfare", "捐资助学", "捐赠 10 万元", truth_affirmed=True)
    item = registrations.submit(
        session, subject, new, actor=make_enterprise(session, subject), today=today,
        catalog=catalog,
    )  # fmt: skip
    assert item.provider_id is None
    with pytest.raises(Forbidden):
        registrations.get(session, item.id, actor=make_officer(session, market))
    admin, _ = make_user(session, Role.ADMIN)
    assert [i.target_id for i in workqueue.work_queue(session, today=today, actor=admin)
            if i.kind == "registration_verification"] == [item.id]  # fmt: skip


def test_cases_and_materials_of_another_department_are_refused(
    session: Session, catalog: Catalog, calendar: Calendar, tmp_path: Path, today: date
) -> None:
    own, other = make_provider(session), make_provider(session, kind="tax")
    subject = make_subject(session)
    enterprise = make_enterprise(session, subject)
    disputed, repaired = make_penalty(session, subject, own), make_penalty(session, subject, own)
    objection = objections.file_objection(
        session, disputed, "金额有误", actor=enterprise, today=today, catalog=catalog,
        calendar=calendar,
    )  # fmt: skip
    app = commitments.apply_for_repair(
        session, repaired,
        repair.Application("已整改", True, (repair.Upload("performance_proof", "p.pdf", PDF),)),
        actor=enterprise, today=today, catalog=catalog, calendar=calendar, data_dir=tmp_path,
        region_code="990100", commitment_affirmed=True,
    )  # fmt: skip
    (material,) = repair.list_materials(session, app.id)
    stranger = make_officer(session, other)
    stranger_clerk, _ = make_user(session, Role.PROVIDER_CLERK, provider=other)
    # an officer-role API key of no department that is not the credit office's own
    homeless = Actor("api_client", 10_001, "接口:无部门", Role.OFFICER, None)
    for actor in (stranger, stranger_clerk, homeless, enterprise):
        with pytest.raises(Forbidden):
            repair.get(session, app.id, actor=actor)
        with pytest.raises(Forbidden):
            repair.get_material(session, app.id, material.id, actor=actor)
        with pytest.raises(Forbidden):
            objections.get(session, objection.id, actor=actor)
    assert workqueue.work_queue(session, today=today, actor=stranger) == []
    assert workqueue.work_queue(session, today=today, actor=homeless) == []
    office, _ = make_user(session, Role.OFFICER)  # the credit office's own officer: every case
    officer = make_officer(session, own)
    for reader in (officer, office):
        assert repair.get(session, app.id, actor=reader) is app
        assert objections.get(session, objection.id, actor=reader) is objection
    assert repair.get(session, app.id, actor=officer) is app
    assert repair.get_material(session, app.id, material.id, actor=officer) is material
    assert objections.get(session, objection.id, actor=officer) is objection
    kinds = {i.kind for i in workqueue.work_queue(session, today=today, actor=officer)}
    assert {"repair_acceptance", "objection_answer"} <= kinds
