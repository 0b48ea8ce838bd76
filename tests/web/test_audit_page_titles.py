"""/admin/audit and /me/queries show Chinese titles (actions, objects, surfaces) and the subject
read, not internal codes and row ids."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import make_subject
from tests.factories.workflows import make_user
from xinyong import audit, signing
from xinyong.audit import Actor
from xinyong.config import Settings
from xinyong.enums import Role


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    key = tmp_path / "keys" / "office-sm2.pem"
    signing.ensure_key(key)
    return settings.model_copy(update={"signing_key": key})


def test_the_audit_page_names_actions_objects_surfaces_and_subjects(
    client: TestClient, session: Session
) -> None:
    subject = make_subject(session, name="示范区审计标题有限公司")
    officer = Actor(kind="user", id=3, label="履职人员甲", role=Role.OFFICER)
    audit.log_query(session, officer, subject.id, purpose="行政许可审查", surface="bank",
                    basis="duty")  # fmt: skip
    audit.record(session, officer, audit.AuditAction.REPORT_REVOKED, target_type="report",
                 target_id="20261123000000000000001", reason="领域选错")  # fmt: skip
    _, auditor = make_user(session, Role.AUDITOR)
    client.post("/admin/login", data={"username": auditor, "password": "password123"})
    page = client.get("/admin/audit").text
    assert "撤销信用报告" in page
    assert "信用报告 20261123000000000000001" in page
    assert f"示范区审计标题有限公司（{subject.code}）" in page
    assert "金融机构工作台" in page
    assert "<td>bank</td>" not in page


def test_the_reports_page_names_the_subject(client: TestClient, session: Session) -> None:
    subject = make_subject(session, name="示范区报告列表有限公司")
    _, admin = make_user(session, Role.ADMIN)
    client.post("/admin/login", data={"username": admin, "password": "password123"})
    pdf = client.post("/reports/request", data={"code": subject.code, "kind": "public"})
    assert pdf.status_code == 200
    page = client.get("/admin/reports").text
    assert f"示范区报告列表有限公司（{subject.code}）" in page
