"""Users, passwords and page sessions; login throttling and the audit of failed logins.

Owns: password hashing (argon2), login sessions for pages (random token, only its hash stored),
the `LoginThrottle` (per account and per address) and `token_digest`, the one digest of a
presented secret (session tokens here, API keys in `auth.clients`).
Does not: decide business rules (domain modules) or read request state (web/deps.py does).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong import audit, clock
from xinyong.audit import Actor, AuditAction
from xinyong.auth.scope import require_role
from xinyong.db.tables import User, WebSession
from xinyong.enums import Role
from xinyong.errors import Conflict, InvalidInput, Unauthenticated, XinyongError

if TYPE_CHECKING:
    from limits import RateLimitItem

SESSION_HOURS = 12
MIN_PASSWORD_LENGTH = 8
_hasher = PasswordHasher()


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
        # `limits` imported here: ≈ 0.1 s of start-up that a command without logins never needs
        from limits import parse  # noqa: PLC0415
        from limits.storage import storage_from_string  # noqa: PLC0415
        from limits.strategies import MovingWindowRateLimiter  # noqa: PLC0415

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
    if clock.as_utc(web_session.expires_at) < now:
        return None
    return active_actor(user)


def active_actor(user: User | None) -> Actor | None:
    """The one rule of who may act as an account: its actor while the account exists and is
    active, None once it is deactivated (a page session, a queued background run)."""
    if user is None or not user.active:
        return None
    return actor_for_user(user)


def new_password() -> str:
    """A first password for a new account (16 URL-safe characters), shown once to whoever
    creates the account — the CLI prints it, the users page shows it — and never stored."""
    return secrets.token_urlsafe(12)


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
    credit_office: bool = False,
    actor: Actor,
) -> User:
    """A new account. A department's officer or clerk belongs to that department (its cases only,
    `scope.require_department`); an officer of the credit office itself says so (`credit_office`)
    and has none — an officer with neither is refused, as is one with both."""
    require_role(actor, Role.ADMIN)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(f"密码至少需要 {MIN_PASSWORD_LENGTH} 位")
    if find_user(session, username) is not None:
        raise Conflict(f"用户名“{username}”已存在", code="auth.user_exists")
    if role == Role.PROVIDER_CLERK and provider_id is None:
        raise InvalidInput("报送部门经办人必须属于一个报送部门", code="auth.provider_required")
    if role == Role.OFFICER and (provider_id is None) != credit_office:
        raise InvalidInput(
            "认定部门工作人员须选择所属部门；信用办本身的工作人员请选择“信用办”（二者只能选一）",
            code="auth.officer_department",
        )
    if credit_office and role != Role.OFFICER:
        raise InvalidInput("只有认定部门工作人员可以选择“信用办”", code="auth.officer_department")
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
        after={
            "username": username,
            "role": role.value,
            "provider_id": provider_id,
            **({"credit_office": True} if credit_office else {}),
        },
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
