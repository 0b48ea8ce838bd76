"""Users, roles, sessions and API keys; the `Actor` every action receives.

Owns: password hashing (argon2), login sessions for pages (random token, only its hash stored),
API keys for business systems (shown once, only the SHA-256 stored), role and provider-scope
checks. Does not: decide business rules (domain modules) or read request state (web/deps.py does).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong import audit
from xinyong.audit import Actor, AuditAction
from xinyong.db.tables import ApiClient, User, WebSession
from xinyong.enums import Role
from xinyong.errors import Conflict, Forbidden, InvalidInput, Unauthenticated

SESSION_HOURS = 12
MIN_PASSWORD_LENGTH = 8
_hasher = PasswordHasher()

__all__ = ["Actor", "actor_for_user"]


class LoginFailed(Unauthenticated):
    code = "auth.login_failed"


class WeakPassword(InvalidInput):
    code = "auth.weak_password"


# ---- pure rules -------------------------------------------------------------------------------


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_matches(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, InvalidHashError):
        return False


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def actor_for_user(user: User, *, request_id: str | None = None) -> Actor:
    return Actor(
        kind="user",
        id=user.id,
        label=f"{user.display_name}（{user.username}）",
        role=Role(user.role),
        provider_id=user.provider_id,
        subject_id=user.subject_id,
        request_id=request_id,
    )


def actor_for_client(client: ApiClient, *, request_id: str | None = None) -> Actor:
    return Actor(
        kind="api_client",
        id=client.id,
        label=f"接口:{client.name}",
        role=Role(client.role),
        provider_id=client.provider_id,
        request_id=request_id,
        scopes=tuple(client.scopes or ()),
    )


SCOPES = {"exchange": "信用信息交换（变更流）"}


def require_scope(actor: Actor, scope: str) -> None:
    """Raise Forbidden unless the API key carries the scope (the system actor always passes)."""
    if actor.kind == "system" or scope in actor.scopes:
        return
    if actor.is_anonymous:
        raise Unauthenticated("此接口需要接口密钥", code="auth.api_key_required")
    raise Forbidden(f"此接口需要“{SCOPES[scope]}”权限的接口密钥", code="auth.scope_required")


def require_role(actor: Actor, *roles: Role) -> None:
    """Raise Forbidden unless the actor has one of the roles (the system actor always passes)."""
    if actor.kind == "system" or actor.role in roles:
        return
    names = "、".join(r.label for r in roles)
    raise Forbidden(f"此操作需要以下角色之一：{names}", code="auth.role_required")


DEPARTMENT_ROLES = (Role.OFFICER, Role.PROVIDER_CLERK)


def require_department(actor: Actor, provider_id: int | None, *, what: str) -> None:
    """Each department sees its own: an officer or clerk reads and handles only the cases routed
    to its department (`provider_id`); the credit office (admin) and the system see all. A case
    routed to no department belongs to the credit office. Every other role is refused."""
    if actor.kind == "system" or actor.role == Role.ADMIN:
        return
    require_role(actor, *DEPARTMENT_ROLES)
    if provider_id is None or actor.provider_id != provider_id:
        raise Forbidden(
            f"该{what}不属于本部门办理，无权查看",
            code="auth.department_scope",
            details={"provider_id": provider_id},
        )


def department_scope(actor: Actor) -> int | None:
    """The department whose cases a list query returns for the actor (None: every department).

    Officers and clerks without a department get -1, which matches no case."""
    if actor.kind == "system" or actor.role == Role.ADMIN:
        return None
    require_role(actor, *DEPARTMENT_ROLES)
    return actor.provider_id if actor.provider_id is not None else -1


def require_provider_scope(actor: Actor, provider_id: int) -> None:
    """A provider clerk (or provider API client) may act only for its own department."""
    if actor.kind == "system" or actor.role == Role.ADMIN:
        return
    if actor.provider_id != provider_id:
        raise Forbidden(
            "您只能以本单位名义报送或处理数据",
            code="auth.provider_scope",
            details={"provider_id": provider_id},
        )


# ---- queries ----------------------------------------------------------------------------------


def find_user(session: Session, username: str) -> User | None:
    return session.execute(select(User).where(User.username == username)).scalar_one_or_none()


def list_users(session: Session, roles: Iterable[Role] | None = None) -> list[User]:
    stmt = select(User).order_by(User.id)
    if roles is not None:
        stmt = stmt.where(User.role.in_([r.value for r in roles]))
    return list(session.execute(stmt).scalars())


def actor_for_session_token(session: Session, token: str, *, now: datetime) -> Actor | None:
    row = session.execute(
        select(WebSession, User)
        .join(User, User.id == WebSession.user_id)
        .where(WebSession.token_hash == token_digest(token))
    ).first()
    if row is None:
        return None
    web_session, user = row
    expires = web_session.expires_at
    if expires.tzinfo is None:
        expires = expires.replace(tzinfo=UTC)
    if expires < now or not user.active:
        return None
    return actor_for_user(user)


def actor_for_api_key(session: Session, key: str) -> Actor | None:
    client = session.execute(
        select(ApiClient).where(ApiClient.key_hash == token_digest(key))
    ).scalar_one_or_none()
    if client is None or not client.active:
        return None
    return actor_for_client(client)


# ---- actions ----------------------------------------------------------------------------------


def create_user(
    session: Session,
    username: str,
    password: str,
    role: Role,
    *,
    display_name: str | None = None,
    provider_id: int | None = None,
    subject_id: int | None = None,
    actor: Actor,
) -> User:
    require_role(actor, Role.ADMIN)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(f"密码至少需要 {MIN_PASSWORD_LENGTH} 位")
    if find_user(session, username) is not None:
        raise Conflict(f"用户名“{username}”已存在", code="auth.user_exists")
    if role == Role.PROVIDER_CLERK and provider_id is None:
        raise InvalidInput("报送部门经办人必须属于一个报送部门", code="auth.provider_required")
    if role == Role.ENTERPRISE and subject_id is None:
        raise InvalidInput("企业账户必须绑定一个信用主体", code="auth.subject_required")
    user = User(
        username=username,
        display_name=display_name or username,
        password_hash=hash_password(password),
        role=role.value,
        provider_id=provider_id,
        subject_id=subject_id,
        active=True,
    )
    session.add(user)
    session.flush()
    audit.record(
        session,
        actor,
        AuditAction.USER_CREATED,
        target_type="user",
        target_id=user.id,
        after={"username": username, "role": role.value, "provider_id": provider_id},
    )
    return user


def log_in(session: Session, username: str, password: str, *, now: datetime) -> tuple[User, str]:
    """Check the password and open a page session. Returns the user and the cookie token."""
    user = find_user(session, username)
    if user is None or not user.active or not password_matches(user.password_hash, password):
        raise LoginFailed("用户名或密码不正确")
    token = secrets.token_urlsafe(32)
    session.add(
        WebSession(
            token_hash=token_digest(token),
            user_id=user.id,
            expires_at=now + timedelta(hours=SESSION_HOURS),
        )
    )
    user.last_login_at = now
    session.flush()
    audit.record(
        session,
        actor_for_user(user),
        AuditAction.USER_LOGGED_IN,
        target_type="user",
        target_id=user.id,
    )
    return user, token


def log_out(session: Session, token: str) -> None:
    row = session.execute(
        select(WebSession).where(WebSession.token_hash == token_digest(token))
    ).scalar_one_or_none()
    if row is not None:
        session.delete(row)
        session.flush()


def create_api_client(
    session: Session,
    name: str,
    role: Role,
    *,
    provider_id: int | None = None,
    scopes: tuple[str, ...] = (),
    actor: Actor,
) -> tuple[ApiClient, str]:
    """Register a business system, provider system or bank; the key is shown once, never stored."""
    require_role(actor, Role.ADMIN)
    if unknown := [s for s in scopes if s not in SCOPES]:
        raise InvalidInput(f"未知的接口权限：{'、'.join(unknown)}", code="auth.unknown_scope")
    if role == Role.PROVIDER_CLERK and provider_id is None:
        raise InvalidInput("报送接口必须属于一个报送部门", code="auth.provider_required")
    prefix = secrets.token_hex(4)
    key = f"xy_{prefix}_{secrets.token_urlsafe(32)}"
    client = ApiClient(
        name=name,
        key_prefix=prefix,
        key_hash=token_digest(key),
        role=role.value,
        provider_id=provider_id,
        active=True,
        scopes=list(scopes),
    )
    session.add(client)
    session.flush()
    audit.record(
        session,
        actor,
        AuditAction.API_CLIENT_CREATED,
        target_type="api_client",
        target_id=client.id,
        after={
            "name": name,
            "role": role.value,
            "provider_id": provider_id,
            "prefix": prefix,
            "scopes": list(scopes),
        },
    )
    return client, key
