"""上报及时率 with the working-day calendar; a year without calendar data is "unknown"."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from tests.collection.conftest import penalty_rows, to_csv
from xinyong import collection
from xinyong.audit import Actor
from xinyong.catalog import Catalog
from xinyong.clock import Calendar
from xinyong.collection import Submission, quality
from xinyong.db.tables import Provider


def test_timeliness_counts_working_days_and_unknown_years_do_not_crash(
    session: Session, provider: Provider, catalog: Catalog, calendar: Calendar, operator: Actor
) -> None:
    rows = penalty_rows(4)
    # received 2026-10-13; 2026-09-30 + 7 working days (国庆 off, 10-10 worked) = 10-15
    rows[0][13], rows[0][14] = "2026-09-30", "2026-12-31"  # timely
    rows[1][13], rows[1][14] = "2026-09-18", "2026-12-31"  # late
    rows[2][13], rows[2][14] = "2003-05-06", "2026-12-31"  # no calendar for 2003: unknown
    rows[3][13], rows[3][14] = "2026-10-12", "2026-12-31"  # timely
    sub = Submission("penalty", provider.uscc, data=to_csv(rows), file_name="q.csv")
    report = collection.collect(
        session, sub, catalog=catalog, calendar=calendar, actor=operator, today=date(2026, 10, 13)
    )
    assert report.accepted == 4
    assert any("2003 年的工作日历尚未录入" in w for w in report.warnings)
    [month] = quality.monthly(session, provider_id=provider.id)
    assert (month.month, month.timely, month.late, month.unknown) == ("2026-10", 2, 1, 1)
    assert month.timeliness_rate == 2 / 3
    assert month.compliance_rate == 1.0


def test_rejection_causes_and_completeness_per_provider(
    session: Session,
    provider: Provider,
    catalog: Catalog,
    calendar: Calendar,
    today: date,
    operator: Actor,
) -> None:
    rows = penalty_rows(5)
    rows[0][13] = "?"
    rows[1][13] = "昨天"
    sub = Submission("penalty", provider.uscc, data=to_csv(rows), file_name="q.csv")
    collection.collect(
        session, sub, catalog=catalog, calendar=calendar, actor=operator, today=today
    )
    causes = quality.rejection_causes(session, provider_id=provider.id)
    assert [(code, n) for code, n, _ in causes] == [("collection.bad_date", 2)]
    assert "日期" in causes[0][2]  # the page shows the Chinese message, not only the code
    found = quality.completeness(session, catalog, provider_id=provider.id)
    rates = {(c, f): r for c, f, r in found}
    assert rates[("行政处罚信息", "行政处罚决定书文号")] == 1.0
    assert rates[("行政处罚信息", "备注")] == 0.0
