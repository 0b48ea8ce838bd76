"""CSRF, Origin, cookies, security headers and login protection (web/security.py, auth/)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories.subjects import SYSTEM, make_provider, make_subject
from xinyong import auth
from xinyong.auth import sessions
from xinyong.config import Settings
from xinyong.db.tables import AuditEntry
from xinyong.enums import Role
from xinyong.web import deps, security
from xinyong.web.app import create_app
from xinyong.web.security import CSRF_COOKIE

PASSWORD = "correct horse"
SYSTEM_NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)
HTML = {"Accept": "text/html"}


def _admin(client: TestClient, session: Session) -> None:
    auth.create_user(session, "chief", PASSWORD, Role.ADMIN, actor=SYSTEM)
    resp = client.post("/admin/login", data={"username": "chief", "password": PASSWORD},
                       follow_redirects=False)  # fmt: skip
    assert resp.status_code == 303


def _form_token(html: str) -> str:
    found = re.search(r'name="csrftoken" value="([^"]+)"', html)
    assert found, "the form carries no CSRF token"
    return found.group(1)


@pytest.mark.parametrize(
    "forged",
    [
        {"Origin": "http://evil.example"},  # cross-site
        {"Origin": "http://admin.testserver"},  # same site, other origin
        {"Origin": "http://testserver:8131"},  # same host, other port
        {"Referer": "http://evil.example/page"},  # no Origin, foreign Referer
        {"Sec-Fetch-Site": "same-site"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Origin": "null"},
        {"Origin": "garbage"},
    ],
)
def test_a_forged_post_from_another_origin_is_refused(
    client: TestClient, session: Session, forged: dict[str, str]
) -> None:
    _admin(client, session)
    resp = client.post("/admin/catalog/reload", headers={**forged, **HTML})
    assert resp.status_code == 403
    assert "安全校验" in resp.text
    assert resp.headers["content-type"].startswith("text/html")


def test_a_post_without_the_token_is_refused(client: TestClient, session: Session) -> None:
    _admin(client, session)
    client.send_csrf_token = False  # type: ignore[attr-defined]
    resp = client.post("/admin/catalog/reload", headers=HTML)
    assert resp.status_code == 403
    assert "表单令牌" in resp.text
    wrong = client.post("/admin/catalog/reload", data={"csrftoken": "x.y"}, headers=HTML)
    assert wrong.status_code == 403


def test_the_real_form_posts_with_its_field_and_the_same_origin(
    client: TestClient, session: Session
) -> None:
    _admin(client, session)
    client.send_csrf_token = False  # type: ignore[attr-defined]
    page = client.get("/admin/catalog")
    token = _form_token(page.text)
    resp = client.post("/admin/catalog/reload", data={"csrftoken": token},
                       headers={"Origin": "http://testserver", **HTML})  # fmt: skip
    assert resp.status_code == 200
    assert "目录已重新加载" in resp.text


def test_every_post_form_renders_the_token(client: TestClient, session: Session) -> None:
    _admin(client, session)
    page = client.get("/admin/catalog")
    forms = re.findall(r'<form[^>]*method="post"[^>]*>(.{0,200})', page.text, flags=re.S)
    assert forms
    assert all('name="csrftoken"' in after for after in forms)


def test_an_api_key_request_without_cookies_is_exempt(client: TestClient, session: Session) -> None:
    provider = make_provider(session)
    _c, key = auth.create_api_client(
        session, "报送系统", Role.PROVIDER_CLERK, provider_id=provider.id, actor=SYSTEM
    )
    client.send_csrf_token = False  # type: ignore[attr-defined]
    client.cookies.clear()
    body = {"info_class": "penalty", "rows": []}
    resp = client.post("/api/v1/batches", json=body,
                       headers={"X-API-Key": key, "Origin": "http://evil.example"})  # fmt: skip
    assert resp.status_code != 403, resp.text


def test_security_headers_on_every_response(client: TestClient) -> None:
    for path in ("/", "/api/v1/health", "/static/site.css", "/no-such-page", "/api/docs"):
        headers = client.get(path).headers
        csp = headers["content-security-policy"]
        assert "script-src 'self'" in csp
        assert "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert headers["x-frame-options"] == "DENY"
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"


def test_api_answers_carry_no_new_csrf_cookie_and_pages_still_get_their_token(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A token is signed only where a page needs one: an anonymous API answer (JSON, a file) is
    sent no cookie and costs no signature; a page gets its cookie, and a form its matching token."""
    signed: list[str] = []
    real = security.new_csrf_token

    def counted(secret: str) -> str:
        signed.append(token := real(secret))
        return token

    monkeypatch.setattr(security, "new_csrf_token", counted)
    client.cookies.clear()
    for path in ("/api/v1/health", "/api/v1/subjects/91350100M000100Y43", "/static/site.css"):
        answer = client.get(path)
        assert CSRF_COOKIE not in answer.headers.get("set-cookie", ""), path
    assert signed == []
    home = client.get("/")
    assert f"{CSRF_COOKIE}=" in home.headers["set-cookie"]
    client.cookies.clear()
    login = client.get("/admin/login")
    cookie = login.cookies.get(CSRF_COOKIE)
    assert cookie is not None
    assert _form_token(login.text) == cookie
    assert len(signed) == 2  # one per page without a cookie


