"""Delivery to a URL: two platforms exchange over HTTP. The sender's `jobs run exchange` path
POSTs the signed package (one zip) to the receiver's `POST /api/v1/exchange/packages` (a second
app on a second database, API key with the `exchange` scope); the receiver verifies the whole
package, imports it through collection and answers with counts; the same package twice changes
nothing. A refused package (a key the receiver does not trust) leaves the sender's changes
pending with the HTTP status and the receiver's reason in Chinese."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.collection.conftest import HEADERS, penalty_rows, to_csv
from tests.collection.test_exchange_delivery import admin_exchange_page
from tests.conftest import CATALOG_DIR
from xinyong import auth, collection, signing
from xinyong.audit import Actor
from xinyong.catalog import Catalog
from xinyong.clock import Calendar
from xinyong.collection import Submission
from xinyong.config import Settings
from xinyong.db.session import make_engine, make_sessionmaker
from xinyong.db.tables import Provider, Record, Subject
from xinyong.exchange import delivery, package
from xinyong.web.app import create_app

KEY = signing.generate_key()
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
URL = "http://testserver/api/v1/exchange/packages"


@pytest.fixture
def receiver(scratch_url: str, tmp_path: Path) -> Iterator[tuple[TestClient, str, Path]]:
    """The second platform: its own database and data folder; yields (client, API key, the
    folder of keys it trusts)."""
    factory = make_sessionmaker(make_engine(scratch_url))
    with factory() as s:
        _client, key = auth.add_client(s, "省级平台交换", "exchange", actor=Actor.system())
        s.commit()
    data_dir = tmp_path / "receiver"
    trusted = data_dir / "keys" / "trusted"
    trusted.mkdir(parents=True)
    settings = Settings(database_url=scratch_url, catalog_dir=CATALOG_DIR, data_dir=data_dir,
                        today=date(2026, 11, 23), search_fast_path=False)  # fmt: skip
    app = create_app(settings)
    with TestClient(app) as client:
        yield client, key, trusted
    app.state.engine.dispose()


def _records(url: str) -> int:
    with make_sessionmaker(make_engine(url))() as s:
        return int(s.execute(select(func.count()).select_from(Record)).scalar_one())


def test_pending_changes_reach_another_platform_over_http_once(
    session: Session, provider: Provider, catalog: Catalog, calendar: Calendar, today: date,
    operator: Actor, receiver: tuple[TestClient, str, Path], scratch_url: str, tmp_path: Path,
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    client, api_key, trusted = receiver
    (trusted / "sender.pem").write_bytes(KEY.public_key.public_pem())
    rows = penalty_rows(5, seed=81)  # the fifth penalises a natural person: an ID number
    person_id = rows[4][5]
    data = to_csv(rows, HEADERS)
    collection.collect(session, Submission("penalty", provider.uscc, data=data), catalog=catalog,
                       calendar=calendar, today=today, actor=operator)  # fmt: skip
    target = delivery.Target(url=URL, api_key=api_key, http=client)
    sent = delivery.send_pending(session, target=target, catalog=catalog, key=KEY, now=NOW)
    assert (sent.changes, sent.error, sent.attempts) == (5, None, 1)
    assert delivery.pending(session) == 0
    assert _records(scratch_url) == 5  # the sender's department and subjects came with them
    # government to government the ID number travels in full (the 双公示 standard's CF_XDR_SFZ) …
    with make_sessionmaker(make_engine(scratch_url))() as s:
        assert s.execute(select(Subject.code).where(Subject.code == person_id)).scalar_one()
    # … and is never written to a log in clear (the log processor masks it)
    logged = capsys.readouterr()
    assert person_id not in logged.out + logged.err + caplog.text
    again = delivery.send_pending(session, target=target, catalog=catalog, key=KEY, now=NOW)
    assert again.changes == 0  # nothing pending: nothing sent twice
    # the same package posted twice: verified, answered with counts, nothing new stored
    built = tmp_path / "again"
    package.export_package(session, built, after=None, catalog=catalog, key=KEY, node={})
    body = package.archive_bytes(built)
    headers = {"X-API-Key": api_key, "Content-Type": "application/zip",
               delivery.NODE_HEADER: KEY.public_key.key_id}  # fmt: skip
    first = client.post(URL, content=body, headers=headers)
    second = client.post(URL, content=body, headers=headers)
    assert first.status_code == second.status_code == 200, first.text
    assert second.json()["new"] == 0
    assert second.json()["accepted"] == first.json()["accepted"]
    assert second.json()["node"] == KEY.public_key.key_id
    assert _records(scratch_url) == 5


def test_a_refused_package_stays_pending_with_the_receivers_reason(
    session: Session, provider: Provider, catalog: Catalog, calendar: Calendar, today: date,
    operator: Actor, receiver: tuple[TestClient, str, Path], scratch_url: str, settings: Settings,
) -> None:  # fmt: skip
    client, api_key, _trusted = receiver  # the sender's key is not among the trusted ones
    data = to_csv(penalty_rows(2, seed=82), HEADERS)
    collection.collect(session, Submission("penalty", provider.uscc, data=data), catalog=catalog,
                       calendar=calendar, today=today, actor=operator)  # fmt: skip
    waits: list[float] = []
    target = delivery.Target(url=URL, api_key=api_key, http=client)
    sent = delivery.send_pending(session, target=target, catalog=catalog, key=KEY, now=NOW,
                                 sleep=waits.append)  # fmt: skip
    assert (sent.package, sent.attempts, waits) == (None, 1, [])  # a refusal: no retry
    assert sent.error is not None
    assert "HTTP 422" in sent.error
    assert "签名验证失败" in sent.error
    assert delivery.pending(session) == 1
    assert [f.last_error for f in delivery.failures(session)] == [sent.error]
    page = admin_exchange_page(session, settings.model_copy(update={"exchange_outbox_url": URL}))
    assert sent.error in page.text  # the clerk sees why, in Chinese, and where it was going
    assert f"接口 {URL}" in page.text
    assert _records(scratch_url) == 0  # nothing stored on the receiver
    # without the exchange scope the endpoint refuses before reading the package
    other = client.post(URL, content=b"PK", headers={"Content-Type": "application/zip"})
    assert other.status_code == 401


def test_an_unreachable_receiver_is_retried_with_backoff(
    session: Session, provider: Provider, catalog: Catalog, calendar: Calendar, today: date,
    operator: Actor,
) -> None:  # fmt: skip
    import httpx  # noqa: PLC0415

    data = to_csv(penalty_rows(1, seed=83), HEADERS)
    collection.collect(session, Submission("penalty", provider.uscc, data=data), catalog=catalog,
                       calendar=calendar, today=today, actor=operator)  # fmt: skip
    calls: list[int] = []

    def down(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(503, json={"error": "busy", "message": "系统维护中"})

    waits: list[float] = []
    with httpx.Client(transport=httpx.MockTransport(down)) as http:
        target = delivery.Target(url=URL, http=http)
        sent = delivery.send_pending(session, target=target, catalog=catalog, key=KEY, now=NOW,
                                     sleep=waits.append)  # fmt: skip
    assert (len(calls), waits, sent.attempts) == (3, [1.0, 2.0], 3)
    assert sent.error == "第 3 次发送交换包失败（HTTP 503）：系统维护中"
    assert delivery.pending(session) == 1
