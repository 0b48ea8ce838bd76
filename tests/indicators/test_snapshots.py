"""Closed months are materialised on first read and refreshed on demand; the running month is
always live."""

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
