"""`POST /api/v1/reports` answered by the dispatch layer (`api.reports.dispatch_report`) gives
the route's answer byte for byte, case by case: the PDF, the number-only answer, 403 without
consent, 404 for an unknown subject, 401 for a bad key, 422 for a bad body (declined: the route
names the faults, with the body it is handed again), 503 with Retry-After when busy, and the
consented bank's report. Only what belongs to one report differs — its number, digest, time and
signature (and a fresh CSRF cookie's random value) — and is blanked before comparing.

Two apps with their lifespans (a report process each) on one database with real commits: one as
served, one whose dispatch layer has no report handler (every request goes to the route). A spy
records which requests the dispatch layer answered itself: on PostgreSQL every well-formed one
(anonymous, or with an API key); on SQLite the anonymous ones (a key there goes to the route's
session)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.databases import drop_database, migrated_database
from tests.factories import make_subject
from tests.factories.workflows import make_user
from xinyong import auth, consent, signing, subjects
from xinyong.audit import Actor
from xinyong.config import REPO_ROOT, Settings
from xinyong.db.session import make_engine, make_sessionmaker, transaction
from xinyong.enums import Role
from xinyong.reports import pool as report_pool
from xinyong.web.api import reports as api_reports
from xinyong.web.app import create_app

TODAY = date(2026, 11, 23)
SPECIAL = {"kind": "special", "domains": ["market_regulation"], "purpose": "授信审查"}


@dataclass
class Region:
    fast: TestClient
    route: TestClient
    answered: list[int]  # statuses the dispatch layer sent itself
    code: str  # a subject without consents
    consented: str  # a subject that consented to the bank
    bank: str  # the bank's API key
    postgres: bool


@pytest.fixture(scope="module")
def region(
    database_url: str, db_kind: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Region]:
    tmp = tmp_path_factory.mktemp("report_fast")
    name = "xinyong_test_report_fast"  # it commits: a database of its own, dropped after
    postgres = db_kind == "postgresql"
    url = migrated_database(database_url, name, tmp)
    key_file = tmp / "keys" / "office-sm2.pem"
    signing.ensure_key(key_file)
    engine = make_engine(url)
    with transaction(make_sessionmaker(engine)) as s:
        code = make_subject(s, name="报告快路径测试有限公司").code
        other = make_subject(s, name="报告快路径授权有限公司")
        owner, _ = make_user(s, Role.ENTERPRISE, subject=other)
        bank, key = auth.create_api_client(s, "快路径测试银行", Role.BANK, actor=Actor.system())
        bank.rate_limit = "100000/minute"
        consent.grant(
            s, subjects.get(s, other.id), consent.parse_grantee(s, f"api_client:{bank.id}"),
            purpose="授信审查", scopes=["special_report"], valid_from=TODAY,
            valid_until=TODAY + timedelta(days=30), actor=owner, today=TODAY,
        )  # fmt: skip
        consented = other.code
    engine.dispose()
    settings = Settings(database_url=url, data_dir=tmp, catalog_dir=REPO_ROOT / "catalogs",
                        today=TODAY, signing_key=key_file, report_workers=1, report_slots=1,
                        search_fast_path=False)  # fmt: skip
    answered: list[int] = []
    real = api_reports.dispatch_report

    async def spy(scope, receive, send):
        async def seen(message):
            if message["type"] == "http.response.start":
                answered.append(message["status"])
            await send(message)

        return await real(scope, receive, seen)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(api_reports, "dispatch_report", spy)
        fast_app = create_app(settings)
        mp.setattr(api_reports, "fast_routes", dict)  # no handler: every report to the route
        route_app = create_app(settings)
    with TestClient(fast_app) as fast, TestClient(route_app) as route:
        for c in (fast, route):
            c.send_csrf_token = False  # type: ignore[attr-defined]  # as a business system calls
        yield Region(fast, route, answered, code, consented, key, db_kind == "postgresql")
    fast_app.state.engine.dispose()
    route_app.state.engine.dispose()
    if postgres:
        drop_database(database_url, name)


NUMBER = re.compile(rb"[A-Z0-9]{2,}-?\d{4,}[-0-9A-Z]*")


def _blanked(response: Any) -> tuple[int, list[tuple[str, str]], bytes]:
    """Status, headers and body with what belongs to one report (or one cookie) blanked."""
    body: bytes = response.content
    headers = [(k.lower(), v) for k, v in response.headers.items()]
    number = response.headers.get("x-report-number")
    if response.headers.get("content-type") == "application/json" and b'"digest"' in body:
        made = response.json()
        number = made["number"]
        body = body.replace(made["digest"].encode(), b"DIGEST")
    if number:
        body = body.replace(number.encode(), b"NUMBER")
        headers = [(k, v.replace(number, "NUMBER")) for k, v in headers]
    if body.startswith(b"%PDF-"):
        assert b"/Type /Page" in body
        body = b"%PDF- (a signed report of its own)"
        headers = [(k, v) for k, v in headers if k != "content-length"]
    headers = [(k, "…" if k == "set-cookie" else v) for k, v in headers]
    return response.status_code, headers, body


CASES: dict[str, tuple[dict[str, Any] | bytes, str | None, int]] = {
    # name: (body, whose key, expected status); "CODE" / "CONSENTED" stand for the subjects
    "pdf": ({"code": "CODE"}, None, 200),
    "number": ({"code": "CODE", "format": "number"}, None, 200),
    "special without consent": ({"code": "CODE", **SPECIAL}, "bank", 403),
    "special with consent": ({"code": "CONSENTED", **SPECIAL, "format": "number"}, "bank", 200),
    "bank's public report by bearer": ({"code": "CODE"}, "bearer", 200),
    "unknown subject": ({"code": "91110000000000000X"}, None, 404),
    "bad key": ({"code": "CODE"}, "wrong", 401),
    "not json": (b"{code:", None, 422),
    "years out of range": ({"code": "CODE", "years": 11}, None, 422),
    "no code": ({"kind": "public"}, "bank", 422),
    "unknown kind": ({"code": "CODE", "kind": "full"}, None, 422),
}


def _ask(client: TestClient, r: Region, body: dict[str, Any] | bytes, who: str | None) -> Any:
    headers = {"content-type": "application/json"}
    if who == "bank":
        headers["X-API-Key"] = r.bank
    elif who == "bearer":
        headers["Authorization"] = f"Bearer {r.bank}"
    elif who == "wrong":
        headers["X-API-Key"] = "xy_not_a_key"
    if isinstance(body, dict):
        text = str(body).replace("'", '"').replace("CONSENTED", r.consented)
        body = text.replace('"CODE"', f'"{r.code}"').encode()
    client.cookies.clear()
    return client.post("/api/v1/reports", content=body, headers=headers)


@pytest.mark.parametrize("case", list(CASES))
def test_the_dispatch_layer_answers_as_the_route(region: Region, case: str) -> None:
    body, who, status = CASES[case]
    region.answered.clear()
    route = _ask(region.route, region, body, who)
    assert region.answered == []  # the route app's dispatch layer has no report handler
    fast = _ask(region.fast, region, body, who)
    assert route.status_code == status, route.text
    assert _blanked(fast) == _blanked(route)
    declined = status == 422 or (who is not None and not region.postgres)
    assert region.answered == ([] if declined else [status])


def test_busy_answers_503_with_retry_after_on_both(
    region: Region, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(report_pool, "QUEUE_PER_WORKER", 0)  # every report finds the queue full
    region.answered.clear()
    route = _ask(region.route, region, {"code": "CODE"}, None)
    fast = _ask(region.fast, region, {"code": "CODE"}, None)
    assert route.status_code == 503
    assert route.headers["Retry-After"] == str(report_pool.RETRY_AFTER)
    assert _blanked(fast) == _blanked(route)
    assert region.answered == [503]


def test_a_session_cookie_goes_to_the_route(region: Region) -> None:
    """A browser session (and its CSRF token) is the route's: the dispatch layer declines."""
    region.answered.clear()
    client = region.fast
    client.cookies.clear()
    client.cookies.set("xinyong_session", "not-a-session")
    got = client.post("/api/v1/reports", json={"code": region.code})
    assert got.status_code == 403  # no CSRF token: refused by the route's app-wide check
    assert got.json()["error"] == "auth.csrf"
    assert region.answered == []
    client.cookies.clear()
