"""Users, passwords, sessions, API keys, roles and provider scope."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from tests.factories import make_provider
from xinyong import auth
from xinyong.audit import Actor
from xinyong.enums import Role
from xinyong.errors import Conflict, Forbidden, InvalidInput, Unauthenticated

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_password_is_hashed_with_argon2_and_login_opens_a_session(
    session: Session, operator: Actor
) -> None:
    user = auth.create_user(session, "wang", "correct horse", Role.AUDITOR, actor=operator)
    assert user.password_hash.startswith("$argon2")
    _user, token = auth.log_in(session, "wang", "correct horse", now=NOW)
    actor = auth.actor_for_session_token(session, token, now=NOW)
    assert actor is not None
    assert actor.role == Role.AUDITOR


def test_wrong_password_is_refused_in_chinese(session: Session, operator: Actor) -> None:
    auth.create_user(session, "li", "correct horse", Role.AUDITOR, actor=operator)
    with pytest.raises(Unauthenticated, match="用户名或密码不正确"):
        auth.log_in(session, "li", "wrong horse", now=NOW)


def test_session_expires(session: Session, operator: Actor) -> None:
    auth.create_user(session, "zhao", "correct horse", Role.AUDITOR, actor=operator)
    _user, token = auth.log_in(session, "zhao", "correct horse", now=NOW)
    later = NOW + timedelta(hours=auth.SESSION_HOURS + 1)
    assert auth.actor_for_session_token(session, token, now=later) is None


def test_duplicate_username_and_weak_password_are_refused(
    session: Session, operator: Actor
) -> None:
    auth.create_user(session, "qian", "correct horse", Role.AUDITOR, actor=operator)
    with pytest.raises(Conflict):
        auth.create_user(session, "qian", "correct horse", Role.AUDITOR, actor=operator)
    with pytest.raises(InvalidInput):
        auth.create_user(session, "sun", "short", Role.AUDITOR, actor=operator)


def test_clerk_needs_a_provider_and_enterprise_needs_a_subject(
    session: Session, operator: Actor
) -> None:
    with pytest.raises(InvalidInput):
        auth.create_user(session, "clerk1", "correct horse", Role.PROVIDER_CLERK, actor=operator)
    with pytest.raises(InvalidInput):
        auth.create_user(session, "ent1", "correct horse", Role.ENTERPRISE, actor=operator)


def test_api_key_is_shown_once_and_stored_hashed(session: Session, operator: Actor) -> None:
    client, key = auth.create_api_client(session, "政府采购系统", Role.SYSTEM, actor=operator)
    assert key not in client.key_hash
    actor = auth.actor_for_api_key(session, key)
    assert actor is not None
    assert actor.kind == "api_client"
    assert auth.actor_for_api_key(session, key + "x") is None


def test_only_admin_creates_users(session: Session, operator: Actor) -> None:
    clerk = Actor(kind="user", id=5, label="x", role=Role.PROVIDER_CLERK, provider_id=1)
    with pytest.raises(Forbidden):
        auth.create_user(session, "a", "correct horse", Role.AUDITOR, actor=clerk)


def test_provider_scope(session: Session) -> None:
    mine = make_provider(session, name="甲局")
    other = make_provider(session, name="乙局")
    clerk = Actor(kind="user", id=5, label="x", role=Role.PROVIDER_CLERK, provider_id=mine.id)
    auth.require_provider_scope(clerk, mine.id)
    with pytest.raises(Forbidden):
        auth.require_provider_scope(clerk, other.id)
