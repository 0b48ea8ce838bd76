"""Page login, shared by the staff form (/admin/login) and the enterprise form (/me/login).

A failure is answered on the form it came from, with the Chinese message (401; 429 while the
account or address is locked), and its audit row is committed with the request.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from xinyong import auth, clock
from xinyong.enums import Role
from xinyong.errors import XinyongError
from xinyong.web.deps import SESSION_COOKIE
from xinyong.web.templating import templates


def throttle(request: Request) -> auth.LoginThrottle:
    """The app's login throttle (one per server process)."""
    state = request.app.state
    if getattr(state, "login_throttle", None) is None:
        state.login_throttle = auth.LoginThrottle()
    found: auth.LoginThrottle = state.login_throttle
    return found


# Where a role works when the form was opened without a page to return to (the staff form's
# default is /admin/, which a bank officer or a 信易+ partner may not open).
HOMES = {Role.BANK: "/bank/", Role.PARTNER: "/partner/"}


def safe_next(target: str, default: str) -> str:
    """Only a path on this site (no `//host`, no scheme) is followed after login."""
    ok = target.startswith("/") and not target.startswith("//") and "\\" not in target
    return target if ok else default


def answer(
    request: Request,
    session: Session,
    form: tuple[str, str, str],
    *,
    template: str,
    default_next: str,
) -> Response:
    """Log in with (username, password, next); on failure the same form again, with why."""
    username, password, target = form
    address = request.client.host if request.client else ""
    try:
        user, token = auth.log_in(
            session, username, password, now=clock.now(), throttle=throttle(request),
            address=address,
        )  # fmt: skip
    except XinyongError as exc:
        ctx = {"next": target, "error": exc.message, "username": username}
        return templates.TemplateResponse(request, template, ctx, status_code=exc.status)
    if target in ("", default_next):
        target = HOMES.get(Role(user.role), default_next)
    response = RedirectResponse(safe_next(target, default_next), status_code=303)
    secure = bool(request.app.state.settings.https)
    response.set_cookie(
        SESSION_COOKIE, token, httponly=True, samesite="lax", secure=secure,
        max_age=auth.SESSION_HOURS * 3600,
    )  # fmt: skip
    return response
