"""Revoking an approved repair for false materials (提供虚假材料): the domain action, who may, the
record counted and disclosed again with its history, the audit row; the page button, the API and
`xinyong repair revoke`."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tests.cli import on_session
from tests.factories import make_provider, make_subject
from tests.factories.workflows import PDF, make_enterprise, make_officer, make_penalty, make_user
from xinyong import archive, commitments, repair
from xinyong.audit import Actor, AuditAction
from xinyong.catalog import Catalog
from xinyong.cli import app as cli_app
from xinyong.clock import Calendar
from xinyong.db.tables import AuditEntry, Record, RepairApplication, Subject, User
from xinyong.enums import CommitmentStatus, RecordStatus, RepairStatus, Role
from xinyong.errors import Forbidden, InvalidInput

TODAY = date(2026, 11, 23)


def _approved(
    session: Session, catalog: Catalog, calendar: Calendar, data_dir: Path
) -> tuple[RepairApplication, Actor]:
    dept = make_provider(session, name="示范区市场监督管理局", kind="market_regulation")
    subject = make_subject(session)
    officer = make_officer(session, dept)
    record = make_penalty(session, subject, dept)
    application = commitments.apply_for_repair(
        session, record,
        repair.Application("已整改", True, (repair.Upload("performance_proof", "p.pdf", PDF),)),
        actor=make_enterprise(session, subject), today=TODAY, catalog=catalog, calendar=calendar,
        data_dir=data_dir, region_code="990100", commitment_affirmed=True,
    )  # fmt: skip
    repair.accept(session, application, actor=officer, today=TODAY, catalog=catalog,
                  calendar=calendar)  # fmt: skip
    repair.decide(session, application, approve=True, reason="已整改", actor=officer,
                  today=TODAY, catalog=catalog)  # fmt: skip
    assert repair.current_version(session, application).status == RecordStatus.REPAIRED
    return application, officer


def _audit_rows(session: Session, application: RepairApplication) -> list[AuditEntry]:
    stmt = select(AuditEntry).where(
        AuditEntry.action == AuditAction.REPAIR_REVOKED.value,
        AuditEntry.target_id == str(application.id),
    )
    return list(session.execute(stmt).scalars())


def test_the_deciding_department_revokes_and_the_record_is_shown_again_with_history(
    session: Session, catalog: Catalog, calendar: Calendar, tmp_path: Path
) -> None:
    application, officer = _approved(session, catalog, calendar, tmp_path)
    repaired = repair.current_version(session, application)
    commitments.revoke_for_false_materials(
        session, application, "履行凭证系伪造", actor=officer, today=TODAY, catalog=catalog
    )
    assert application.status == RepairStatus.REVOKED
    assert application.decision_reason == "提供虚假材料：履行凭证系伪造"
    restored = repair.current_version(session, application)
    assert restored.id != repaired.id
    assert restored.status == RecordStatus.ACTIVE
    assert archive_until(restored)  # disclosed again, for the maximum period
    versions = session.execute(
        select(Record.status).where(Record.subject_id == application.subject_id)
    ).scalars().all()  # fmt: skip
    assert RecordStatus.REPAIRED in versions  # the repaired version is kept
    (row,) = _audit_rows(session, application)
    assert "提供虚假材料" in (row.reason or "")


def archive_until(record: Record) -> bool:
    from xinyong import archive  # noqa: PLC0415

    return bool(archive.source_row(record).get("disclosure_until"))


def test_who_may_revoke_and_a_reason_is_required(
    session: Session, catalog: Catalog, calendar: Calendar, tmp_path: Path
) -> None:
    application, _officer = _approved(session, catalog, calendar, tmp_path)
    other = make_officer(session, make_provider(session, name="示范区民政局", kind="civil_affairs"))
    with pytest.raises(Forbidden):
        commitments.revoke_for_false_materials(
            session, application, "伪造", actor=other, today=TODAY, catalog=catalog
        )
    auditor, _ = make_user(session, Role.AUDITOR)
    with pytest.raises(Forbidden):
        commitments.revoke_for_false_materials(
            session, application, "伪造", actor=auditor, today=TODAY, catalog=catalog
        )
    admin, _ = make_user(session, Role.ADMIN)
    with pytest.raises(InvalidInput):
        commitments.revoke_for_false_materials(
            session, application, "  ", actor=admin, today=TODAY, catalog=catalog
        )
    assert application.status == RepairStatus.APPROVED
    assert not _audit_rows(session, application)
    commitments.revoke_for_false_materials(  # the credit office may
        session, application, "材料伪造", actor=admin, today=TODAY, catalog=catalog
    )
    assert application.status == RepairStatus.REVOKED


def _login(client: TestClient, session: Session, actor: Actor) -> dict[str, str]:
    """Sign in through the login page (the client keeps the cookie); no extra headers."""
    user = session.get(User, actor.id)
    assert user is not None
    response = client.post("/admin/login", data={"username": user.username,
                           "password": "password123"}, follow_redirects=False)  # fmt: skip
    assert response.status_code == 303
    return {}


def test_page_button_and_api(
    client: TestClient, session: Session, catalog: Catalog, calendar: Calendar, tmp_path: Path
) -> None:
    application, officer = _approved(session, catalog, calendar, tmp_path)
    headers = _login(client, session, officer)
    page = client.get(f"/admin/repairs/{application.id}", headers=headers)
    assert page.status_code == 200
    assert 'id="revoke"' in page.text
    done = client.post(f"/admin/repairs/{application.id}/revoke",
                       data={"reason": "凭证伪造"}, headers=headers)  # fmt: skip
    assert done.status_code in (200, 303)
    session.refresh(application)
    assert application.status == RepairStatus.REVOKED
    again = client.post(f"/api/v1/repairs/{application.id}/revoke",
                        json={"reason": "再次"}, headers=headers)  # fmt: skip
    assert again.status_code == 409, again.text


def test_page_refuses_an_empty_reason_with_a_chinese_page(
    client: TestClient, session: Session, catalog: Catalog, calendar: Calendar, tmp_path: Path
) -> None:
    application, officer = _approved(session, catalog, calendar, tmp_path)
    headers = _login(client, session, officer)
    empty = client.post(f"/admin/repairs/{application.id}/revoke", data={"reason": ""},
                        headers={**headers, "accept": "text/html"})  # fmt: skip
    assert empty.status_code == 422
    assert "虚假" in empty.text
    assert "<html" in empty.text.lower()


def test_api_revokes(
    client: TestClient, session: Session, catalog: Catalog, calendar: Calendar, tmp_path: Path
) -> None:
    application, officer = _approved(session, catalog, calendar, tmp_path)
    _login(client, session, officer)
    answer = client.post(f"/api/v1/repairs/{application.id}/revoke", json={"reason": "材料伪造"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["status"] == "revoked"
    assert body["record_status"] == RecordStatus.ACTIVE


def test_cli_revokes(
    monkeypatch: pytest.MonkeyPatch, session: Session, catalog: Catalog, calendar: Calendar,
    tmp_path: Path,
) -> None:  # fmt: skip
    application, _officer = _approved(session, catalog, calendar, tmp_path)

    on_session(monkeypatch, session, TODAY)
    result = CliRunner().invoke(
        cli_app, ["repair", "revoke", str(application.id), "--reason", "材料伪造", "--json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["status"] == "revoked"
    assert application.status == RepairStatus.REVOKED


# ---- the breach of the repair commitment (rules.md §1.6; ADR 0018 §1) ---------------------------


def _breach_audits(session: Session, record_id: int) -> list[AuditEntry]:
    stmt = select(AuditEntry).where(
        AuditEntry.action == AuditAction.COMMITMENT_BREACH_RECORDED.value,
        AuditEntry.target_id == str(record_id),
    )
    return list(session.execute(stmt).scalars())


def test_false_materials_record_the_breach_of_the_repair_commitment(
    session: Session, catalog: Catalog, calendar: Calendar, tmp_path: Path
) -> None:
    application, officer = _approved(session, catalog, calendar, tmp_path)
    found = commitments.revoke_for_false_materials(
        session, application, "履行凭证系伪造", actor=officer, today=TODAY, catalog=catalog
    )
    commitment = found.commitment
    assert commitment.id == application.commitment_id
    assert commitment.status == CommitmentStatus.BREACHED
    assert commitment.false_statement is True
    assert commitment.fulfillment_status == commitments.UNPERFORMED
    assert commitment.unperformed_content == "提供虚假材料：履行凭证系伪造"
    breach = found.breach_record
    assert breach is not None
    assert commitment.breach_record_id == breach.id
    assert breach.info_class == commitments.BREACH_CLASS
    assert breach.subject_id == application.subject_id
    assert breach.natural_key == commitment.code
    assert breach.decision_date == TODAY
    row = archive.source_row(breach)
    assert row["remarks"] == "虚假承诺"
    # the legal basis the catalog gives (the 信用修复型 template: 令36号)
    assert "国家发展改革委令第36号" in row["legal_basis"]
    assert found.revoked_repair is application
    assert application.status == RepairStatus.REVOKED
    assert len(_breach_audits(session, breach.id)) == 1
    assert _audit_rows(session, application)  # and the revocation's own audit row


def test_a_kept_finding_is_overturned_and_a_breached_commitment_keeps_one_record(
    session: Session, catalog: Catalog, calendar: Calendar, tmp_path: Path
) -> None:
    application, officer = _approved(session, catalog, calendar, tmp_path)
    commitment = commitments.get(session, application.commitment_id)
    commitments.record_verification(session, commitment, fulfilment=commitments.KEPT,
                                    actor=officer, today=TODAY, catalog=catalog)  # fmt: skip
    assert commitment.status == CommitmentStatus.KEPT
    found = commitments.revoke_for_false_materials(
        session, application, "凭证伪造", actor=officer, today=TODAY, catalog=catalog
    )
    assert found.commitment.status == CommitmentStatus.BREACHED
    assert found.breach_record is not None
    verified = session.execute(
        select(AuditEntry).where(AuditEntry.action == AuditAction.COMMITMENT_VERIFIED.value,
                                 AuditEntry.target_id == str(commitment.id))
    ).scalars().all()  # fmt: skip
    assert len(verified) == 2  # the earlier 已履行 finding stays in the audit log


def test_refused_revocation_writes_no_breach(
    session: Session, catalog: Catalog, calendar: Calendar, tmp_path: Path
) -> None:
    application, _officer = _approved(session, catalog, calendar, tmp_path)
    other = make_officer(session, make_provider(session, name="示范区商务局", kind="commerce"))
    with pytest.raises(Forbidden):
        commitments.revoke_for_false_materials(
            session, application, "伪造", actor=other, today=TODAY, catalog=catalog
        )
    commitment = commitments.get(session, application.commitment_id)
    assert commitment.status == CommitmentStatus.SIGNED
    assert commitment.breach_record_id is None


def test_the_breach_shows_on_the_subject_page_in_me_and_in_the_api_answer(
    client: TestClient, session: Session, catalog: Catalog, calendar: Calendar, tmp_path: Path
) -> None:
    application, officer = _approved(session, catalog, calendar, tmp_path)
    _login(client, session, officer)
    answer = client.post(f"/api/v1/repairs/{application.id}/revoke", json={"reason": "材料伪造"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    commitment = commitments.get(session, application.commitment_id)
    assert body["commitment_code"] == commitment.code
    assert body["breach_record_id"] == commitment.breach_record_id
    page = client.get(f"/admin/repairs/{application.id}")
    assert "承诺不实" in page.text
    assert 'id="breach-record"' in page.text
    subject = session.get(Subject, application.subject_id)
    assert subject is not None
    public = client.get(f"/subjects/{subject.code}")
    assert public.status_code == 200
    breaches = public.text.split('id="breaches"', 1)[1].split("</section>", 1)[0]
    assert commitment.code in breaches


def test_the_subject_sees_the_breach_in_me(
    client: TestClient, session: Session, catalog: Catalog, calendar: Calendar, tmp_path: Path
) -> None:
    application, officer = _approved(session, catalog, calendar, tmp_path)
    commitments.revoke_for_false_materials(
        session, application, "凭证伪造", actor=officer, today=TODAY, catalog=catalog
    )
    subject = session.get(Subject, application.subject_id)
    assert subject is not None
    _, username = make_user(session, Role.ENTERPRISE, subject=subject)
    client.post("/admin/login", data={"username": username, "password": "password123"})
    home = client.get("/me/")
    assert home.status_code == 200
    section = home.text.split('id="commitments"', 1)[1].split("</section>", 1)[0]
    assert commitments.get(session, application.commitment_id).code in section
    assert "承诺不实" in section
    assert "违诺信息已记入信用记录" in section
