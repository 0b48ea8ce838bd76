"""信易贷 over HTTP: consent decides what a bank sees; the SME sees every bank query; pages."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories.accounts import sign_in
from tests.factories.archive import make_record
from tests.factories.subjects import SYSTEM
from tests.factories.workflows import make_user
from tests.financing.conftest import make_bank, make_sme
from xinyong import signing
from xinyong.catalog import Catalog
from xinyong.config import Settings
from xinyong.db.tables import User
from xinyong.enums import Role
from xinyong.financing import catalog as fin_catalog
from xinyong.financing import institutions, market, outcomes, whitelist
from xinyong.scenarios import catalog as scenario_catalog
from xinyong.scenarios import verify

TODAY = date(2026, 11, 23)


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    key = tmp_path / "keys" / "office-sm2.pem"
    signing.ensure_key(key)
    return settings.model_copy(update={"signing_key": key})


def test_bank_sees_the_evaluation_only_with_consent_and_the_sme_sees_each_query(
    client: TestClient, session: Session, catalog: Catalog
) -> None:
    bank = make_bank(session)
    sme = make_sme(session, catalog, TODAY, name="示范守信制造有限公司")
    url = f"/api/v1/subjects/{sme.subject.code}/evaluation"

    sign_in(client, bank.username)
    refused = client.get(url)
    assert refused.status_code == 403
    assert refused.json()["error"] == "consent.no_basis"
    assert client.get(f"/bank/subjects/{sme.subject.code}").status_code == 403

    sign_in(client, sme.username)
    granted = client.post(
        "/me/financing/consents",
        data={"institution_id": bank.institution.id, "purpose": "流动资金贷款审批",
              "valid_until": str(TODAY + timedelta(days=60))},
        follow_redirects=False,
    )  # fmt: skip
    assert granted.status_code == 303

    sign_in(client, bank.username)
    ok = client.get(url)
    assert ok.status_code == 200
    assert ok.json()["access"] == "full"
    page = client.get(f"/bank/subjects/{sme.subject.code}")
    assert page.status_code == 200
    assert "贷前审核" in page.text
    assert "示范守信制造有限公司" in client.get("/bank/").text

    sign_in(client, sme.username)
    queries = client.get("/api/v1/financing/queries").json()["queries"]
    by_bank = [q for q in queries if bank.username in q["who"]]
    assert {q["surface"] for q in by_bank} >= {"api", "bank"}
    assert all(q["basis"] == "consent" and q["consent_id"] for q in by_bank)
    assert bank.username in client.get("/me/queries").text
    revoked = client.post(
        f"/me/financing/consents/{bank.institution.id}/revoke", follow_redirects=False
    )
    assert revoked.status_code == 303

    sign_in(client, bank.username)
    assert client.get(url).status_code == 403
    refused_page = client.get(f"/bank/subjects/{sme.subject.code}", headers={"accept": "text/html"})
    assert refused_page.status_code == 403
    assert "无权访问" in refused_page.text


def test_sme_publishes_a_need_and_sees_eligible_products_with_reasons(
    client: TestClient, session: Session, catalog: Catalog
) -> None:
    bank = make_bank(session)
    market.publish_product(
        session, bank.institution, name="科创信用贷", amount_min="10", amount_max="200",
        term_min_months=6, term_max_months=24, rate_type="fixed", credit_loan=True,
        eligibility_rule={"grades": ["A", "B"], "no_punishment_in_force": True}, actor=bank.actor,
    )  # fmt: skip
    sme = make_sme(session, catalog, TODAY)
    sign_in(client, sme.username)
    response = client.post(
        "/api/v1/financing/needs",
        json={"amount": "80", "term_months": 12, "purpose": "购置设备", "size": "small"},
    )
    assert response.status_code == 200
    found = {m["product"]["name"]: m for m in response.json()["matches"]}
    assert found["科创信用贷"]["eligible"] is True
    assert any("评价等级须为 A、B" in line for line in found["科创信用贷"]["explanation"])
    page = client.get("/me/financing")
    assert page.status_code == 200
    assert "科创信用贷" in page.text
    assert "可申请" in page.text


def test_bank_pages_publish_a_product_and_record_an_outcome(
    client: TestClient, session: Session, catalog: Catalog
) -> None:
    bank = make_bank(session)
    sme = make_sme(session, catalog, TODAY)
    sign_in(client, bank.username)
    r = client.post(
        "/bank/products",
        data={"name": "普惠流水贷", "amount_min": "5", "amount_max": "100", "term_min_months": "3",
              "term_max_months": "12", "rate_type": "floating", "credit_loan": "1",
              "grades": ["A", "B"], "no_punishment_in_force": "1"},
        follow_redirects=False,
    )  # fmt: skip
    assert r.status_code == 303
    r = client.post(
        "/bank/outcomes",
        data={"code": sme.subject.code, "result": "granted", "amount": "50",
              "granted_on": "2026-11-20", "matures_on": "2027-11-19", "rate_type": "floating",
              "credit_loan": "1", "first_loan": "1"},
        follow_redirects=False,
    )  # fmt: skip
    assert r.status_code == 303
    home = client.get("/bank/")
    assert "普惠流水贷" in home.text
    assert "2026-11" in home.text
    figures = client.get("/api/v1/financing/figures", params={"month": "2026-11"}).json()
    assert figures["figures"][0]["loans"] == 1
    assert figures["figures"][0]["credit_loan_share"] == 1.0
    assert client.get("/api/v1/financing/alerts").json()["alerts"] == []
    assert client.get("/bank/alerts").status_code == 200
    bad = client.post(
        "/bank/outcomes",
        data={"code": sme.subject.code, "result": "refused", "refusal_code": "nope"},
        headers={"accept": "text/html"},
    )
    assert bad.status_code == 422
    assert "码表" in bad.text


def test_a_need_is_withdrawn_by_the_sme_and_served_by_the_bank_outcome(
    client: TestClient, session: Session, catalog: Catalog
) -> None:
    bank = make_bank(session)
    sme = make_sme(session, catalog, TODAY)
    other = make_sme(session, catalog, TODAY)
    first, second = (
        market.publish_need(session, sme.subject, amount_wan=amount, term_months=12,
                            purpose="流动资金", size=None, actor=sme.actor, today=TODAY)
        for amount in ("30", "60")
    )  # fmt: skip
    sign_in(client, other.username)
    assert client.post(f"/api/v1/financing/needs/{first.id}/withdraw").status_code == 403
    sign_in(client, sme.username)
    page = client.post(f"/me/financing/needs/{first.id}/withdraw", follow_redirects=False)
    assert page.status_code == 303
    again = client.post(f"/api/v1/financing/needs/{first.id}/withdraw")
    assert again.status_code == 409
    assert again.json()["error"] == "financing.need_closed"
    me = client.get("/me/financing").text
    assert f"<td>已撤回</td><td>{TODAY.isoformat()}</td>" in me  # settled on the day withdrawn
    assert "<td>对接中</td><td>—</td>" in me
    assert "按最近一笔对接中的需求（60.00 万元" in me

    sign_in(client, bank.username)
    r = client.post(
        "/bank/outcomes",
        data={"code": sme.subject.code, "need_id": str(second.id), "result": "granted",
              "amount": "60", "granted_on": "2026-11-20", "rate_type": "fixed",
              "credit_loan": "1", "first_loan": "1"},
        follow_redirects=False,
    )  # fmt: skip
    assert r.status_code == 303
    bad = client.post("/bank/outcomes", data={"code": sme.subject.code, "need_id": "x1",
                                              "result": "refused"})  # fmt: skip
    assert bad.status_code == 422
    sign_in(client, sme.username)
    assert "已获贷款" in client.get("/me/financing").text
    served = client.post(f"/api/v1/financing/needs/{second.id}/withdraw")
    assert served.status_code == 409  # a served need stays served


def test_non_bank_is_refused_the_bank_pages(
    client: TestClient, session: Session, catalog: Catalog
) -> None:
    sme = make_sme(session, catalog, TODAY)
    sign_in(client, sme.username)
    assert client.get("/bank/").status_code == 403
    assert client.get("/api/v1/financing/alerts").status_code == 403


def test_office_generates_reviews_and_pushes_the_whitelist_the_bank_then_reads_it(
    client: TestClient, session: Session, catalog: Catalog
) -> None:

    bank = make_bank(session, joined=True)
    sme = make_sme(session, catalog, TODAY, name="白名单推荐测试有限公司")
    _, office = make_user(session, Role.ADMIN)
    sign_in(client, office)
    assert client.post("/admin/financing/whitelists", data={"month": "2026-11"},
                       follow_redirects=False).status_code == 303  # fmt: skip
    row = next(w for w in whitelist.lists_of(session, bank.institution.id))
    assert "白名单推荐测试有限公司" in client.get(f"/admin/financing/whitelists/{row.id}").text
    sign_in(client, bank.username)
    assert client.get(f"/bank/whitelists/{row.id}").status_code == 403  # not pushed yet
    sign_in(client, office)
    for step in ("review", "push"):
        r = client.post(f"/admin/financing/whitelists/{row.id}/{step}", follow_redirects=False)
        assert r.status_code == 303
    assert "已推送" in client.get("/admin/financing").text
    sign_in(client, bank.username)
    page = client.get(f"/bank/whitelists/{row.id}")
    assert page.status_code == 200
    assert "白名单推荐测试有限公司" in page.text
    assert "评价等级须为 A、B" in page.text
    assert sme.subject.code in page.text


def test_partner_api_verifies_and_anyone_else_is_refused(
    client: TestClient, session: Session, catalog: Catalog
) -> None:

    sme = make_sme(session, catalog, TODAY)
    actor, partner = make_user(session, Role.PARTNER)
    user = session.get(User, actor.id)
    assert user is not None
    verify.register_partner(
        session, scenario_catalog.load().get("xinyi_zu"), "示范产业园", user, actor=SYSTEM
    )
    assert client.get("/api/v1/scenarios").json()["scenarios"][0]["id"] == "xinyi_pi"
    sign_in(client, sme.username)
    url = "/api/v1/scenarios/xinyi_zu/verifications"
    assert client.post(url, json={"code": sme.subject.code}).status_code == 403
    sign_in(client, partner)
    body = client.post(url, json={"code": sme.subject.code}).json()
    assert body["eligible"] is False
    assert body["reason"].startswith("不符合“信易租”场景的条件“评价等级须为 A”")
    page = client.post("/partner/verify", data={"scenario": "xinyi_zu", "code": sme.subject.code})
    assert "不符合“信易租”条件" in page.text
    assert "信易租" in client.get("/scenarios").text


def test_the_app_raises_the_alert_with_the_change_and_the_bank_reads_it(
    client: TestClient, session: Session, catalog: Catalog
) -> None:
    bank = make_bank(session)
    sme = make_sme(session, catalog, TODAY)
    institutions.grant(
        session, sme.subject, bank.institution, purpose="贷后管理",
        valid_until=TODAY + timedelta(days=90), actor=sme.actor, today=TODAY,
    )  # fmt: skip
    outcomes.record_outcome(
        session, bank.institution, sme.subject, result="granted", decided_on=TODAY,
        fin_catalog=fin_catalog.load(), actor=bank.actor, amount_wan="50", granted_on=TODAY,
        rate_type="fixed", credit_loan=True, first_loan=False,
    )  # fmt: skip
    session.commit()
    make_record(session, sme.subject, severity="serious")
    session.commit()  # the app's listener (create_app → financing.register) raises it here
    sign_in(client, bank.username)
    alerts = client.get("/api/v1/financing/alerts").json()["alerts"]
    assert [a["subject"]["code"] for a in alerts] == [sme.subject.code]
    assert "严重失信信息" in client.get("/bank/alerts").text


def test_a_consented_bank_gets_the_special_report_and_loses_it_on_revocation(
    client: TestClient, session: Session, catalog: Catalog
) -> None:
    bank = make_bank(session)
    sme = make_sme(session, catalog, TODAY, name="专项报告授权测试有限公司")
    body = {"code": sme.subject.code, "kind": "special", "domains": ["market_regulation"],
            "years": 3, "purpose": "贷前审核"}  # fmt: skip
    sign_in(client, bank.username)
    assert client.post("/api/v1/reports", json=body).status_code == 403
    institutions.grant(
        session, sme.subject, bank.institution, purpose="贷前审核",
        valid_until=TODAY + timedelta(days=30), actor=sme.actor, today=TODAY,
    )  # fmt: skip
    got = client.post("/api/v1/reports", json=body)
    assert got.status_code == 200, got.text
    assert got.headers["content-type"] == "application/pdf"
    sign_in(client, sme.username)
    queries = client.get("/api/v1/financing/queries").json()["queries"]
    assert any(q["surface"] != "me" and bank.username in q["who"] for q in queries)
    institutions.revoke(session, sme.subject, bank.institution, actor=sme.actor, today=TODAY)
    sign_in(client, bank.username)
    assert client.post("/api/v1/reports", json=body).status_code == 403


def test_a_bank_officer_lands_on_the_bank_workbench(client: TestClient, session: Session) -> None:
    """The staff form's default page (/admin/) is not the bank's: a bank officer logging in without
    a page to return to lands on /bank/, others on /admin/; a given page is still followed."""
    bank = make_bank(session)
    _, officer = make_user(session, Role.OFFICER)
    for username, home in ((bank.username, "/bank/"), (officer, "/admin/")):
        client.cookies.clear()
        done = client.post("/admin/login", data={"username": username, "password": "password123"},
                           follow_redirects=False)  # fmt: skip
        assert done.headers["location"] == home
    client.cookies.clear()
    form = {"username": bank.username, "password": "password123", "next": "/reports/request"}
    kept = client.post("/admin/login", data=form, follow_redirects=False)
    assert kept.headers["location"] == "/reports/request"
