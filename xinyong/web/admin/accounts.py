"""Accounts after creation: /admin/users/{user_id} (the credit office stops or restarts an account
with a reason, resets a password — shown once) and /admin/password (anyone signed in changes their
own password with the current one). Every form calls one `auth.accounts` action, audited; the
same actions as `xinyong users deactivate|activate|password`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from xinyong import auth
from xinyong.audit import Actor
from xinyong.auth import accounts
from xinyong.db.tables import User
from xinyong.enums import Role
from xinyong.errors import Unauthenticated, XinyongError
from xinyong.web.deps import SESSION_COOKIE, CurrentActor, DbSession, require
from xinyong.web.inputs import RowId
from xinyong.web.templating import templates

router = APIRouter(prefix="/admin", include_in_schema=False)
Admin = Annotated[Actor, Depends(require(Role.ADMIN))]
Reason = Annotated[str, Form(max_length=500)]
Secret = Annotated[str, Form(max_length=200)]


def _user_page(
    request: Request, session: Session, actor: Actor, user: User, *, status: int = 200,
    **extra: Any,
) -> HTMLResponse:  # fmt: skip
    context = {"actor": actor, "user": user, "error": None, "done": None, "password": None,
               **extra}  # fmt: skip
    return templates.TemplateResponse(request, "admin/user.html", context, status)


@router.get("/users/{user_id}", response_class=HTMLResponse)
def user_page(request: Request, session: DbSession, actor: Admin, user_id: RowId) -> HTMLResponse:
    return _user_page(request, session, actor, accounts.get_user(session, user_id, actor=actor))


def _set_active(
    request: Request, session: Session, actor: Actor, user_id: int, reason: str, active: bool
) -> HTMLResponse:
    user = accounts.get_user(session, user_id, actor=actor)
    try:
        with session.begin_nested():
            accounts.set_active(session, user, active, reason, actor=actor)
    except XinyongError as exc:
        session.refresh(user)
        return _user_page(request, session, actor, user, status=exc.status, error=exc.message)
    done = "账户已重新启用" if active else "账户已停用：该用户不能再登录，已登录的会话已结束"
    return _user_page(request, session, actor, user, done=done)


@router.post("/users/{user_id}/deactivate", response_class=HTMLResponse)
def deactivate(
    request: Request, session: DbSession, actor: Admin, user_id: RowId, reason: Reason = ""
) -> HTMLResponse:
    return _set_active(request, session, actor, user_id, reason, False)


@router.post("/users/{user_id}/activate", response_class=HTMLResponse)
def activate(
    request: Request, session: DbSession, actor: Admin, user_id: RowId, reason: Reason = ""
) -> HTMLResponse:
    return _set_active(request, session, actor, user_id, reason, True)


@router.post("/users/{user_id}/password", response_class=HTMLResponse)
def reset_password(
    request: Request, session: DbSession, actor: Admin, user_id: RowId, reason: Reason = ""
) -> HTMLResponse:
    user = accounts.get_user(session, user_id, actor=actor)
    try:
        with session.begin_nested():
            password = accounts.reset_password(session, user, reason, actor=actor)
    except XinyongError as exc:
        return _user_page(request, session, actor, user, status=exc.status, error=exc.message)
    return _user_page(request, session, actor, user, password=password)


def _signed_in_user(session: Session, actor: Actor) -> User:
    if actor.kind != "user" or actor.id is None:
        raise Unauthenticated("请先登录", code="auth.login_required")
    user = session.get(User, actor.id)
    if user is None:
        raise Unauthenticated("请先登录", code="auth.login_required")
    return user


def _password_page(
    request: Request, actor: Actor, *, status: int = 200, **extra: Any
) -> HTMLResponse:
    context = {"actor": actor, "error": None, "done": False,
               "min_length": auth.MIN_PASSWORD_LENGTH, **extra}  # fmt: skip
    return templates.TemplateResponse(request, "admin/password.html", context, status)


@router.get("/password", response_class=HTMLResponse)
def password_page(request: Request, session: DbSession, actor: CurrentActor) -> HTMLResponse:
    _signed_in_user(session, actor)
    return _password_page(request, actor)


@router.post("/password", response_class=HTMLResponse)
def change_password(
    request: Request, session: DbSession, actor: CurrentActor, old: Secret = "", new: Secret = "",
    again: Secret = "",
) -> HTMLResponse:  # fmt: skip
    user = _signed_in_user(session, actor)
    try:
        if new != again:
            raise auth.WeakPassword("两次输入的新密码不一致", code="auth.password_mismatch")
        with session.begin_nested():
            accounts.change_password(session, user, old, new, actor=actor,
                                     keep_token=request.cookies.get(SESSION_COOKIE))  # fmt: skip
    except XinyongError as exc:
        return _password_page(request, actor, status=exc.status, error=exc.message)
    return _password_page(request, actor, done=True)
