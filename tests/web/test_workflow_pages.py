"""Enterprise self-service (/me/) and the officer's pages: apply, accept, approve, download."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import make_provider, make_subject
from tests.factories.accounts import sign_in
from tests.factories.lists import listed
from tests.factories.workflows import EXE, PDF, make_penalty, make_user
from xinyong import archive, repair
from xinyong.catalog import Catalog
from xinyong.clock import Calendar
from xinyong.enums import Role


def test_enterprise_applies_and_officer_approves_through_the_pages(
    client: TestClient, session: Session
) -> None:
    provider, subject = make_provider(session), make_subject(session)
    record = make_penalty(session, subject, provider, decision_date=date(2026, 6, 1))
    _, enterprise = make_user(session, Role.ENTERPRISE, subject=subject)
    _, officer = make_user(session, Role.OFFICER, provider=provider)

    sign_in(client, enterprise)
    home = client.get("/me/")
    assert str(record.decision_number) in home.text
    page = client.get(f"/me/records/{record.id}")
    assert "最短公示期已届满" in page.text
    applied = client.post(
        f"/me/records/{record.id}/repair",
        data={"statement": "已缴清罚款", "obligations": "true", "commit": "true"},
        files={"performance_proof": ("缴款凭证.pdf", PDF, "application/pdf")},
        follow_redirects=False,
    )
    assert applied.status_code == 303
    (app,) = repair.list_for_subject(session, subject.id)
    assert "待受理" in client.get("/me/").text
    assert str(app.accept_due) in client.get("/me/").text

    sign_in(client, officer)
    queue = client.get("/admin/queue")
    assert "信用修复待受理" in queue.text
    client.post(f"/admin/repairs/{app.id}/accept", follow_redirects=False)
    client.post(
        f"/admin/repairs/{app.id}/decide",
        data={"approve": "true", "reason": "已履行"},
        follow_redirects=False,
    )
    assert "准予修复" in client.get(f"/admin/repairs/{app.id}").text
    current = archive.history(session, record.info_class, record.natural_key)[-1]
    assert current.status == "repaired"

    (material,) = repair.list_materials(session, app.id)
    download = client.get(f"/admin/repairs/{app.id}/materials/{material.id}")
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["x-content-type-options"] == "nosniff"
    assert download.headers["content-disposition"].startswith("attachment")
    assert download.content == PDF


def test_executable_named_pdf_is_refused_on_upload(client: TestClient, session: Session) -> None:
    provider, subject = make_provider(session), make_subject(session)
    record = make_penalty(session, subject, provider)
    _, enterprise = make_user(session, Role.ENTERPRISE, subject=subject)
    sign_in(client, enterprise)
    refused = client.post(
        f"/me/records/{record.id}/repair",
        data={"statement": "已缴清罚款", "obligations": "true", "commit": "true"},
        files={"performance_proof": ("缴款凭证.pdf", EXE, "application/pdf")},
        headers={"accept": "application/json"},
    )
    assert refused.status_code == 422
    assert refused.json()["error"] == "repair.bad_material"
    assert repair.list_for_subject(session, subject.id) == []


def test_enterprise_cannot_open_another_subjects_record(
    client: TestClient, session: Session
) -> None:
    provider = make_provider(session)
    other = make_penalty(session, make_subject(session), provider)
    _, enterprise = make_user(session, Role.ENTERPRISE, subject=make_subject(session))
    sign_in(client, enterprise)
    response = client.get(f"/me/records/{other.id}", headers={"accept": "application/json"})
    assert response.status_code == 403


def test_objection_filed_from_the_record_page_shows_as_being_handled(
    client: TestClient, session: Session
) -> None:
    provider, subject = make_provider(session), make_subject(session)
    record = make_penalty(session, subject, provider)
    _, enterprise = make_user(session, Role.ENTERPRISE, subject=subject)
    sign_in(client, enterprise)
    client.post(
        f"/me/records/{record.id}/objection", data={"grounds": "金额有误"}, follow_redirects=False
    )
    assert "异议处理中" in client.get("/me/").text


def test_enterprise_applies_for_early_exit_from_a_platform_list_through_the_pages(
    client: TestClient, session: Session, catalog: Catalog, calendar: Calendar
) -> None:
    provider, subject = make_provider(session), make_subject(session)
    officer_actor, officer = make_user(session, Role.OFFICER, provider=provider)
    _, enterprise = make_user(session, Role.ENTERPRISE, subject=subject)
    entry = listed(
        session, subject, "watch", catalog=catalog, calendar=calendar, actor=officer_actor,
        proposed_on=date(2026, 3, 2),
    )  # fmt: skip
    number = str(entry.decision_number)

    sign_in(client, enterprise)
    home = client.get("/me/")
    assert number in home.text
    assert f'href="/me/list-entries/{entry.id}">申请提前移出' in home.text
    page = client.get(f"/me/list-entries/{entry.id}")
    assert "列入时间已满提前移出的最短期限：自 2026-06-11 起可申请提前移出" in page.text
    assert 'action="/me/list-entries/' in page.text
    applied = client.post(
        f"/me/list-entries/{entry.id}/early-exit",
        data={"statement": "已整改并履行义务", "obligations": "true", "commit": "true"},
        files={"performance_proof": ("整改报告.pdf", PDF, "application/pdf")},
        follow_redirects=False,
    )
    assert applied.status_code == 303
    (app,) = repair.list_for_subject(session, subject.id)
    assert "提前移出：重点关注名单" in client.get("/me/").text

    sign_in(client, officer)
    assert f"重点关注名单 提前移出 {number}" in client.get("/admin/queue").text
    client.post(f"/admin/repairs/{app.id}/accept", follow_redirects=False)
    shown = client.get(f"/admin/repairs/{app.id}").text
    assert "重点关注名单" in shown
    assert number in shown
    assert str(entry.valid_until) in shown
    client.post(
        f"/admin/repairs/{app.id}/decide",
        data={"approve": "true", "reason": "已整改"},
        follow_redirects=False,
    )
    assert "提前移出）" in client.get(f"/admin/repairs/{app.id}").text
    session.refresh(entry)
    assert (entry.stage, entry.exit_kind) == ("exited", "early")
