"""Reports and consent over HTTP: a bank needs consent; the subject sees the query; verification."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import make_subject
from tests.factories.accounts import sign_in
from tests.factories.workflows import make_user
from xinyong import audit, auth, consent, signing
from xinyong.audit import Actor
from xinyong.config import Settings
from xinyong.enums import Role

TODAY = date(2026, 11, 23)


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    key = tmp_path / "keys" / "office-sm2.pem"
    signing.ensure_key(key)
    return settings.model_copy(update={"signing_key": key, "today": TODAY})


def test_bank_needs_consent_subject_sees_the_query_and_revocation_stops_it(
    client: TestClient, session: Session
) -> None:
    subject = make_subject(session, name="示范区守信食品有限公司")
    _, enterprise = make_user(session, Role.ENTERPRISE, subject=subject)
    _bank_client, key = auth.create_api_client(
        session, "示范银行信贷系统", Role.BANK, actor=Actor.system()
    )
    bank = {"X-API-Key": key}
    body = {
        "code": subject.code,
        "kind": "special",
        "domains": ["market_regulation"],
        "years": 3,
        "purpose": "流动资金贷款审批",
    }

    refused = client.post("/api/v1/reports", json=body, headers=bank)
    assert refused.status_code == 403
    assert refused.json()["error"] == "consent.no_basis"

    sign_in(client, enterprise)
    granted = client.post(
        "/api/v1/consents",
        json={
            "grantee": f"api_client:{_bank_client.id}",
            "purpose": "流动资金贷款审批",
            "scopes": ["special_report"],
            "valid_until": str(TODAY + timedelta(days=30)),
        },
    )
    assert granted.status_code == 201, granted.text
    consent_id = granted.json()["id"]
    client.cookies.clear()

    got = client.post("/api/v1/reports", json=body, headers=bank)
    assert got.status_code == 200, got.text
    assert got.headers["content-type"] == "application/pdf"
    number = got.headers["X-Report-Number"]
    listed = client.get("/api/v1/consents", headers=bank).json()
    assert listed["as"] == "grantee"
    assert [c["id"] for c in listed["consents"]] == [consent_id]

    sign_in(client, enterprise)
    page = client.get("/me/queries").text
    assert "示范银行信贷系统" in page
    assert "流动资金贷款审批" in page
    assert "主体授权" in page
    assert client.delete(f"/api/v1/consents/{consent_id}").json()["state"] == "已撤回"
    assert "已撤回" in client.get("/me/consents").text
    client.cookies.clear()

    again = client.post("/api/v1/reports", json=body, headers=bank)
    assert again.status_code == 403
    verified = client.get(f"/api/v1/reports/{number}/verify").json()
    assert verified["verdict"] == "authentic"


def test_consent_form_in_me_grants_and_revokes(client: TestClient, session: Session) -> None:
    subject = make_subject(session)
    _, enterprise = make_user(session, Role.ENTERPRISE, subject=subject)
    bank, _ = make_user(session, Role.BANK)
    sign_in(client, enterprise)
    form = client.get("/me/consents").text
    assert f"user:{bank.id}" in form
    done = client.post(
        "/me/consents",
        data={
            "grantee": f"user:{bank.id}",
            "purpose": "授信审查",
            "scopes": ["special_report", "archive"],
            "valid_until": str(TODAY + timedelta(days=10)),
        },
        follow_redirects=False,
    )
    assert done.status_code == 303
    page = client.get("/me/consents").text
    assert "授信审查" in page
    assert "有效" in page
    consent_id = client.get("/api/v1/consents").json()["consents"][0]["id"]
    client.post(f"/me/consents/{consent_id}/revoke", follow_redirects=False)
    assert "已撤回" in client.get("/me/consents").text


def test_public_report_and_verification_pages(client: TestClient, session: Session) -> None:
    subject = make_subject(session, name="示范区公开报告有限公司")
    page = client.get(f"/subjects/{subject.code}").text
    assert f"/reports/request?code={subject.code}" in page
    assert "公共信用信息报告" in client.get(f"/reports/request?code={subject.code}").text
    pdf = client.post("/reports/request", data={"code": subject.code, "kind": "public"})
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    number = pdf.headers["X-Report-Number"]
    by_number = client.get(f"/reports/verify?number={number}").text
    assert "真实有效" in by_number
    upload = client.post(
        "/reports/verify", files={"file": ("r.pdf", pdf.content, "application/pdf")}
    )
    assert "真实有效" in upload.text
    assert "有效（文件未被改动）" in upload.text
    altered = pdf.content.replace(b"/Producer", b"/Producex", 1)
    bad = client.post("/reports/verify", files={"file": ("r.pdf", altered, "application/pdf")})
    assert "已被改动" in bad.text
    api = client.post("/api/v1/reports/verify", files={"file": ("r.pdf", altered)}).json()
    assert api["verdict"] == "altered"
    special = client.post(
        "/reports/request",
        data={"code": subject.code, "kind": "special", "domains": ["tax"]},
        headers={"accept": "text/html"},
    )
    assert special.status_code == 403
    assert "须登录" in special.text


def test_office_revokes_with_a_reason_and_auditor_searches_the_log(
    client: TestClient, session: Session
) -> None:
    subject = make_subject(session, name="示范区撤销测试有限公司")
    _, admin = make_user(session, Role.ADMIN)
    _, auditor = make_user(session, Role.AUDITOR)
    sign_in(client, admin)
    pdf = client.post(
        "/api/v1/reports",
        json={
            "code": subject.code,
            "kind": "special",
            "domains": ["tax"],
            "purpose": "行政许可审查",
        },
    )
    assert pdf.status_code == 200, pdf.text
    number = pdf.headers["X-Report-Number"]
    assert number in client.get("/admin/reports").text
    done = client.post(
        f"/admin/reports/{number}/revoke", data={"reason": "领域选错"}, follow_redirects=False
    )
    assert done.status_code == 303
    assert "已撤销（领域选错）" in client.get("/admin/reports").text
    assert client.get(f"/api/v1/reports/{number}/verify").json()["verdict"] == "revoked"
    upload = client.post("/reports/verify", files={"file": ("r.pdf", pdf.content)})
    assert "已撤销" in upload.text
    assert "领域选错" in upload.text

    sign_in(client, auditor)
    page = client.get(f"/admin/audit?code={subject.code}").text
    assert "行政许可审查" in page
    assert "履职查询" in page
    assert "reports.report.revoked" in page
    verified = client.post("/admin/audit/verify").text
    assert "审计链完整" in verified
    assert client.post(f"/admin/reports/{number}/revoke", data={"reason": "x"}).status_code == 403


def test_full_archive_for_a_consented_bank_is_logged_with_the_consent(
    client: TestClient, session: Session
) -> None:
    subject = make_subject(session)
    enterprise, _ = make_user(session, Role.ENTERPRISE, subject=subject)
    bank_client, key = auth.create_api_client(
        session, "示范银行档案查询", Role.BANK, actor=Actor.system()
    )
    bank = {"X-API-Key": key}
    url = f"/api/v1/subjects/{subject.code}?purpose=贷后管理"
    assert client.get(url, headers=bank).json()["view"] == "public"
    granted = consent.grant(
        session,
        subject,
        consent.Grantee("api_client", bank_client.id, bank_client.name),
        purpose="贷后管理",
        scopes=["archive"],
        valid_from=TODAY,
        valid_until=TODAY + timedelta(days=5),
        actor=enterprise,
        today=TODAY,
    )
    assert client.get(url, headers=bank).json()["view"] == "full"
    logged = audit.list_queries(session, subject.id)[0]
    assert (logged.basis, logged.consent_id) == ("consent", granted.id)
    consent.revoke(session, granted.id, actor=enterprise)
    assert client.get(url, headers=bank).json()["view"] == "public"


def test_subject_gets_its_own_special_report_from_me(client: TestClient, session: Session) -> None:
    subject = make_subject(session, name="示范区自查有限公司")
    _, enterprise = make_user(session, Role.ENTERPRISE, subject=subject)
    sign_in(client, enterprise)
    page = client.get("/me/reports").text
    assert "专项信用报告" in page
    assert f'value="{subject.code}"' in page
    got = client.post(
        "/api/v1/reports",
        json={
            "code": subject.code,
            "kind": "special",
            "domains": ["tax", "environment"],
            "years": 5,
            "format": "number",
        },
    )
    assert got.status_code == 200, got.text
    body = got.json()
    assert body["verify_url"].endswith(f"/reports/verify?number={body['number']}")
    queries = client.get("/me/queries").text
    assert "本人查询" in queries