def _set_cookies(resp: object) -> list[str]:
    return resp.headers.get_list("set-cookie")  # type: ignore[attr-defined, no-any-return]


def test_cookies_are_httponly_lax_and_secure_under_https(
    session: Session, settings: Settings
) -> None:
    auth.create_user(session, "chief", PASSWORD, Role.ADMIN, actor=SYSTEM)
    for https in (False, True):
        app = create_app(settings.model_copy(update={"https": https}))

        def _session() -> object:
            yield session

        app.dependency_overrides[deps._db] = _session
        with TestClient(app, base_url="https://testserver" if https else "http://testserver") as c:
            login = c.get("/admin/login")
            resp = c.post("/admin/login", data={"username": "chief", "password": PASSWORD},
                          follow_redirects=False)  # fmt: skip
        cookies = _set_cookies(login) + _set_cookies(resp)
        assert {c.split("=")[0] for c in cookies} >= {CSRF_COOKIE, deps.SESSION_COOKIE}
        for cookie in cookies:
            flags = cookie.lower()
            assert "httponly" in flags
            assert "samesite=lax" in flags
            assert ("; secure" in flags) == https
        app.state.engine.dispose()


def _log_in(client: TestClient, username: str, password: str, path: str = "/admin/login") -> str:
    resp = client.post(path, data={"username": username, "password": password},
                       follow_redirects=False)  # fmt: skip
    return f"{resp.status_code} {resp.text if resp.status_code != 303 else ''}"


def test_fifty_wrong_passwords_lock_the_account_then_the_right_one_is_told(
    client: TestClient, session: Session
) -> None:
    auth.create_user(session, "clerk", PASSWORD, Role.ADMIN, actor=SYSTEM)
    answers = [_log_in(client, "clerk", f"wrong-{i}") for i in range(50)]
    assert answers[0].startswith("401")
    assert "用户名或密码不正确" in answers[0]
    assert all(a.startswith(("401", "429")) for a in answers)
    assert answers[-1].startswith("429")
    right = _log_in(client, "clerk", PASSWORD)
    assert right.startswith("429")
    assert "登录失败次数过多" in right
    assert "该账户" in right
    assert "分钟后再试" in right
    # another account from the same address is not locked by this one's failures alone
    auth.create_user(session, "other", PASSWORD, Role.ADMIN, actor=SYSTEM)
    assert _log_in(client, "other", PASSWORD).startswith("303")


