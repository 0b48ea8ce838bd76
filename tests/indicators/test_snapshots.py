"""Closed months are materialised on first read and refreshed on demand; the running month is
always live. The dashboard is read from its stored document and never computed by a reader."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.factories import make_record, make_subject
from xinyong import indicators
from xinyong.catalog import Catalog
from xinyong.config import REPO_ROOT
from xinyong.db.tables import IndicatorSnapshot
from xinyong.indicators import snapshots


def test_closed_months_are_stored_and_refreshed(session: Session, catalog: Catalog) -> None:
    defs = indicators.load(REPO_ROOT / "catalogs")
    period = indicators.Period.of("2026-11", today=date(2026, 11, 23), catalog=catalog)
    october = datetime(2026, 10, 5, tzinfo=UTC)
    subject = make_subject(session, created_at=october)
    make_record(session, subject, created_at=october)
    first = dict(indicators.trend(session, defs, period, "records_collected", 2))
    assert first == {"2026-10": 1, "2026-11": 1}
    stored = session.execute(select(func.count()).select_from(IndicatorSnapshot)).scalar_one()
    assert stored == 1  # October only: November is still running
    make_record(session, subject, created_at=october)  # arrives late, dated inside October
    assert dict(indicators.trend(session, defs, period, "records_collected", 2)) == {
        "2026-10": 1, "2026-11": 2}  # fmt: skip
    closed = indicators.Period.of("2026-10", today=date(2026, 11, 23), catalog=catalog)
    assert snapshots.refresh(session, closed) == len(indicators.COMPUTERS)
    assert dict(indicators.trend(session, defs, period, "records_collected", 2))["2026-10"] == 2


def test_the_dashboard_is_read_from_its_snapshot_until_it_is_refreshed(
    session: Session, catalog: Catalog
) -> None:
    from datetime import timedelta  # noqa: PLC0415

    from xinyong import jobs  # noqa: PLC0415
    from xinyong.audit import Actor  # noqa: PLC0415
    from xinyong.indicators import dashboard  # noqa: PLC0415

    defs = indicators.load(REPO_ROOT / "catalogs")
    today = date(2026, 11, 23)
    period = indicators.Period.of("2026-11", today=today, catalog=catalog)
    office = Actor.system("test")
    november = datetime(2026, 11, 5, tzinfo=UTC)
    subject = make_subject(session, created_at=november)
    make_record(session, subject, created_at=november)

    def collected(board: dashboard.Dashboard) -> float | None:
        return next(f.value for f in board.figures if f.key == "records_collected")

    empty = dashboard.current(session, defs, period, actor=office)
    assert (empty.figures, empty.computed_at, empty.stale) == ([], None, "2026-11 的看板尚未计算")
    jobs.run("dashboard", session, today=today, catalog=catalog, definitions=defs)
    first = dashboard.current(session, defs, period, actor=office)
    assert collected(first) == 1
    assert first.computed_at is not None
    assert first.seconds is not None
    assert first.stale is None
    make_record(session, subject, created_at=november)
    soon = first.computed_at + timedelta(minutes=1)
    cached = dashboard.current(session, defs, period, actor=office, now=soon)
    assert (collected(cached), cached.computed_at) == (1, first.computed_at)  # the snapshot
    assert cached.table("indicators") == first.table("indicators")
    assert [c.as_json() for c in cached.charts] == [c.as_json() for c in first.charts]

    later = first.computed_at + dashboard.MAX_AGE + timedelta(seconds=1)
    aged = dashboard.current(session, defs, period, actor=office, now=later)
    assert (collected(aged), aged.computed_at) == (1, first.computed_at)  # a reader never computes
    assert aged.stale == "距上次计算已超过 10 分钟"

    make_record(session, subject, created_at=november)
    result = jobs.run("dashboard", session, today=today, catalog=catalog, definitions=defs)
    assert (result["month"], result["figures"]) == ("2026-11", len(defs.indicators))
    now = dashboard.current(session, defs, period, actor=office, now=result["computed_at"])
    assert collected(now) == 3
    assert now.computed_at == result["computed_at"]

    tomorrow = indicators.Period.of("2026-11", today=date(2026, 11, 24), catalog=catalog)
    next_day = dashboard.current(session, defs, tomorrow, actor=office)
    assert (collected(next_day), next_day.stale) == (3, "数据截至 2026-11-23，今日尚未重新计算")
    stored = session.execute(
        select(func.count()).where(IndicatorSnapshot.key == dashboard.SNAPSHOT_KEY)
    ).scalar_one()
    assert stored == 1  # one document per month, replaced


def test_the_wall_screen_reads_the_stored_dashboard(session: Session, catalog: Catalog) -> None:
    """/screen reads the public section of the month's stored dashboard, as /admin/dashboard
    does: a record added after the refresh shows once the job has run again."""
    from datetime import timedelta  # noqa: PLC0415

    from xinyong import jobs  # noqa: PLC0415
    from xinyong.indicators import dashboard  # noqa: PLC0415

    defs = indicators.load(REPO_ROOT / "catalogs")
    today = date(2026, 11, 23)
    period = indicators.Period.of("2026-11", today=today, catalog=catalog)
    november = datetime(2026, 11, 5, tzinfo=UTC)
    subject = make_subject(session, created_at=november)
    make_record(session, subject, created_at=november)
    done = jobs.run("dashboard", session, today=today, catalog=catalog, definitions=defs)

    def collected(data: dict[str, object]) -> object:
        figures = data["figures"]
        assert isinstance(figures, list)
        return next(f["value"] for f in figures if f["key"] == "records_collected")

    make_record(session, subject, created_at=november)
    soon = done["computed_at"] + timedelta(minutes=1)
    stored = dashboard.screen(session, defs, period, now=soon)
    assert collected(stored) == 1  # the stored document, not a live count
    beijing = (done["computed_at"] + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M:%S")
    assert stored["computed_at"] == beijing
    assert stored["month"] == "2026-11"
    assert [f["key"] for f in stored["figures"]] == [i.key for i in defs.indicators if i.screen]
    later = done["computed_at"] + dashboard.MAX_AGE + timedelta(seconds=1)
    assert collected(dashboard.screen(session, defs, period, now=later)) == 1  # never on read
    jobs.run("dashboard", session, today=today, catalog=catalog, definitions=defs)
    assert collected(dashboard.screen(session, defs, period, now=later)) == 2
    rows = session.execute(
        select(func.count()).where(IndicatorSnapshot.key.startswith("@"))
    ).scalar_one()
    assert rows == 1  # one document serves the office's page and the wall screen
