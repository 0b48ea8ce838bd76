"""After `xinyong keys rotate` the page and the API still answer 真实有效 for an earlier report."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import make_subject
from tests.factories.workflows import make_user
from xinyong import keyring, signing
from xinyong.audit import Actor
from xinyong.config import Settings
from xinyong.enums import Role

TODAY = date(2026, 11, 23)


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    key = tmp_path / "keys" / "office-sm2.pem"
    signing.ensure_key(key)
    return settings.model_copy(update={"signing_key": key, "data_dir": tmp_path, "today": TODAY})


def test_a_report_from_before_the_rotation_is_authentic_on_the_page_and_the_api(
    client: TestClient, session: Session, settings: Settings
) -> None:
    subject = make_subject(session, name="示范区轮换测试有限公司")
    pdf = client.post("/reports/request", data={"code": subject.code, "kind": "public"})
    assert pdf.status_code == 200
    done = keyring.rotate(session, settings.signing_key_path, actor=Actor.system("测试"),
                          now=datetime(2026, 11, 23, 9, tzinfo=UTC))  # fmt: skip
    assert f"% key-id: {done.old_key_id}".encode() in pdf.content
    page = client.post("/reports/verify", files={"file": ("r.pdf", pdf.content)})
    assert "真实有效" in page.text
    assert "有效（文件未被改动）" in page.text
    api = client.post("/api/v1/reports/verify", files={"file": ("r.pdf", pdf.content)}).json()
    assert api["verdict"] == "authentic"
    assert api["signature_ok"] is True
    altered = pdf.content.replace(b"/Producer", b"/Producex", 1)
    assert "已被改动" in client.post("/reports/verify", files={"file": ("r.pdf", altered)}).text
    bad = client.post("/api/v1/reports/verify", files={"file": ("r.pdf", altered)}).json()
    assert bad["verdict"] == "altered"
    fresh = client.post("/reports/request", data={"code": subject.code, "kind": "public"})
    assert f"% key-id: {done.new_key_id}".encode() in fresh.content
    again = client.post("/api/v1/reports/verify", files={"file": ("r.pdf", fresh.content)})
    assert again.json()["verdict"] == "authentic"


def test_the_auditor_sees_the_rotation_and_an_intact_chain(
    client: TestClient, session: Session, settings: Settings
) -> None:
    keyring.rotate(session, settings.signing_key_path, actor=Actor.system("测试"),
                   now=datetime(2026, 11, 23, 9, tzinfo=UTC))  # fmt: skip
    _, auditor = make_user(session, Role.AUDITOR)
    client.cookies.clear()
    form = {"username": auditor, "password": "password123", "next": "/admin/audit"}
    login = client.post("/admin/login", data=form, follow_redirects=False)
    assert login.status_code == 303
    page = client.get("/admin/audit?action=keyring.key.rotated").text
    assert "轮换信用办签名密钥" in page
    assert "审计链完整" in client.post("/admin/audit/verify").text
