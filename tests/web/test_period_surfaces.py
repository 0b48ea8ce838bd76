"""Every surface agrees on the last day of a period (民法典 第二百零一、二百零二条).

One imported court-defaulter entry (24 months from 2025-01-22: in force up to and including
2027-01-22) and one watch-list entry decided on this platform, each seen on the day before its
end, on it and after it, through the portal page, the public API, the joint check (sync path here;
both paths on PostgreSQL in `test_fast_path_agrees_on_the_days_around_an_end`), `xinyong lists
entries` and the enterprise's own `/me/` page. The early-exit minimum of an imported and a platform
entry of the same list type, decided the same day, ends on the same day.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tests.cli import on_session
from tests.databases import delete_committed
from tests.factories import make_provider, make_record, make_subject
from tests.factories.lists import listed
from tests.factories.workflows import make_user
from xinyong import auth, clock, lists, measures, repair
from xinyong.audit import Actor
from xinyong.catalog import Catalog
from xinyong.cli import app as cli_app
from xinyong.clock import Calendar
from xinyong.config import Settings
from xinyong.db.tables import Record, Subject
from xinyong.enums import Role
from xinyong.repair import eligibility

DECIDED = date(2025, 1, 22)
END = date(2027, 1, 22)  # the bug this guards: the joint check said 2027-01-21
OFFSETS = (-1, 0, 1)
OFFICER = Actor(kind="user", id=1, label="认定人员", role=Role.OFFICER)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"check_fast_path": False})


def _defaulter(session: Session, court: Any, subject: Subject) -> Record:
    return make_record(
        session, subject, info_class="court_defaulter", decision_date=DECIDED,
        data={"subject_name": subject.name, "subject_category": "法人及非法人组织",
              "subject_uscc": subject.code, "case_number": "（2025）示执字第7号",
              "court": court.name, "basis_number": "（2024）示民初字第3号",
              "performance_status": "全部未履行", "conduct": "有履行能力而拒不履行",
              "published_on": DECIDED.isoformat()},
        decision_number="（2024）示民初字第3号", provider_id=court.id,
        authority_name=court.name, authority_uscc=court.uscc,
    )  # fmt: skip


def _cli_rows(monkeypatch: pytest.MonkeyPatch, session: Session, day: date) -> list[dict[str, Any]]:
    """`xinyong lists entries --json` run in-process against the test's session."""

    on_session(monkeypatch, session, day)
    result = CliRunner().invoke(cli_app, ["lists", "entries", "--json"])
    assert result.exit_code == 0, result.output
    rows: list[dict[str, Any]] = json.loads(result.stdout)
    return rows


def _seen(
    client: TestClient,
    monkeypatch: pytest.MonkeyPatch,
    session: Session,
    code: str,
    number: str,
    day: date,
    key: str,
) -> dict[str, Any]:
    """What each surface says about the entry `number` of subject `code` on `day`."""
    client.app.state.settings = client.app.state.settings.model_copy(update={"today": day})  # type: ignore[attr-defined]
    page = client.get(f"/subjects/{code}").text
    api = client.get(f"/api/v1/subjects/{code}").json()
    check = client.post("/api/v1/checks", json={"code": code, "matter": "bidding"},
                        headers={"X-API-Key": key}).json()  # fmt: skip
    hits = [h for h in check["hits"] if h["decision_number"] == number]
    api_entries = [e for e in api.get("list_entries", []) if e["decision_number"] == number]
    api_records = [r for r in api["records"] if r["decision_number"] == number]
    rows = [r for r in _cli_rows(monkeypatch, session, day) if r["decision_number"] == number]
    return {
        "portal": number in page,
        "api": bool(api_entries or api_records),
        "check": bool(hits),
        "cli": bool(rows),
        "ends": {
            *(h["valid_until"] for h in hits),
            *(r["valid_until"] for r in rows),
            *(e["valid_until"] for e in api_entries),
            *(r["disclosure_ends"] for r in api_records),
        },
        "page": page,
    }


@pytest.fixture
def api_key(session: Session) -> str:
    return auth.create_api_client(session, "招投标系统", Role.SYSTEM, actor=Actor.system())[1]


@pytest.mark.parametrize("offset", OFFSETS)
def test_imported_entry_ends_on_the_same_day_everywhere(
    client: TestClient,
    session: Session,
    monkeypatch: pytest.MonkeyPatch,
    api_key: str,
    offset: int,
) -> None:
    court = make_provider(session, name="示范区人民法院", kind="court")
    subject = make_subject(session, name="示范区期满建材有限公司")
    _defaulter(session, court, subject)
    day = END + timedelta(days=offset)
    seen = _seen(client, monkeypatch, session, subject.code, "（2024）示民初字第3号", day,
                 api_key)  # fmt: skip
    expected = offset <= 0
    assert {k: seen[k] for k in ("portal", "api", "check", "cli")} == dict.fromkeys(
        ("portal", "api", "check", "cli"), expected
    )
    if expected:
        assert seen["ends"] == {END.isoformat()}
        assert f"公示至{END.isoformat()}" in seen["page"]


