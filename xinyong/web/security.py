"""Browser-facing protections, wrapped around the whole app in `create_app`.

- CSRF (double-submit cookie): every unsafe request that carries cookies must carry the token of
  its `xinyong_csrf` cookie (a random value signed with the secret key, itsdangerous) in the form
  field `csrftoken` (pages render it with `{{ csrf_field() }}`) or in the `X-CSRFToken` header.
  `CsrfCookie` issues the token; the app-wide dependency `check_csrf` checks it after the body is
  parsed, so a form field may come anywhere in a multipart body.
  Requests authenticated by an API key (`X-API-Key` or `Authorization: Bearer`) are exempt: a
  browser cannot add those headers to a cross-site request.
- Origin: an unsafe request whose `Origin` (or, without it, `Referer`) is not this site, or whose
  `Sec-Fetch-Site` says cross-site or same-site, is refused with 403 whatever its token — a page
  on another port or subdomain of the same site cannot drive an action either.
- Cookies: every cookie the app sets is HttpOnly and SameSite=Lax, and Secure when the `https`
  setting is on.
- Headers on every response: a CSP without inline script, frame-ancestors and X-Frame-Options,
  nosniff, Referrer-Policy (and HSTS under https).
"""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from fastapi import FastAPI
from itsdangerous import BadSignature
from itsdangerous.url_safe import URLSafeSerializer
from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from xinyong.config import Settings
from xinyong.errors import Forbidden
from xinyong.web import errors, inputs

CSRF_COOKIE = "xinyong_csrf"
CSRF_FIELD = "csrftoken"
CSRF_HEADER = "X-CSRFToken"
_NAMESPACE = "csrftoken"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class CsrfRefused(Forbidden):
    code = "auth.csrf"


def _refusal(reason: str) -> CsrfRefused:
    return CsrfRefused(
        f"请求未通过安全校验（{reason}）。请刷新页面后重新提交；"
        "如果您没有在本站提交过表单，可能有其他网站试图冒用您的身份。"
    )


def new_csrf_token(secret: str) -> str:
    """A fresh signed token, as the middleware issues it (tests and scripts that post forms)."""
    return str(_signer(secret).dumps(secrets.token_urlsafe(16)))


def api_key_request(headers: Headers) -> bool:
    """Authenticated by an API key: exempt from CSRF and Origin checks."""
    return bool(headers.get("x-api-key")) or headers.get("authorization", "").lower().startswith(
        "bearer "
    )


def _origin_of(url: str) -> str | None:
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


