"""/admin/users: the credit office creates accounts on the page (no `xinyong users create`)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import make_provider, make_subject
from tests.factories.workflows import make_user
from xinyong import audit, auth
from xinyong.audit import AuditAction
from xinyong.enums import Role


def _admin(client: TestClient, session: Session) -> None:
    _, username = make_user(session, Role.ADMIN)
    client.post("/admin/login", data={"username": username, "password": "password123"})


def test_the_office_creates_an_officer_who_can_then_log_in(
    client: TestClient, session: Session
) -> None:
    dept = make_provider(session, name="示范区页面建号局")
    _admin(client, session)
    page = client.get("/admin/users").text
    assert "新建用户" in page
    assert "xinyong users create" not in page
    made = client.post(
        "/admin/users",
        data={
            "username": "page-officer-1",
            "role": "officer",
            "display_name": "页面认定员",
            "department": dept.uscc,
        },
    )
    assert made.status_code == 200, made.text
    assert 'id="created-user"' in made.text
    assert "认定部门工作人员" in made.text
    password = made.text.split('<code id="new-password">')[1].split("</code>")[0]
    assert len(password) >= auth.MIN_PASSWORD_LENGTH
    user = auth.find_user(session, "page-officer-1")
    assert user is not None
    assert user.provider_id == dept.id
    assert user.role == Role.OFFICER
    assert auth.password_matches(user.password_hash, password)
    assert password not in client.get("/admin/users").text  # shown once
    (entry, *_) = audit.list_audit(session, limit=1)
    assert entry.action == AuditAction.USER_CREATED
    client.post("/admin/logout")
    login = client.post(
        "/admin/login",
        follow_redirects=False,
        data={"username": "page-officer-1", "password": password},
    )
    assert login.status_code == 303


def test_refusals_come_back_beside_the_form(client: TestClient, session: Session) -> None:
    _admin(client, session)
    no_subject = client.post("/admin/users", data={"username": "page-ent-1", "role": "enterprise"})
    assert no_subject.status_code == 422
    assert "企业账户必须绑定一个信用主体" in no_subject.text
    assert 'value="page-ent-1"' in no_subject.text
    bank = client.post("/admin/users", data={"username": "page-bank-1", "role": "bank"})
    assert bank.status_code == 422
    assert 'id="user-error"' in bank.text
    subject = make_subject(session, name="页面建号企业有限公司")
    ok = client.post(
        "/admin/users",
        data={"username": "page-ent-1", "role": "enterprise", "subject": subject.code},
    )
    assert ok.status_code == 200, ok.text
    again = client.post("/admin/users", data={"username": "page-ent-1", "role": "auditor"})
    assert again.status_code == 409
    assert "已存在" in again.text
