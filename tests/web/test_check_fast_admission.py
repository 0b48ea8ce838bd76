"""The joint check's fast path (PostgreSQL) admits a key's call as the sync path does — the key's
scope must allow `check`, the client's rate limit counts every call (the same counter on both
paths), the role must be a checker's — and its answers, served by the dispatch layer before the
router, still pass the security layers: headers on every response, the Origin guard, the
control-character guard; an API-key request is sent no CSRF cookie (on either path)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from tests.conftest import CATALOG_DIR
from tests.databases import drop_database, migrated_database
from tests.factories import make_provider, make_subject
from tests.factories.workflows import make_user
from xinyong import auth, catalog, ratelimit
from xinyong.audit import Actor
from xinyong.config import Settings
from xinyong.db.session import make_engine, make_sessionmaker, transaction
from xinyong.enums import Role
from xinyong.web.api import checks
from xinyong.web.app import create_app

pytestmark = pytest.mark.postgres

TODAY = date(2026, 11, 23)
SYSTEM = Actor.system("测试")


@pytest.fixture(scope="module")
def region(database_url: str) -> Iterator[tuple[Settings, str, dict[str, str]]]:
    """A database of its own (committed: the fast path's pool reads it), one subject and keys:
    `check` (scope check), `batches` (scope batches only), `slow` (check at 2/minute) and
    `clerk` (no scopes, a provider clerk's role)."""
    base = os.environ["XINYONG_TEST_POSTGRES_URL"]
    name = "xinyong_test_check_admission"
    url = migrated_database(base, name)
    engine = make_engine(url)
    with transaction(make_sessionmaker(engine)) as session:
        catalog.record_version(session, catalog.load_catalog(CATALOG_DIR), actor=SYSTEM)
        code = make_subject(session).code
        provider = make_provider(session)
        keys = {
            "check": auth.add_client(session, "核查系统", "check", rate_limit="1000/minute",
                                     actor=SYSTEM)[1],
            "batches": auth.add_client(session, "报送系统", "batches", provider_id=provider.id,
                                       actor=SYSTEM)[1],
            "slow": auth.add_client(session, "慢速系统", "check", rate_limit="2/minute",
                                    actor=SYSTEM)[1],
            "clerk": auth.create_api_client(session, "旧报送接口", Role.PROVIDER_CLERK,
                                            provider_id=provider.id, actor=SYSTEM)[1],
        }  # fmt: skip
    engine.dispose()
    settings = Settings(database_url=url, catalog_dir=CATALOG_DIR, today=TODAY,
                        search_fast_path=False)  # fmt: skip
    yield settings, code, keys
    drop_database(base, name)


@pytest.fixture(autouse=True)
def _fresh_limits() -> None:
    ratelimit.reset()


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Status of every check the dispatch layer answered itself (not declined to the router)."""
    answered: list[int] = []
    real = checks.dispatch_check

    async def spy(scope, receive, send):
        async def send_seen(message):
            if message["type"] == "http.response.start":
                answered.append(message["status"])
            await send(message)

        return await real(scope, receive, send_seen)

    monkeypatch.setattr(checks, "dispatch_check", spy)
    return answered


def _app(settings: Settings, *, fast: bool) -> TestClient:
    """A client that calls as a business system does: no CSRF cookie or token of its own."""
    client = TestClient(create_app(settings.model_copy(update={"check_fast_path": fast})))
    client.send_csrf_token = False  # type: ignore[attr-defined]
    return client


def _check(client: TestClient, key: str, code: str, **headers: str):
    return client.post("/api/v1/checks", json={"code": code, "matter": "bidding"},
                       headers={"X-API-Key": key, **headers})  # fmt: skip


def _both(region, key_name: str) -> tuple[Any, Any]:
    settings, code, keys = region
    answers = []
    for fast in (False, True):
        ratelimit.reset()
        with _app(settings, fast=fast) as client:
            answers.append(_check(client, keys[key_name], code))
    return answers[0], answers[1]


def test_a_key_without_the_check_scope_is_refused_on_both_paths(region, served) -> None:
    sync, fast = _both(region, "batches")
    assert sync.status_code == fast.status_code == 403
    assert fast.json() == sync.json()
    assert fast.json()["error"] == "auth.scope_missing"
    assert served == [403]  # answered by the dispatch layer, rendered as the app renders errors


def test_a_key_whose_role_may_not_check_is_refused_on_both_paths(region) -> None:
    sync, fast = _both(region, "clerk")
    assert sync.status_code == fast.status_code == 403
    assert fast.json()["error"] == sync.json()["error"]


def test_the_rate_limit_counts_every_call_on_the_fast_path(region, served) -> None:
    settings, code, keys = region
    with _app(settings, fast=True) as client:
        statuses = [_check(client, keys["slow"], code).status_code for _ in range(3)]
        refused = _check(client, keys["slow"], code)
    assert statuses == [200, 200, 429]
    assert refused.json()["error"] == "auth.rate_limited"
    assert refused.json()["details"]["limit"] == "2/minute"
    assert served == [200, 200, 429, 429]


def test_both_paths_count_one_limit_per_key(region) -> None:
    settings, code, keys = region
    with _app(settings, fast=False) as sync:
        assert _check(sync, keys["slow"], code).status_code == 200
    with _app(settings, fast=True) as fast:
        assert [_check(fast, keys["slow"], code).status_code for _ in range(2)] == [200, 429]


def test_an_api_key_request_gets_no_csrf_cookie_but_every_security_header(region, served) -> None:
    settings, code, keys = region
    for fast in (True, False):
        with _app(settings, fast=fast) as client:
            answer = _check(client, keys["check"], code)
            page = client.get("/")  # a browser's page still gets its token
        assert answer.status_code == 200, answer.text
        assert "set-cookie" not in answer.headers
        assert "xinyong_csrf=" in page.headers["set-cookie"]
        for response in (answer, page):
            assert "script-src 'self'" in response.headers["content-security-policy"]
            assert response.headers["x-frame-options"] == "DENY"
            assert response.headers["x-content-type-options"] == "nosniff"
            assert response.headers["referrer-policy"] == "same-origin"
    assert served == [200]


def test_the_guards_still_wrap_the_dispatch_layer(region, served) -> None:
    settings, code, keys = region
    with _app(settings, fast=True) as client:
        client.get("/")  # a browser with a cookie …
        foreign = _check(client, keys["check"], code, Origin="http://evil.example")
        client.cookies.clear()
        control = client.post("/api/v1/checks?x=%00", json={"code": code, "matter": "bidding"},
                              headers={"X-API-Key": keys["check"]})  # fmt: skip
        keyless = client.post("/api/v1/checks", json={"code": code, "matter": "bidding"})
    assert foreign.status_code == 403  # … is held to the Origin guard whatever its key
    assert foreign.json()["error"] == "auth.csrf"
    assert control.status_code == 400
    assert "set-cookie" not in control.headers
    assert keyless.status_code == 401  # no key: declined, the app's route answers …
    assert keyless.json()["error"] == "auth.login_required"  # … as the sync route does
    assert served == []  # none of them reached the dispatch layer's answer


def test_a_bad_key_gets_the_same_401_on_both_paths(region, served) -> None:
    settings, code, _keys = region
    answers = []
    for fast in (False, True):
        with _app(settings, fast=fast) as client:
            answers.append(_check(client, "xy_" + "0" * 40, code))
    sync, fast_answer = answers
    assert sync.status_code == fast_answer.status_code == 401
    assert fast_answer.json() == sync.json()
    assert sync.json()["error"] == "auth.bad_api_key"
    assert sync.json()["message"] == auth.BAD_KEY
    assert served == [401]


@pytest.mark.parametrize("role", [Role.OFFICER, Role.AUDITOR])
def test_a_browser_session_is_answered_as_on_the_sync_route(region, served, role: Role) -> None:
    """An officer signed in with a browser gets the check on the fast route as on the sync
    route (the same body, but for the check id); another role gets the same 403 on both."""
    settings, code, _keys = region
    engine = make_engine(settings.database_url)
    with transaction(make_sessionmaker(engine)) as s:
        _, username = make_user(s, role)
    engine.dispose()
    answers = []
    for fast in (False, True):
        with _app(settings, fast=fast) as client:
            client.send_csrf_token = True  # type: ignore[attr-defined]  # as the pages post
            login = client.post("/admin/login", data={"username": username,
                                "password": "password123"}, follow_redirects=False)  # fmt: skip
            assert login.status_code == 303
            answers.append(client.post("/api/v1/checks", json={"code": code, "matter": "bidding"}))
    sync, fast_answer = answers
    if role is Role.OFFICER:
        assert sync.status_code == fast_answer.status_code == 200, fast_answer.text
        blank = re.compile(rb'"check_id": "[0-9a-f]{32}"')
        assert blank.sub(b"", fast_answer.content) == blank.sub(b"", sync.content)
    else:
        assert sync.status_code == fast_answer.status_code == 403
        assert fast_answer.json() == sync.json()
    assert served == []  # no key: the route, not the dispatch layer


def _last_used(settings: Settings, name: str) -> Any:
    engine = make_engine(settings.database_url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT last_used_at FROM api_clients WHERE name = :n"),
                                {"n": name}).scalar_one()  # fmt: skip
    finally:
        engine.dispose()


def _forget_use(settings: Settings, name: str) -> None:
    engine = make_engine(settings.database_url)
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE api_clients SET last_used_at = NULL WHERE name = :n"), {"n": name}
        )
    engine.dispose()


@pytest.mark.parametrize("fast", [False, True])
def test_a_check_moves_the_clients_last_used_at(region, served, fast: bool) -> None:
    settings, code, keys = region
    _forget_use(settings, "核查系统")
    with _app(settings, fast=fast) as client:
        assert _check(client, keys["check"], code).status_code == 200
        first = _last_used(settings, "核查系统")
        assert first is not None  # written in the check's own batch, before the answer
        assert _check(client, keys["check"], code).status_code == 200
    assert _last_used(settings, "核查系统") == first  # at most once a minute
    assert served == ([200, 200] if fast else [])


BAD_BODIES: dict[str, tuple[bytes, str | None]] = {
    "empty": (b"", "application/json"),
    "not_json": (b"not json", "application/json"),
    "cut_short": (b'{"code": "x", "matter": ', "application/json"),
    "a_list": (b"[]", "application/json"),
    "no_matter": (b'{"code": "91350100M000100Y43"}', "application/json"),
    "a_number": (b'{"code": 1, "matter": "bidding"}', "application/json"),
    "null_code": (b'{"code": null, "matter": "bidding"}', "application/json"),
    "too_long": (b'{"code": "' + b"9" * 65 + b'", "matter": "bidding"}', "application/json"),
    "plain_text": (b'{"code": "91350100M000100Y43", "matter": "bidding"}', "text/plain"),
    "no_type": (b'{"code": 1}', None),
}


@pytest.mark.parametrize("case", sorted(BAD_BODIES))
@pytest.mark.parametrize("key_name", ["check", "batches"])
def test_a_bad_body_gets_the_sync_routes_422_on_the_fast_path(
    region, served, case: str, key_name: str
) -> None:
    """Each bad body: the same status and the same JSON (code, Chinese message, pydantic's
    errors) on both paths — the dispatch layer declines it and the route validates it as the sync
    route does. A key that may not check is refused (403) before the body is validated, but a body
    that is not JSON at all is refused (422) before the key, on both paths alike."""
    settings, _code, keys = region
    raw, content_type = BAD_BODIES[case]
    headers = {"X-API-Key": keys[key_name]}
    if content_type:
        headers["Content-Type"] = content_type
    answers = []
    for fast in (False, True):
        ratelimit.reset()
        with _app(settings, fast=fast) as client:
            answers.append(client.post("/api/v1/checks", content=raw, headers=headers))
    sync, fast_answer = answers
    unreadable = case in {"not_json", "cut_short"}
    expected = 422 if key_name == "check" or unreadable else 403
    assert sync.status_code == fast_answer.status_code == expected
    assert fast_answer.json() == sync.json()
    if key_name == "check":
        assert sync.json()["error"] == "invalid_request"
        assert sync.json()["message"].startswith("请求参数不正确")
    assert served == []  # declined by the dispatch layer: the route answered


def test_a_browser_sessions_bad_body_gets_the_sync_routes_answer(region) -> None:
    settings, _code, _keys = region
    answers = []
    for fast in (False, True):
        with _app(settings, fast=fast) as client:
            answers.append(client.post("/api/v1/checks", content=b"[]",
                                       headers={"Content-Type": "application/json"}))  # fmt: skip
    sync, fast_answer = answers
    assert sync.status_code == fast_answer.status_code == 401  # signed out: 401 before the body
    assert fast_answer.json() == sync.json()
