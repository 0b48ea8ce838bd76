"""/admin/system: the credit office sees the doctor's checks, the versions, the uptime and the
report slots; a department's officer is refused."""

from __future__ import annotations

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
