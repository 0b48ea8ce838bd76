"""Accounts after creation: deactivate and reactivate a user, change one's own password, reset
another's. Each is audited in the caller's transaction.

A deactivated user cannot sign in (`sessions.log_in` refuses an inactive account) and its open
page sessions end at once (deleted here; `actor_for_session_token` also refuses an inactive
user). API keys belong to systems (`api_clients`), not to users, and are revoked on /admin/clients.
A changed or reset password ends the user's other sessions: whoever knew the old one is out.
"""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.orm import Session

from xinyong import audit
from xinyong.audit import Actor, AuditAction
from xinyong.auth.clients import actor_for_key_row
from xinyong.auth.scope import require_role
from xinyong.auth.sessions import (
    MIN_PASSWORD_LENGTH,
    WeakPassword,
    active_actor,
    hash_password,
    new_password,
    password_matches,
    token_digest,
)
from xinyong.db.tables import ApiClient, User, WebSession
from xinyong.enums import Role
from xinyong.errors import Conflict, Forbidden, InvalidInput, NotFound


class UserNotFound(NotFound):
    code = "auth.user_not_found"


def get_user(session: Session, user_id: int, *, actor: Actor) -> User:
    """One account, for the credit office."""
    require_role(actor, Role.ADMIN)
    user = session.get(User, user_id)
    if user is None:
        raise UserNotFound(f"未找到编号为 {user_id} 的用户")
    return user


def actor_now(session: Session, actor: Actor) -> Actor | None:
    """Who `actor` is now, for work done later in their name (a queued background run): the
    user's actor with its current role and department while the account is active
    (`sessions.active_actor`), the API client's while it is neither deactivated nor revoked
    (`clients.actor_for_key_row`), None otherwise; the system acts as it is."""
    if actor.kind == "user" and actor.id is not None:
        return active_actor(session.get(User, actor.id))
    if actor.kind == "api_client" and actor.id is not None:
        return actor_for_key_row(session.get(ApiClient, actor.id))
    if actor.kind == "system":
        return actor
    return None


def _reason(reason: str) -> str:
    if not reason.strip():
        raise InvalidInput("请填写理由", code="auth.reason_required")
    return reason.strip()


def _end_sessions(session: Session, user: User, *, keep_token: str | None = None) -> None:
    stmt = delete(WebSession).where(WebSession.user_id == user.id)
    if keep_token is not None:
        stmt = stmt.where(WebSession.token_hash != token_digest(keep_token))
    session.execute(stmt)


def _audit(session: Session, actor: Actor, action: AuditAction, user: User, *,
           before: dict[str, object] | None = None, after: dict[str, object] | None = None,
           reason: str | None = None) -> None:  # fmt: skip
    audit.record(session, actor, action, target_type="user", target_id=user.id, before=before,
                 after={"username": user.username, **(after or {})}, reason=reason)  # fmt: skip


def set_active(session: Session, user: User, active: bool, reason: str, *, actor: Actor) -> User:
    """停用 / 重新启用 an account (the credit office, with a reason). An admin cannot stop their own
    account (the platform would be left without the one who can undo it)."""
    require_role(actor, Role.ADMIN)
    why = _reason(reason)
    if user.active == active:
        state = "启用" if active else "停用"
        raise Conflict(f"用户“{user.username}”已经是{state}状态", code="auth.user_state")
    if not active and actor.kind == "user" and actor.id == user.id:
        raise Forbidden("不能停用自己的账户", code="auth.self_deactivation")
    user.active = active
    if not active:
        _end_sessions(session, user)
    session.flush()
    action = AuditAction.USER_ACTIVATED if active else AuditAction.USER_DEACTIVATED
    _audit(session, actor, action, user, before={"active": not active}, after={"active": active},
           reason=why)  # fmt: skip
    return user


def _check_new(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(f"密码至少需要 {MIN_PASSWORD_LENGTH} 位")


def change_password(
    session: Session, user: User, old: str, new: str, *, actor: Actor,
    keep_token: str | None = None,
) -> User:  # fmt: skip
    """A signed-in user changes their own password, giving the current one. Their other page
    sessions end (`keep_token`: the session they changed it from stays open)."""
    if actor.kind != "user" or actor.id != user.id:
        raise Forbidden(
            "只能修改本人的密码；他人的密码由信用办管理员重置", code="auth.own_password"
        )
    if not password_matches(user.password_hash, old):
        raise InvalidInput("原密码不正确", code="auth.old_password")
    _check_new(new)
    if new == old:
        raise InvalidInput("新密码不能与原密码相同", code="auth.same_password")
    user.password_hash = hash_password(new)
    _end_sessions(session, user, keep_token=keep_token)
    session.flush()
    _audit(session, actor, AuditAction.USER_PASSWORD_CHANGED, user)
    return user


def reset_password(session: Session, user: User, reason: str, *, actor: Actor) -> str:
    """The credit office resets a password (forgotten, or suspected known to others): a new one is
    generated and returned once, never stored in clear; every session of the user ends."""
    require_role(actor, Role.ADMIN)
    why = _reason(reason)
    password = new_password()
    user.password_hash = hash_password(password)
    _end_sessions(session, user)
    session.flush()
    _audit(session, actor, AuditAction.USER_PASSWORD_RESET, user, reason=why)
    return password