class OriginGuard:
    """Refuse unsafe requests that come from another origin (403), before any token is read."""

    def __init__(self, app: ASGIApp, public_base_url: str | None) -> None:
        self.app = app
        self.public = _origin_of(public_base_url) if public_base_url else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] not in SAFE_METHODS:
            reason = self.foreign(scope)
            if reason:
                await errors.render(Request(scope), _refusal(reason))(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def foreign(self, scope: Scope) -> str | None:
        """Why the request is foreign, or None when it comes from this site (or by API key)."""
        headers = Headers(scope=scope)
        if api_key_request(headers) and "cookie" not in headers:
            return None
        site = headers.get("sec-fetch-site")
        if site in ("cross-site", "same-site"):
            return "来自其他网站的请求"
        claimed = headers.get("origin") or headers.get("referer")
        if claimed is None:
            return None  # no browser claim: the CSRF token decides
        own = {f"{scope.get('scheme', 'http')}://{headers.get('host', '')}".lower(), self.public}
        origin = _origin_of(claimed)
        if origin is None or origin not in own:
            return "请求来源不是本站"
        return None


class SecurityHeaders:
    """Security headers on every response; every cookie HttpOnly (and Secure under https)."""

    def __init__(self, app: ASGIApp, https: bool) -> None:
        self.app = app
        self.https = https
        extra = [(b"strict-transport-security", b"max-age=31536000")] if https else []
        self.headers = [
            (b"content-security-policy", CSP.encode()),
            (b"x-frame-options", b"DENY"),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"same-origin"),
            (b"cross-origin-opener-policy", b"same-origin"),
            *extra,
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                given = [(k.lower(), v) for k, v in message.get("headers", [])]
                names = {k for k, _ in given}
                headers = [self._cookie(k, v) for k, v in given]
                headers += [(k, v) for k, v in self.headers if k not in names]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _cookie(self, name: bytes, value: bytes) -> tuple[bytes, bytes]:
        if name != b"set-cookie":
            return name, value
        flags = value.lower()
        if b"httponly" not in flags:
            value += b"; HttpOnly"
        if b"samesite" not in flags:
            value += b"; SameSite=Lax"
        if self.https and b"secure" not in flags:
            value += b"; Secure"
        return name, value


def _signer(secret: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt=_NAMESPACE)


def valid_token(secret: str, token: str | None) -> bool:
    """Whether `token` is one this platform signed with `secret`."""
    if not token:
        return False
    try:
        _signer(secret).loads(token)
    except BadSignature:
        return False
    return True


class CsrfCookie:
    """Issue the double-submit token: a signed random value in the `xinyong_csrf` cookie, offered
    to the pages as `scope["csrftoken"]()` (templating's `csrf_field()` and `csrf_token()`).

    The token is signed only where a page needs one: when a page rendered it, or for an HTML page
    answered to a browser without a valid cookie (its next form or script then has one). An API
    answer (JSON, files) is sent no new cookie and costs no signature — the hot API path —, and a
    request authenticated by an API key is exempt from the check, so it is sent no cookie unless
    a page rendered for it asked for the token."""

    def __init__(self, app: ASGIApp, secret: str) -> None:
        self.app = app
        self.secret = secret

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        token = request.cookies.get(CSRF_COOKIE)
        fresh = not valid_token(self.secret, token)
        if fresh:
            token = None
        browser = fresh and not api_key_request(request.headers)
        used = False

        def issue() -> str:
            nonlocal used, token
            used = True
            if token is None:
                token = new_csrf_token(self.secret)
            return token

        async def send_with_cookie(message: Message) -> None:
            nonlocal token
            if message["type"] == "http.response.start" and (used or browser):
                headers = MutableHeaders(scope=message)
                page = headers.get("content-type", "").startswith("text/html")
                if fresh and (used or page):  # flags (HttpOnly, SameSite, Secure): SecurityHeaders
                    token = token or new_csrf_token(self.secret)
                    headers.append("set-cookie", f"{CSRF_COOKIE}={token}; Path=/")
                if used:
                    headers.add_vary_header("Cookie")
            await send(message)

        await self.app({**scope, "csrftoken": issue}, receive, send_with_cookie)


async def check_csrf(request: Request) -> None:
    """Dependency of every route: an unsafe request that carries cookies (and no API key) must
    carry its cookie's token in the `X-CSRFToken` header or the `csrftoken` form field."""
    if request.method in SAFE_METHODS or api_key_request(request.headers) or not request.cookies:
        return
    secret = request.app.state.settings.secret_key
    cookie = request.cookies.get(CSRF_COOKIE)
    if not valid_token(secret, cookie):
        raise _refusal("缺少表单令牌")
    given = request.headers.get(CSRF_HEADER)
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if given is None and kind in ("application/x-www-form-urlencoded", "multipart/form-data"):
        field = (await request.form()).get(CSRF_FIELD)  # parsed once, kept for the route
        given = field if isinstance(field, str) else None
    if not given or not secrets.compare_digest(given.encode(), str(cookie).encode()):
        raise _refusal("表单令牌不匹配")


def install(app: FastAPI, settings: Settings) -> None:
    """Innermost first: the CSRF cookie, control characters, the Origin guard, the headers
    (outermost); the CSRF check itself is the app-wide dependency `check_csrf`."""
    app.add_middleware(CsrfCookie, secret=settings.secret_key)
    app.add_middleware(inputs.ControlCharacterGuard)
    app.add_middleware(OriginGuard, public_base_url=settings.public_base_url)
    app.add_middleware(SecurityHeaders, https=settings.https)
