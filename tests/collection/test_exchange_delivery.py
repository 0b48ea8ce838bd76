"""`xinyong jobs run exchange`: pending changes go out as one package and are marked sent, the next
run sends only what is new; a failed delivery is retried with backoff and stays pending with its
reason on /admin/exchange; received packages are imported or refused; timeliness per department."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.collection.conftest import HEADERS, penalty_rows, to_csv
from tests.factories.workflows import make_user
from xinyong import collection, signing
from xinyong.audit import Actor
from xinyong.catalog import Catalog
from xinyong.clock import Calendar
from xinyong.collection import Submission
from xinyong.config import Settings
from xinyong.db.tables import OutboxEntry, Provider
from xinyong.enums import Role
from xinyong.exchange import delivery, intake, package
from xinyong.web import deps
from xinyong.web.app import create_app

KEY = signing.generate_key()
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def _collect(session: Session, provider: Provider, seed: int, n: int, **kw: object) -> None:
    data = to_csv(penalty_rows(n, seed=seed), HEADERS)
    collection.collect(session, Submission("penalty", provider.uscc, data=data), **kw)  # type: ignore[arg-type]


def test_pending_changes_go_out_once_and_the_next_run_sends_only_new_ones(
    session: Session,
    provider: Provider,
    catalog: Catalog,
    calendar: Calendar,
    today: date,
    operator: Actor,
    tmp_path: Path,
) -> None:
    kw = {"catalog": catalog, "calendar": calendar, "today": today, "actor": operator}
    _collect(session, provider, 71, 5, **kw)
    out = tmp_path / "outbox"
    first = delivery.send_pending(session, outbox_dir=out, catalog=catalog, key=KEY, now=NOW)
    assert (first.changes, first.error, delivery.pending(session)) == (5, None, 0)
    assert [p.name for p in out.iterdir()] == [first.package]  # no half-written folder left
    again = delivery.send_pending(session, outbox_dir=out, catalog=catalog, key=KEY, now=NOW)
    assert (again.changes, again.package) == (0, None)
    _collect(session, provider, 72, 2, **kw)
    later = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    second = delivery.send_pending(session, outbox_dir=out, catalog=catalog, key=KEY, now=later)
    assert second.changes == 2  # only the new ones: nothing is sent twice
    assert second.package is not None
    contents = intake.verify(out / second.package, [KEY.public_key], catalog)
    assert len(contents.csv_rows["penalty"]) == 2
    rows = delivery.timeliness(session, calendar)
    assert [(r["provider"], r["sent"], r["on_time"]) for r in rows] == [(provider.name, 7, 7)]


def test_a_failed_delivery_is_retried_with_backoff_and_stays_pending_with_its_reason(
    session: Session,
    provider: Provider,
    catalog: Catalog,
    calendar: Calendar,
    today: date,
    operator: Actor,
    tmp_path: Path,
    settings: Settings,
) -> None:
    kw = {"catalog": catalog, "calendar": calendar, "today": today, "actor": operator}
    _collect(session, provider, 73, 3, **kw)
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("x")
    waits: list[float] = []
    sent = delivery.send_pending(session, outbox_dir=blocked, catalog=catalog, key=KEY, now=NOW,
                                 sleep=waits.append)  # fmt: skip
    assert (sent.changes, sent.attempts, waits) == (0, 3, [1.0, 2.0])
    assert sent.error is not None
    assert delivery.pending(session) == 1
    failed = delivery.failures(session)
    assert [(f.attempts, f.last_error) for f in failed] == [(3, sent.error)]
    # the admin page shows it with the reason
    page = admin_exchange_page(session, settings)
    assert page.status_code == 200
    assert "写入交换包失败" in page.text
    assert "报送及时率" in page.text


def admin_exchange_page(session: Session, settings: Settings) -> Any:
    """/admin/exchange as the credit office's admin sees it, on the test's session."""
    app = create_app(settings)

    def _session() -> Iterator[Session]:
        yield session

    app.dependency_overrides[deps._db] = _session
    _actor, username = make_user(session, Role.ADMIN)
    with TestClient(app) as client:
        client.post("/admin/login", data={"username": username, "password": "password123"})
        page = client.get("/admin/exchange")
    app.state.engine.dispose()
    return page


def test_the_inbox_imports_good_packages_and_sets_refused_ones_aside(
    session: Session,
    provider: Provider,
    catalog: Catalog,
    calendar: Calendar,
    today: date,
    operator: Actor,
    tmp_path: Path,
) -> None:
    kw = {"catalog": catalog, "calendar": calendar, "today": today, "actor": operator}
    _collect(session, provider, 74, 2, **kw)
    out = tmp_path / "out"
    sent = delivery.send_pending(session, outbox_dir=out, catalog=catalog, key=KEY, now=NOW)
    assert sent.package is not None
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (out / sent.package).rename(inbox / "a-good")
    stranger = signing.generate_key()
    package.export_package(session, inbox / "b-stranger", after=None, catalog=catalog,
                           key=stranger, node={})  # fmt: skip
    received = delivery.receive_inbox(session, inbox_dir=inbox, trusted=[KEY.public_key],
                                      catalog=catalog, calendar=calendar, actor=operator,
                                      today=today)  # fmt: skip
    assert [r["package"] for r in received] == ["a-good", "b-stranger"]
    assert received[0]["accepted"] == 2  # the same rows again: the same batch, nothing new
    assert "签名验证失败" in received[1]["refused"]
    assert sorted(p.name for p in (inbox / "done").iterdir()) == ["a-good"]
    assert (inbox / "refused" / "b-stranger.reason.txt").read_text("utf-8").startswith("清单签名")
    assert session.execute(select(OutboxEntry)).first() is not None
