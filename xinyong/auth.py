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
    )


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


# ---- API clients: scopes, rate limits, rotation, revocation (issue 11) -----------------------

# scope → the role its calls act with (a client with several scopes acts per call)
CLIENT_SCOPES: dict[str, tuple[Role, str]] = {
    "check": (Role.SYSTEM, "联合奖惩核查"),
    "screen": (Role.SYSTEM, "名单比对"),
    "batches": (Role.PROVIDER_CLERK, "数据报送"),
}
# API path prefix → the scope it needs
SCOPE_PATHS = (
    ("/api/v1/checks", "check"),
    ("/api/v1/screenings", "screen"),
    ("/api/v1/batches", "batches"),
)
LAST_USED_EVERY = timedelta(seconds=60)  # last_used_at is written at most once a minute


class ClientNotFound(InvalidInput):
    code = "auth.client_not_found"
    status = 404


def scope_for_path(path: str) -> str | None:
    return next((scope for prefix, scope in SCOPE_PATHS if path.startswith(prefix)), None)


def parse_scopes(text: str | Iterable[str]) -> list[str]:
    items = text.split(",") if isinstance(text, str) else list(text)
    scopes = sorted({s.strip() for s in items if s.strip()})
    unknown = [s for s in scopes if s not in CLIENT_SCOPES]
    if not scopes or unknown:
        valid = "、".join(f"{k}（{v[1]}）" for k, v in CLIENT_SCOPES.items())
        raise InvalidInput(
            f"权限范围“{'、'.join(unknown) or '空'}”无效，可选：{valid}", code="auth.bad_scope"
        )
    return scopes


def client_key_actor(
    session: Session, key: str, path: str, *, now: datetime, request_id: str | None = None
) -> Actor | None:
    """The actor an API key acts as on `path`: None for an unknown or revoked key.

    The call is counted against the client's rate limit, its scope checked, and last_used_at
    kept (at most one write a minute). Checks log the returned actor: every use names the client.
    """
    from xinyong import ratelimit  # noqa: PLC0415

    client = session.execute(
        select(ApiClient).where(ApiClient.key_hash == token_digest(key))
    ).scalar_one_or_none()
    if client is None or not client.active or client.revoked_at is not None:
        return None
    scope = scope_for_path(path)
    scopes = list(client.scopes or [])
    if scope is not None and scopes and scope not in scopes:
        raise Forbidden(
            f"接口密钥“{client.name}”未开通{CLIENT_SCOPES[scope][1]}（{scope}）权限",
            code="auth.scope_missing",
        )
    ratelimit.hit(f"client:{client.id}", client.rate_limit or "120/minute")
    last = client.last_used_at
    if last is not None and last.tzinfo is None:
        last = last.replace(tzinfo=UTC)
    if last is None or now - last >= LAST_USED_EVERY:
        client.last_used_at = now
        session.flush()
    actor = actor_for_client(client, request_id=request_id)
    if scope is not None and scopes:
        role = CLIENT_SCOPES[scope][0]
        return Actor(
            kind=actor.kind,
            id=actor.id,
            label=actor.label,
            role=role,
            provider_id=actor.provider_id,
            request_id=request_id,
        )
    return actor


def list_clients(session: Session) -> list[ApiClient]:
    return list(session.execute(select(ApiClient).order_by(ApiClient.id)).scalars())


def find_client(session: Session, name: str) -> ApiClient:
    client = (
        session.execute(
            select(ApiClient).where(ApiClient.name == name).order_by(ApiClient.id.desc())
        )
        .scalars()
        .first()
    )
    if client is None:
        raise ClientNotFound(f"没有名为“{name}”的接口客户端")
    return client


def _new_key() -> tuple[str, str]:
    prefix = secrets.token_hex(4)
    return prefix, f"xy_{prefix}_{secrets.token_urlsafe(32)}"


def add_client(
    session: Session,
    name: str,
    scopes: str | Iterable[str],
    *,
    provider_id: int | None = None,
    rate_limit: str = "120/minute",
    actor: Actor,
) -> tuple[ApiClient, str]:
    """Register a business system with scopes and a rate limit; the key is returned once."""
    from xinyong import ratelimit  # noqa: PLC0415

    require_role(actor, Role.ADMIN)
    wanted = parse_scopes(scopes)
    ratelimit.parse_limit(rate_limit)
    if not name.strip():
        raise InvalidInput("请填写客户端名称", code="auth.client_name")
    if any(c.name == name and c.revoked_at is None for c in list_clients(session)):
        raise Conflict(f"接口客户端“{name}”已存在", code="auth.client_exists")
    if "batches" in wanted and provider_id is None:
        raise InvalidInput(
            "开通数据报送（batches）须指定所属报送部门（--provider）", code="auth.provider_required"
        )
    role = Role.SYSTEM if {"check", "screen"} & set(wanted) else Role.PROVIDER_CLERK
    client, key = create_api_client(session, name, role, provider_id=provider_id, actor=actor)
    client.scopes, client.rate_limit = wanted, rate_limit
    session.flush()
    return client, key


def rotate_client_key(
    session: Session, name: str, *, now: datetime, actor: Actor
) -> tuple[ApiClient, str]:
    """A new key for the client; the old one stops working at once. Returned once."""
    require_role(actor, Role.ADMIN)
    client = find_client(session, name)
    if client.revoked_at is not None:
        raise Conflict(f"接口客户端“{name}”已停用，不能更换密钥", code="auth.client_revoked")
    prefix, key = _new_key()
    client.key_prefix, client.key_hash, client.rotated_at = prefix, token_digest(key), now
    session.flush()
    audit.record(
        session,
        actor,
        AuditAction.API_CLIENT_ROTATED,
        target_type="api_client",
        target_id=client.id,
        after={"prefix": prefix},
    )
    return client, key


def revoke_client(session: Session, name: str, *, now: datetime, actor: Actor) -> ApiClient:
    """Stop a client's key (kept for the record: the check log still names it)."""
    require_role(actor, Role.ADMIN)
    client = find_client(session, name)
    if client.revoked_at is None:
        client.active, client.revoked_at = False, now
        session.flush()
        audit.record(
            session,
            actor,
            AuditAction.API_CLIENT_REVOKED,
            target_type="api_client",
            target_id=client.id,
            after={"name": client.name},
        )
    return client


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
    actor: Actor,
) -> tuple[ApiClient, str]:
    """Register a business system, provider system or bank; the key is shown once, never stored."""
    require_role(actor, Role.ADMIN)
    if role == Role.PROVIDER_CLERK and provider_id is None:
        raise InvalidInput("报送接口必须属于一个报送部门", code="auth.provider_required")
    prefix, key = _new_key()
    client = ApiClient(
        name=name,
        key_prefix=prefix,
        key_hash=token_digest(key),
        role=role.value,
        provider_id=provider_id,
        active=True,
    )
    session.add(client)
    session.flush()
    audit.record(
        session,
        actor,
        AuditAction.API_CLIENT_CREATED,
        target_type="api_client",
        target_id=client.id,
        after={"name": name, "role": role.value, "provider_id": provider_id, "prefix": prefix},
    )
    return client, key
