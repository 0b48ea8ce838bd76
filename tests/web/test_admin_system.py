"""/admin/system: the credit office sees the doctor's checks, the versions, the uptime and the
report slots; a department's officer is refused."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import make_provider
from tests.factories.workflows import make_user
from xinyong import doctor, signing
from xinyong.config import Settings
from xinyong.enums import Role

HTML = {"Accept": "text/html"}


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    key = tmp_path / "keys" / "office.pem"
    signing.ensure_key(key)
    return settings.model_copy(update={"data_dir": tmp_path, "signing_key": key})


def test_the_admin_sees_every_check_as_the_command_gives_it(
    client: TestClient, session: Session, settings: Settings
) -> None:
    _, username = make_user(session, Role.ADMIN)
    client.post("/admin/login", data={"username": username, "password": "password123"})
    page = client.get("/admin/system", headers=HTML)
    assert page.status_code == 200, page.text
    for check in doctor.run_all(settings, session):
        row = page.text.split(f'id="check-{check.key}"')[1].split("</tr>")[0]
        assert check.title in row
        assert check.status.label in row
    assert "Python" in page.text
    assert "本服务进程已运行" in page.text
    assert 'id="slots"' in page.text


def test_a_credit_office_officer_may_a_departments_may_not(
    client: TestClient, session: Session
) -> None:
    _, office = make_user(session, Role.OFFICER)  # no department: the credit office's own
    client.post("/admin/login", data={"username": office, "password": "password123"})
    assert client.get("/admin/system", headers=HTML).status_code == 200
    client.cookies.clear()
    _, department = make_user(session, Role.OFFICER, provider=make_provider(session))
    client.post("/admin/login", data={"username": department, "password": "password123"})
    refused = client.get("/admin/system", headers=HTML)
    assert refused.status_code == 403
    assert "系统状态只对信用办开放" in refused.text


def test_the_keyring_is_listed_with_what_each_key_is_trusted_for(
    client: TestClient, session: Session, settings: Settings
) -> None:
    from xinyong import keyring  # noqa: PLC0415
    from xinyong.audit import Actor  # noqa: PLC0415

    peer = signing.generate_key().public_key
    pem = settings.data_dir / "province.pub.pem"
    pem.write_bytes(peer.public_pem())
    keyring.trust(session, settings.signing_key_path, pem, name="某省信用平台",
                  purposes=frozenset({keyring.Purpose.PACKAGES}), actor=Actor.system("测试"),
                  now=datetime(2026, 11, 30, tzinfo=UTC))  # fmt: skip
    stray = settings.signing_key_path.parent / "dropped.pub.pem"
    stray.write_bytes(signing.generate_key().public_key.public_pem())
    _, username = make_user(session, Role.ADMIN)
    client.post("/admin/login", data={"username": username, "password": "password123"})
    page = client.get("/admin/system", headers=HTML)
    assert page.status_code == 200, page.text
    row = page.text.split(f'id="key-{peer.key_id}"')[1].split("</tr>")[0]
    assert "某省信用平台" in row
    assert "交换包" in row
    assert "信用报告" not in row
    assert "dropped.pub.pem" in page.text.split('id="keyring-strays"')[1]
