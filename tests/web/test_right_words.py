"""Right state, right words: disclosure states on /me, repair offered only where eligible,
违诺信息 in its own section, browser errors as Chinese pages, Chinese titles in admin, and the
public base URL in the 信用码."""

from __future__ import annotations

import re
from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import make_provider, make_record, make_subject
from tests.factories.accounts import sign_in
from tests.factories.workflows import make_enterprise, make_officer, make_penalty, make_user
from xinyong import commitments, disclosure, repair
from xinyong.catalog import Catalog
from xinyong.cli.admin import served_at
from xinyong.config import Settings
from xinyong.enums import Role
from xinyong.web.app import create_app


def _row(html: str, decision_number: str) -> str:
    found = re.search(r"<tr>(?:(?!</tr>).)*" + re.escape(decision_number) + r".*?</tr>", html, re.S)
    assert found, decision_number
    return found.group(0)


def test_me_labels_each_record_by_its_disclosure_state_and_offers_repair_where_allowed(
    client: TestClient, session: Session, catalog: Catalog, today: date
) -> None:
    provider, subject = make_provider(session), make_subject(session)
    shown = make_penalty(session, subject, provider, decision_date=date(2026, 6, 1))
    expired = make_penalty(session, subject, provider, decision_date=date(2021, 3, 1))
    repaired = make_penalty(session, subject, provider, decision_date=date(2026, 5, 1))
    repaired.status = "repaired"
    withdrawn = make_penalty(session, subject, provider, decision_date=date(2026, 4, 1))
    withdrawn.status = "withdrawn"
    session.flush()
    states = disclosure.record_states(
        session, [shown, expired, repaired, withdrawn], catalog=catalog, today=today
    )
    assert [states[r.id].label for r in (shown, expired, repaired, withdrawn)] == [
        "公示中", "公示期满", "已修复", "未公开",
    ]  # fmt: skip
    _, username = make_user(session, Role.ENTERPRISE, subject=subject)
    sign_in(client, username)
    home = client.get("/me/").text
    for record, label in ((shown, "公示中"), (expired, "公示期满"), (repaired, "已修复"),
                          (withdrawn, "未公开")):  # fmt: skip
        row = _row(home, str(record.decision_number))
        assert label in row
        eligible = repair.check_eligibility(session, record, catalog=catalog, today=today).eligible
        assert ("申请信用修复" in row) == eligible, (label, eligible)
    assert "申请信用修复" in _row(home, str(shown.decision_number))
    assert "申请信用修复" not in _row(home, str(repaired.decision_number))
    assert "公示期满" in client.get(f"/me/records/{expired.id}").text


def test_commitment_breaches_have_their_own_section_on_the_public_page(
    client: TestClient, session: Session, catalog: Catalog, today: date
) -> None:
    provider, subject = make_provider(session), make_subject(session)
    signed = commitments.sign(
        session, subject, "approval_notified", actor=make_enterprise(session, subject),
        today=today, catalog=catalog, region_code="990100", acceptance_provider_id=provider.id,
    )  # fmt: skip
    commitments.record_verification(
        session, signed, fulfilment="全部未履行", unperformed="未补交消防验收材料",
        actor=make_officer(session, provider), today=today, catalog=catalog,
    )  # fmt: skip
    page = client.get(f"/subjects/{subject.code}").text
    assert 'href="#breaches">违诺信息（1）' in page
    section = page.split('<section id="breaches"')[1].split("</section>")[0]
    assert signed.code in section
    penalties = page.split('<section id="penalties"')[1].split("</section>")[0]
    assert signed.code not in penalties


def test_browser_errors_are_chinese_pages_and_the_api_keeps_json(
    client: TestClient, session: Session
) -> None:
    html = {"accept": "text/html"}
    missing = client.get("/admin/no-such-page", headers=html)
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("text/html")
    assert "您访问的页面不存在" in missing.text
    _, username = make_user(session, Role.ADMIN)
    sign_in(client, username)
    invalid = client.post("/admin/repairs/1/not-accept", data={}, headers=html)
    assert invalid.status_code == 422
    assert invalid.headers["content-type"].startswith("text/html")
    assert "请返回修改后重试" in invalid.text
    api = client.get("/api/v1/no-such-thing")
    assert api.status_code == 404
    assert api.json()["message"] == "您访问的页面不存在"


def test_admin_shows_chinese_titles_not_codes(client: TestClient, session: Session) -> None:
    _, username = make_user(session, Role.ADMIN)
    make_user(session, Role.PROVIDER_CLERK, provider=make_provider(session))
    sign_in(client, username)
    users = client.get("/admin/users").text
    assert "信用办管理员" in users
    assert "报送部门经办人" in users
    assert "<td>provider_clerk</td>" not in users
    catalog_page = client.get("/admin/catalog").text
    assert "严重失信主体名单" in catalog_page
    assert "<td>serious</td>" not in catalog_page


def test_the_credit_code_uses_the_public_base_url(
    session: Session, settings: Settings, client: TestClient
) -> None:
    subject = make_subject(session)
    make_record(session, subject)
    card = client.get(f"/subjects/{subject.code}/card").text
    assert f"http://testserver/subjects/{subject.code}" in card  # not configured: this server
    configured = settings.model_copy(update={"public_base_url": "https://xy.example.gov.cn/"})
    app = create_app(configured)
    app.dependency_overrides = client.app.dependency_overrides  # type: ignore[attr-defined]
    with TestClient(app) as other:
        text = other.get(f"/subjects/{subject.code}/card").text
    app.state.engine.dispose()
    assert f"https://xy.example.gov.cn/subjects/{subject.code}" in text
    assert served_at("0.0.0.0", 8130) == "http://127.0.0.1:8130"
    assert served_at("127.0.0.1", 8130) == "http://127.0.0.1:8130"


def test_a_records_versions_on_me_name_their_state_in_chinese(
    client: TestClient, session: Session
) -> None:
    subject = make_subject(session)
    record = make_penalty(session, subject, make_provider(session), decision_date=date(2026, 6, 1))
    _, username = make_user(session, Role.ENTERPRISE, subject=subject)
    sign_in(client, username)
    versions = client.get(f"/me/records/{record.id}").text.split("<ol>")[1].split("</ol>")[0]
    assert "第 1 版 · 有效" in versions
    assert "active" not in versions
