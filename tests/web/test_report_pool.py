"""Reports issued whole by the app's report processes (`reports.pool`, `reports.worker`).

The app runs with its lifespan (the report pool of one process, as served) on a database with
real commits: the report process's own transaction stores the row and writes the query log;
consent errors cross the process boundary as the same 403; too many reports at once answer 503
with Retry-After, JSON for the API and a Chinese page for a browser.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.databases import drop_database, migrated_database
from tests.factories import make_subject
from tests.factories.workflows import make_user
from xinyong import auth, consent, signing, subjects
from xinyong.audit import Actor
from xinyong.config import Settings
from xinyong.db.session import make_engine, make_sessionmaker, transaction
from xinyong.db.tables import QueryLogEntry, Report
from xinyong.enums import Role
from xinyong.reports import pool as report_pool
from xinyong.web.app import create_app

TODAY = date(2026, 11, 23)


@pytest.fixture
def served(
    settings: Settings, tmp_path: Path, db_kind: str
) -> Iterator[tuple[TestClient, Settings]]:
    """The app with its report pool (one process) on a database its processes can see: one of
    its own, since this test commits."""
    server, name = settings.database_url, "xinyong_test_report_pool"
    postgres = db_kind == "postgresql"
    url = migrated_database(server, name, tmp_path)
    key = tmp_path / "keys" / "office-sm2.pem"
    signing.ensure_key(key)
    settings = settings.model_copy(
        update={
            "database_url": url, "signing_key": key, "today": TODAY, "report_workers": 1,
            "data_dir": tmp_path, "report_slots": 1,
        }
    )  # fmt: skip
    app = create_app(settings)
    with TestClient(app) as client:
        yield client, settings
    app.state.engine.dispose()
    if postgres:
        drop_database(server, name)


def test_a_report_process_issues_and_logs_in_its_own_transaction(
    served: tuple[TestClient, Settings],
) -> None:
    client, settings = served
    engine = make_engine(settings.database_url)
    factory = make_sessionmaker(engine)
    with transaction(factory) as s:
        subject = make_subject(s, name="报告进程测试有限公司")
        owner, _ = make_user(s, Role.ENTERPRISE, subject=subject)
        bank, key = auth.create_api_client(s, "报告进程测试银行", Role.BANK, actor=Actor.system())
        code, subject_id, bank_ref = subject.code, subject.id, f"api_client:{bank.id}"

    public = client.post("/api/v1/reports", json={"code": code})
    assert public.status_code == 200, public.text
    assert public.content[:5] == b"%PDF-"
    number = public.headers["X-Report-Number"]
    assert client.get(f"/api/v1/reports/{number}/verify").json()["verdict"] == "authentic"

    special = {"code": code, "kind": "special", "domains": ["market_regulation"],
               "purpose": "授信审查", "format": "number"}  # fmt: skip
    refused = client.post("/api/v1/reports", json=special, headers={"X-API-Key": key})
    assert refused.status_code == 403
    assert refused.json()["error"] == "consent.no_basis"
    missing = client.post("/api/v1/reports", json={"code": "91110000000000000X"})
    assert missing.status_code == 404

    with transaction(factory) as s:
        subject = subjects.get(s, subject_id)
        grant = consent.grant(
            s, subject, consent.parse_grantee(s, bank_ref), purpose="授信审查",
            scopes=["special_report"], valid_from=TODAY, valid_until=TODAY + timedelta(days=30),
            actor=owner, today=TODAY,
        )  # fmt: skip
        grant_id = grant.id
    got = client.post("/api/v1/reports", json=special, headers={"X-API-Key": key})
    assert got.status_code == 200, got.text
    made = got.json()
    with factory() as s:
        row = s.execute(select(Report).where(Report.number == made["number"])).scalar_one()
        assert row.digest == made["digest"]
        logged = s.execute(
            select(QueryLogEntry).where(QueryLogEntry.subject_id == subject_id)
        ).scalar_one()
        assert (logged.consent_id, logged.basis, logged.surface) == (grant_id, "consent", "report")
        assert (logged.detail or {})["report"] == made["number"]
    engine.dispose()


def test_a_report_waits_for_the_machine_wide_slot_another_process_holds(
    served: tuple[TestClient, Settings],
) -> None:
    """One slot (settings report_slots = 1): while another process of the machine holds it, the
    report process waits in the kernel, then issues the report as soon as the slot is free."""
    client, settings = served
    engine = make_engine(settings.database_url)
    with transaction(make_sessionmaker(engine)) as s:
        code = make_subject(s, name="报告名额测试有限公司").code
    engine.dispose()
    assert client.post("/api/v1/reports", json={"code": code}).status_code == 200  # started
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(settings.data_dir)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        start = time.monotonic()
        got = client.post("/api/v1/reports", json={"code": code, "format": "number"})
        waited = time.monotonic() - start
    finally:
        holder.kill()
        holder.wait()
    assert got.status_code == 200, got.text
    assert waited >= HELD_FOR * 0.9


HELD_FOR = 1.0
HOLD = f"""
import sys, time
from pathlib import Path
from xinyong.reports import worker
from xinyong.config import Settings
gate = worker.machine_slots(Settings(data_dir=Path(sys.argv[1]), report_slots=1))
with gate.held(5.0):
    print("held", flush=True)
    time.sleep({HELD_FOR})
time.sleep(60)
"""


def test_too_many_reports_at_once_answer_503_with_retry_after(
    served: tuple[TestClient, Settings], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, _settings = served
    monkeypatch.setattr(report_pool, "QUEUE_PER_WORKER", 0)  # every report finds the queue full
    api = client.post("/api/v1/reports", json={"code": "91110000000000000X"})
    assert api.status_code == 503
    assert api.headers["Retry-After"] == str(report_pool.RETRY_AFTER)
    assert api.json()["error"] == "reports.busy"
    page = client.post(
        "/reports/request", data={"code": "91110000000000000X"}, headers={"accept": "text/html"}
    )
    assert page.status_code == 503
    assert page.headers["Retry-After"] == str(report_pool.RETRY_AFTER)
    assert "请 5 秒后重试" in page.text
    assert page.headers["content-type"].startswith("text/html")


def test_admission_lets_one_report_in_per_process_and_refuses_a_long_wait(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(report_pool, "MAX_WAIT", 0.05)
    gate = report_pool.RenderPool(1)
    order: list[str] = []

    async def first() -> None:
        async with gate.admitted():
            order.append("first in")
            await asyncio.sleep(0.2)
        order.append("first out")

    async def second() -> None:
        await asyncio.sleep(0.01)
        assert gate.waiting == 0
        with pytest.raises(report_pool.Busy):
            async with gate.admitted():
                order.append("second in")
        order.append("second refused")

    async def both() -> None:
        await asyncio.gather(first(), second())
        async with gate.admitted():  # the slot was given back
            order.append("third in")

    asyncio.run(both())
    assert order == ["first in", "second refused", "first out", "third in"]
    assert gate.waiting == 0
