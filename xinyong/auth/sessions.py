"""Users, roles, sessions and API keys; the `Actor` every action receives.

Owns: password hashing (argon2), login sessions for pages (random token, only its hash stored),
API keys for business systems (shown once, only the SHA-256 stored), role and provider-scope
checks, login throttling (per account and per address) and the audit of failed logins.
Does not: decide business rules (domain modules) or read request state (web/deps.py does).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError
from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from xinyong import audit
from xinyong.audit import Actor, AuditAction
from xinyong.db.tables import ApiClient, User, WebSession
from xinyong.enums import Role
from xinyong.errors import Conflict, Forbidden, InvalidInput, Unauthenticated, XinyongError

SESSION_HOURS = 12
MIN_PASSWORD_LENGTH = 8
_hasher = PasswordHasher()

__all__ = ["Actor", "actor_for_user"]


class LoginFailed(Unauthenticated):
    code = "auth.login_failed"


class WeakPassword(InvalidInput):
    code = "auth.weak_password"


class LoginLocked(XinyongError):
    """Too many failed logins for this account or from this address (429)."""

    code = "auth.login_locked"
    status = 429


class LoginThrottle:
    """Failed logins counted per account and per address over a moving window (`limits`).

    In memory, per server process: a restart forgets the counts, which only shortens a lock.
    Past ACCOUNT_LIMIT failures for one username, or ADDRESS_LIMIT from one address, within
    WINDOW, every login for that account or from that address is refused — the right password
    included — until the window has moved on. A successful login clears the account's count.
    """

    WINDOW_MINUTES = 15
    ACCOUNT_LIMIT = 10
    ADDRESS_LIMIT = 50

    def __init__(self, storage_uri: str = "memory://") -> None:
        self._limiter = MovingWindowRateLimiter(storage_from_string(storage_uri))
        self._account = parse(f"{self.ACCOUNT_LIMIT}/{self.WINDOW_MINUTES} minutes")
        self._address = parse(f"{self.ADDRESS_LIMIT}/{self.WINDOW_MINUTES} minutes")

    def _keys(self, username: str, address: str) -> list[tuple[RateLimitItem, str, str]]:
        return [
            (self._account, "account", username.strip().casefold()),
            (self._address, "address", address),
        ]

    def check(self, username: str, address: str) -> None:
        """Raise LoginLocked when the account or the address is locked (nothing is counted)."""
        for item, kind, key in self._keys(username, address):
            if not self._limiter.test(item, kind, key):
                raise LoginLocked(
                    f"登录失败次数过多，{'该账户' if kind == 'account' else '您所在的网络地址'}"
                    f"已被暂时锁定。请 {self.WINDOW_MINUTES} 分钟后再试；"
                    "如忘记密码，请联系信用办管理员重置。",
                    details={"locked": kind, "minutes": self.WINDOW_MINUTES},
                )

    def failed(self, username: str, address: str) -> None:
        for item, kind, key in self._keys(username, address):
            self._limiter.hit(item, kind, key)

    def succeeded(self, username: str) -> None:
        self._limiter.clear(self._account, "account", username.strip().casefold())


@cache
def _dummy_hash() -> str:
    """A hash to verify against when the username is unknown: the answer takes as long."""
    return _hasher.hash(secrets.token_urlsafe(16))


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


# The one API-key lookup: the sync path runs it on a session, the joint check's fast path
# compiles it once for psycopg (`measures.fast`); both turn the row into an actor here.
API_KEY_STATEMENT = select(
    ApiClient.id, ApiClient.name, ApiClient.role, ApiClient.provider_id, ApiClient.active
).where(ApiClient.key_hash == bindparam("key_hash"))


def api_key_params(key: str) -> dict[str, str]:
    """The parameters of `API_KEY_STATEMENT` for a presented key (only its digest is stored)."""
    return {"key_hash": token_digest(key)}


def actor_for_key_row(row: Any) -> Actor | None:
    """The actor of an `API_KEY_STATEMENT` row (id, name, role, provider_id, active), None when
    there is no row or the client is deactivated."""
    if row is None or not row[4]:
        return None
    return Actor("api_client", row[0], f"接口:{row[1]}", Role(row[2]), row[3])


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


def require_enterprise_account(actor: Actor) -> int:
    """The subject an enterprise account acts for: a signed-in user of role enterprise bound to
    one subject (an API client of that role, or an unbound user, has no self-service)."""
    require_role(actor, Role.ENTERPRISE)
    if actor.kind != "user" or actor.subject_id is None:
        raise Forbidden(
            "企业自助服务只对绑定本企业的企业账户开放，请以企业账户登录",
            code="auth.subject_required",
        )
    return actor.subject_id


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
    return actor_for_key_row(session.execute(API_KEY_STATEMENT, api_key_params(key)).first())


# ---- API clients: scopes, rate limits, rotation, revocation (issue 11) -----------------------

# scope → the role its calls act with (a client with several scopes acts per call)
CLIENT_SCOPES: dict[str, tuple[Role, str]] = {
    "check": (Role.SYSTEM, "联合奖惩核查"),
    "screen": (Role.SYSTEM, "名单比对"),
    "batches": (Role.PROVIDER_CLERK, "数据报送"),
    "exchange": (Role.SYSTEM, "信用信息交换（变更流）"),
}
SCOPES = {scope: title for scope, (_, title) in CLIENT_SCOPES.items()}
# API path prefix → the scope it needs
SCOPE_PATHS = (
    ("/api/v1/checks", "check"),
    ("/api/v1/screenings", "screen"),
    ("/api/v1/batches", "batches"),
    ("/api/v1/exchange", "exchange"),
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
    # keyed by the key's random prefix: row ids come back after a rollback, prefixes do not
    ratelimit.hit(f"client:{client.key_prefix}", client.rate_limit or "120/minute")
    last = client.last_used_at
    if last is not None and last.tzinfo is None:
        last = last.replace(tzinfo=UTC)
    if last is None or now - last >= LAST_USED_EVERY:
        client.last_used_at = now
        session.flush()
    actor = Actor(
        "api_client",
        client.id,
        f"接口:{client.name}",
        Role(client.role),
        client.provider_id,
        request_id=request_id,
        scopes=tuple(client.scopes or ()),
    )
    if scope is not None and scopes:
        role = CLIENT_SCOPES[scope][0]
        return Actor(
            kind=actor.kind,
            id=actor.id,
            label=actor.label,
            role=role,
            provider_id=actor.provider_id,
            request_id=request_id,
            scopes=actor.scopes,
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
    role = Role.SYSTEM if {"check", "screen", "exchange"} & set(wanted) else Role.PROVIDER_CLERK
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


def log_in(
    session: Session,
    username: str,
    password: str,
    *,
    now: datetime,
    throttle: LoginThrottle | None = None,
    address: str = "",
) -> tuple[User, str]:
    """Check the password and open a page session. Returns the user and the cookie token.

    The same work and the same answer whether or not the username exists (an unknown name is
    verified against a dummy hash). A failure is counted by `throttle` and audited in the
    caller's transaction — the caller that answers the failure commits it.
    """
    try:
        if throttle is not None:
            throttle.check(username, address)
    except LoginLocked:
        _audit_failure(session, username, address, None, "locked")
        raise
    user = find_user(session, username)
    matches = password_matches(user.password_hash if user else _dummy_hash(), password)
    if user is None or not user.active or not matches:
        if throttle is not None:
            throttle.failed(username, address)
        why = "unknown_user" if user is None else ("inactive" if not user.active else "password")
        _audit_failure(session, username, address, user, why)
        raise LoginFailed("用户名或密码不正确")
    if throttle is not None:
        throttle.succeeded(username)
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


def _audit_failure(
    session: Session, username: str, address: str, user: User | None, why: str
) -> None:
    attempt = Actor(kind="anonymous", id=None, label=f"登录尝试（{address or '未知地址'}）",
                    role=Role.SYSTEM)  # fmt: skip
    audit.record(
        session,
        attempt,
        AuditAction.USER_LOGIN_FAILED,
        target_type="user",
        target_id=user.id if user else None,
        after={"username": username[:100], "address": address, "reason": why},
    )


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
    prefix, key = _new_key()
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
