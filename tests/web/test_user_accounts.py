"""Accounts after creation: deactivate / reactivate with a reason (a stopped user cannot sign in
and its sessions end), change one's own password with the old one, the office resets one; the
officer's department rule at creation; the pages and `xinyong users deactivate|activate|password`.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tests.cli import on_session
from tests.factories import make_provider
from tests.factories.workflows import make_user
from xinyong import auth, clock
from xinyong.audit import Actor, AuditAction
from xinyong.auth import accounts
from xinyong.cli import app as cli_app
from xinyong.db.tables import AuditEntry, User, WebSession
from xinyong.enums import Role
from xinyong.errors import Conflict, Forbidden, InvalidInput

SYSTEM = Actor.system("测试")


def _user(session: Session, actor: Actor) -> User:
    user = session.get(User, actor.id)
    assert user is not None
    return user


def _active(user: User) -> bool:
    return bool(user.active)


def _actions(session: Session, user: User) -> list[str]:
    stmt = select(AuditEntry.action).where(
        AuditEntry.target_type == "user", AuditEntry.target_id == str(user.id)
    )
    return list(session.execute(stmt).scalars())


def test_deactivated_user_cannot_log_in_and_loses_its_sessions(session: Session) -> None:
    admin, _ = make_user(session, Role.ADMIN)
    clerk_actor, name = make_user(session, Role.AUDITOR)
    clerk = _user(session, clerk_actor)
    _, token = auth.log_in(session, name, "password123", now=clock.now())
    with pytest.raises(InvalidInput):
        accounts.set_active(session, clerk, False, " ", actor=admin)
    with pytest.raises(Forbidden):
        accounts.set_active(session, clerk, False, "调岗", actor=clerk_actor)
    accounts.set_active(session, clerk, False, "调离岗位", actor=admin)
    assert auth.actor_for_session_token(session, token, now=clock.now()) is None
    assert not session.execute(select(WebSession).where(WebSession.user_id == clerk.id)).first()
    with pytest.raises(auth.LoginFailed):
        auth.log_in(session, name, "password123", now=clock.now())
    with pytest.raises(Conflict):
        accounts.set_active(session, clerk, False, "再次", actor=admin)
    accounts.set_active(session, clerk, True, "回到岗位", actor=admin)
    auth.log_in(session, name, "password123", now=clock.now())
    assert AuditAction.USER_DEACTIVATED in _actions(session, clerk)
    assert AuditAction.USER_ACTIVATED in _actions(session, clerk)


def test_an_admin_cannot_stop_their_own_account(session: Session) -> None:
    admin, _ = make_user(session, Role.ADMIN)
    with pytest.raises(Forbidden):
        accounts.set_active(session, _user(session, admin), False, "误操作", actor=admin)


def test_own_password_change_needs_the_old_one_and_ends_other_sessions(session: Session) -> None:
    actor, name = make_user(session, Role.OFFICER)
    user = _user(session, actor)
    _, here = auth.log_in(session, name, "password123", now=clock.now())
    _, elsewhere = auth.log_in(session, name, "password123", now=clock.now())
    with pytest.raises(InvalidInput):
        accounts.change_password(session, user, "wrong-one", "new-secret-1", actor=actor)
    with pytest.raises(auth.WeakPassword):
        accounts.change_password(session, user, "password123", "short", actor=actor)
    other, _ = make_user(session, Role.ADMIN)
    with pytest.raises(Forbidden):  # not even the office changes it this way
        accounts.change_password(session, user, "password123", "new-secret-1", actor=other)
    accounts.change_password(session, user, "password123", "new-secret-1", actor=actor,
                             keep_token=here)  # fmt: skip
    assert auth.actor_for_session_token(session, here, now=clock.now()) is not None
    assert auth.actor_for_session_token(session, elsewhere, now=clock.now()) is None
    auth.log_in(session, name, "new-secret-1", now=clock.now())
    assert AuditAction.USER_PASSWORD_CHANGED in _actions(session, user)


def test_the_office_resets_a_password(session: Session) -> None:
    admin, _ = make_user(session, Role.ADMIN)
    actor, name = make_user(session, Role.AUDITOR)
    user = _user(session, actor)
    with pytest.raises(Forbidden):
        accounts.reset_password(session, user, "忘记", actor=actor)
    password = accounts.reset_password(session, user, "本人忘记密码", actor=admin)
    auth.log_in(session, name, password, now=clock.now())
    assert AuditAction.USER_PASSWORD_RESET in _actions(session, user)


def test_an_officer_belongs_to_a_department_or_to_the_credit_office(session: Session) -> None:
    dept = make_provider(session, name="示范区建号规则局")
    with pytest.raises(InvalidInput):
        auth.create_user(session, "o-none", "password123", Role.OFFICER, actor=SYSTEM)
    with pytest.raises(InvalidInput):
        auth.create_user(session, "o-both", "password123", Role.OFFICER, provider_id=dept.id,
                         credit_office=True, actor=SYSTEM)  # fmt: skip
    with pytest.raises(InvalidInput):
        auth.create_user(session, "a-office", "password123", Role.AUDITOR, credit_office=True,
                         actor=SYSTEM)  # fmt: skip
    office = auth.create_user(session, "o-office", "password123", Role.OFFICER,
                              credit_office=True, actor=SYSTEM)  # fmt: skip
    assert office.provider_id is None
    assert auth.create_user(session, "o-dept", "password123", Role.OFFICER, provider_id=dept.id,
                            actor=SYSTEM).provider_id == dept.id  # fmt: skip


def _sign_in(client: TestClient, username: str, password: str = "password123") -> int:
    return client.post("/admin/login", data={"username": username, "password": password},
                       follow_redirects=False).status_code  # fmt: skip


def test_pages_deactivate_reset_and_change_password(client: TestClient, session: Session) -> None:
    _, admin_name = make_user(session, Role.ADMIN)
    target_actor, target = make_user(session, Role.AUDITOR)
    user = _user(session, target_actor)
    assert _sign_in(client, admin_name) == 303
    listing = client.get("/admin/users").text
    assert f'href="/admin/users/{user.id}"' in listing
    assert "信用办（信用办本身的认定工作人员）" in listing
    page = client.get(f"/admin/users/{user.id}")
    assert page.status_code == 200
    assert 'id="deactivate"' in page.text
    refused = client.post(f"/admin/users/{user.id}/deactivate", data={"reason": ""})
    assert refused.status_code == 422
    assert "请填写理由" in refused.text
    done = client.post(f"/admin/users/{user.id}/deactivate", data={"reason": "调离岗位"})
    assert done.status_code == 200
    assert 'id="user-done"' in done.text
    assert user.active is False
    reset = client.post(f"/admin/users/{user.id}/password", data={"reason": "忘记密码"})
    password = reset.text.split('<code id="new-password">')[1].split("</code>")[0]
    client.post(f"/admin/users/{user.id}/activate", data={"reason": "回到岗位"})
    client.post("/admin/logout")
    assert _sign_in(client, target, password) == 303
    form = client.get("/admin/password")
    assert form.status_code == 200
    assert 'id="change-password"' in form.text
    mismatch = client.post("/admin/password", data={"old": password, "new": "abcdefgh1",
                                                     "again": "abcdefgh2"})  # fmt: skip
    assert "两次输入的新密码不一致" in mismatch.text
    changed = client.post("/admin/password", data={"old": password, "new": "abcdefgh1",
                                                    "again": "abcdefgh1"})  # fmt: skip
    assert 'id="password-done"' in changed.text
    assert client.get("/admin/password").status_code == 200  # this session stays signed in
    assert auth.password_matches(user.password_hash, "abcdefgh1")


def test_cli_deactivates_activates_and_resets(
    monkeypatch: pytest.MonkeyPatch, session: Session
) -> None:
    actor, name = make_user(session, Role.AUDITOR)
    user = _user(session, actor)

    on_session(monkeypatch, session)
    runner = CliRunner()
    stopped = runner.invoke(cli_app, ["users", "deactivate", name, "--reason", "离职"])
    assert stopped.exit_code == 0, stopped.output
    assert not _active(user)
    missing = runner.invoke(cli_app, ["users", "deactivate", "nobody-here", "--reason", "离职"])
    assert isinstance(missing.exception, accounts.UserNotFound)  # `xinyong` prints its message
    assert runner.invoke(cli_app, ["users", "activate", name, "--reason", "返岗"]).exit_code == 0
    assert _active(user)
    reset = runner.invoke(cli_app, ["users", "password", name, "--reason", "忘记密码"])
    assert reset.exit_code == 0, reset.output
    password = reset.stdout.split("password: ")[1].strip()
    auth.log_in(session, name, password, now=clock.now())