def test_fifty_failures_from_one_address_lock_the_address(
    client: TestClient, session: Session
) -> None:
    auth.create_user(session, "victim", PASSWORD, Role.ADMIN, actor=SYSTEM)
    assert _log_in(client, "guess0", "whatever-password").startswith("401")
    throttle = client.app.state.login_throttle  # type: ignore[attr-defined]
    for i in range(1, 50):  # the other 49 counted directly: each real try costs an argon2 verify
        throttle.failed(f"guess{i}", "testclient")
    answer = _log_in(client, "victim", PASSWORD)
    assert answer.startswith("429")
    assert "网络地址" in answer


def test_failed_logins_are_audited(client: TestClient, session: Session) -> None:
    user = auth.create_user(session, "clerk", PASSWORD, Role.ADMIN, actor=SYSTEM)
    _log_in(client, "clerk", "wrong password")
    _log_in(client, "nobody", "wrong password")
    rows = session.execute(
        select(AuditEntry).where(AuditEntry.action == "auth.user.login_failed")
    ).scalars()
    got = [(r.target_id, (r.after or {})["username"], (r.after or {})["reason"]) for r in rows]
    assert (str(user.id), "clerk", "password") in got
    assert (None, "nobody", "unknown_user") in got


def test_the_answer_does_the_same_work_whether_or_not_the_user_exists(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Timing cannot tell: an unknown username is verified against a dummy hash, once."""
    user = auth.create_user(session, "clerk", PASSWORD, Role.ADMIN, actor=SYSTEM)
    verified: list[str] = []
    real = auth.password_matches

    def spy(hash_: str, password: str) -> bool:
        verified.append(hash_)
        return real(hash_, password)

    monkeypatch.setattr(sessions, "password_matches", spy)  # where log_in looks it up
    answers = []
    for name in ("clerk", "no-such-user"):
        with pytest.raises(auth.LoginFailed) as caught:
            auth.log_in(session, name, "wrong password", now=SYSTEM_NOW)
        answers.append((caught.value.code, caught.value.message))
    assert answers[0] == answers[1]
    assert len(verified) == 2
    assert verified[0] == user.password_hash
    assert verified[1] != user.password_hash
    assert verified[1].startswith("$argon2")  # the same algorithm and cost as a real hash
    assert sessions._hasher.check_needs_rehash(verified[1]) is False


def test_a_wrong_enterprise_password_stays_on_the_enterprise_login(
    client: TestClient, session: Session
) -> None:
    subject = make_subject(session)
    auth.create_user(session, "firm", PASSWORD, Role.ENTERPRISE, subject_id=subject.id,
                     actor=SYSTEM)  # fmt: skip
    resp = client.post("/me/login", data={"username": "firm", "password": "wrong one"})
    assert resp.status_code == 401
    assert "企业账户登录" in resp.text
    assert "用户名或密码不正确" in resp.text
    ok = client.post("/me/login", data={"username": "firm", "password": PASSWORD},
                     follow_redirects=False)  # fmt: skip
    assert ok.headers["location"] == "/me/"


def test_templates_have_no_inline_script_or_style_and_every_post_form_a_token() -> None:
    """Holds for the forms and pages of every branch: the CSP forbids inline code and styles."""
    from pathlib import Path  # noqa: PLC0415

    root = Path(__file__).resolve().parents[2] / "xinyong" / "web" / "templates"
    for path in root.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(
            r"<script(?![^>]*\b(src=|type=\"application/json\"))[^>]*>\s*\S", text
        ), path
        assert not re.search(r"\son[a-z]+\s*=", text), path
        assert not re.search(r"\sstyle\s*=", text), path
        for form in re.finditer(r"<form\b[^>]*>", text):
            if 'method="post"' in form.group(0).lower():
                following = text[form.end() : form.end() + 60].lstrip()
                assert following.startswith("{{ csrf_field() }}"), (path, form.group(0))


def test_the_api_docs_are_served_from_the_package(client: TestClient) -> None:
    page = client.get("/api/docs")
    assert page.status_code == 200
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert assets
    assert all(a.startswith("/static/") for a in assets), assets  # no CDN
    for asset in assets:
        assert client.get(asset).status_code == 200, asset
    assert "swagger-ui-bundle.js" in page.text
