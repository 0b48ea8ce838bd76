"""/admin/audit/check-replay: the auditor rebuilds a logged joint check and compares digests."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import make_record, make_subject
from tests.factories.workflows import make_user
from xinyong import audit, measures
from xinyong.audit import Actor
from xinyong.catalog import Catalog
from xinyong.enums import Role

SYSTEM = Actor(kind="api_client", id=9, label="接口:招投标系统", role=Role.SYSTEM)


def test_auditor_replays_a_logged_check_from_the_audit_page(
    client: TestClient, session: Session, catalog: Catalog
) -> None:
    subject = make_subject(session, name="复核测试有限公司")
    make_record(session, subject, info_class="court_defaulter", decision_date=date(2026, 11, 2))
    ans = measures.check(session, subject.code, "bidding", catalog=catalog, actor=SYSTEM,
                         today=date(2026, 11, 23))  # fmt: skip
    _, auditor = make_user(session, Role.AUDITOR)
    client.post("/admin/login", data={"username": auditor, "password": "password123"})
    assert "/admin/audit/check-replay" in client.get("/admin/audit").text
    page = client.get("/admin/audit/check-replay", params={"log_id": ans.check_id})
    assert page.status_code == 200
    assert "digest matches" in page.text
    assert ans.check_id in page.text
    assert audit.jsonable(ans.as_dict())["hits"][0]["list_title"] in page.text
    missing = client.get("/admin/audit/check-replay", params={"log_id": "f" * 32})
    assert "未找到核查" in missing.text