@pytest.mark.parametrize("offset", OFFSETS)
def test_platform_entry_ends_on_the_same_day_everywhere(
    client: TestClient,
    session: Session,
    monkeypatch: pytest.MonkeyPatch,
    catalog: Catalog,
    calendar: Calendar,
    api_key: str,
    offset: int,
) -> None:
    subject = make_subject(session, name="示范区期满商贸有限公司")
    entry = listed(session, subject, "watch", catalog=catalog, calendar=calendar, actor=OFFICER,
                   proposed_on=date(2026, 11, 23))  # fmt: skip
    assert entry.decided_on is not None
    end = clock.period_last_day(entry.decided_on, 12)
    assert entry.valid_until == end
    day = end + timedelta(days=offset)
    seen = _seen(client, monkeypatch, session, subject.code, str(entry.decision_number), day,
                 api_key)  # fmt: skip
    expected = offset <= 0
    assert {k: seen[k] for k in ("portal", "api", "check", "cli")} == dict.fromkeys(
        ("portal", "api", "check", "cli"), expected
    )
    if expected:
        assert seen["ends"] == {end.isoformat()}
        assert f"有效期至 {end.isoformat()}" in seen["page"]
    _, username = make_user(session, Role.ENTERPRISE, subject=subject)
    client.post("/admin/login", data={"username": username, "password": "password123",
                "next": "/me/"}, follow_redirects=False)  # fmt: skip
    home = client.get("/me/").text
    assert (str(entry.decision_number) in home) is expected


@pytest.mark.parametrize("offset", OFFSETS)
def test_early_exit_minimum_is_the_same_for_imported_and_platform_entries(
    session: Session, catalog: Catalog, calendar: Calendar, offset: int
) -> None:
    """Both sources count the minimum with `lists.early_exit_min_until` (they were a day apart)."""
    subject = make_subject(session)
    entry = listed(session, subject, "wage_arrears", catalog=catalog, calendar=calendar,
                   actor=OFFICER, proposed_on=date(2026, 11, 23))  # fmt: skip
    assert entry.decided_on is not None
    lt = catalog.list_type("wage_arrears")
    data = {"list_type": lt.title, "decision_number": "外部〔2026〕1号"}
    imported = make_record(session, make_subject(session), info_class="serious_list",
                           decision_date=entry.decided_on, data=data)  # fmt: skip

    day = clock.period_last_day(entry.decided_on, 6) + timedelta(days=offset)
    platform = eligibility.entry_period(entry, lt)
    external = eligibility.disclosure_period(imported, catalog, today=day)
    assert (
        platform.min_until == external.min_until == lists.early_exit_min_until(entry.decided_on, lt)
    )
    by_entry = repair.check_entry_eligibility(session, entry, catalog=catalog, today=day)
    by_record = eligibility.evaluate(
        imported, external, eligibility.Facts(frozenset(), True, True), today=day, catalog=catalog
    )
    met = {c.id: c.met for c in by_entry.conditions}["min_period"]
    assert met == {c.id: c.met for c in by_record.conditions}["min_period"] == (offset > 0)
    refusal = lists.early_exit_refusal(lt, entry.decided_on, day)
    assert (refusal is None) == (offset > 0)


# ---- both paths of the joint check on PostgreSQL ---------------------------------------------


@pytest.fixture
def committed_defaulter(engine: Engine) -> Iterator[str]:
    with Session(engine) as s, s.begin():
        court = make_provider(s, name="示范区中级人民法院", kind="court")
        subject = make_subject(s)
        _defaulter(s, court, subject)
        ids = (subject.id, subject.code, court.id)
    yield ids[1]
    delete_committed(engine, ids[0], ids[2])


@pytest.mark.postgres
@pytest.mark.parametrize("offset", OFFSETS)
def test_fast_path_agrees_on_the_days_around_an_end(
    engine: Engine, catalog: Catalog, committed_defaulter: str, offset: int
) -> None:
    from xinyong.measures.fast import FastCheck  # noqa: PLC0415

    system = Actor(kind="api_client", id=9, label="接口:招投标系统", role=Role.SYSTEM)
    day = END + timedelta(days=offset)
    with Session(engine) as s:
        sync = measures.check(s, committed_defaulter, "bidding", catalog=catalog, actor=system,
                              today=day)  # fmt: skip
        s.rollback()

    async def fast_check() -> measures.CheckAnswer:
        fast = FastCheck(engine.url.set(drivername="postgresql").render_as_string(False))
        await fast.open()
        try:
            return await fast.check(committed_defaulter, "bidding", catalog=catalog,
                                    actor=system, today=day)  # fmt: skip
        finally:
            await fast.close()

    answer = asyncio.run(fast_check())
    ends = {h.hit.valid_until for h in (*sync.hits, *answer.hits)}
    assert bool(sync.hits) == bool(answer.hits) == (offset <= 0)
    assert ends == ({END} if offset <= 0 else set())
