"""The wall screen (信用大屏, /screen): public aggregate figures only — counts and rates, never a
name, an identifier or a row. Which indicators appear is data (`screen: true` in the catalog)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xinyong.db.tables import Record
from xinyong.enums import ListKind
from xinyong.indicators.definitions import Definitions
from xinyong.indicators.figures import figures, trend
from xinyong.indicators.period import Period
from xinyong.lists import counts as list_counts

TREND_MONTHS = 12
TRENDS = ("records_collected", "joint_checks")


def screen_data(session: Session, definitions: Definitions, period: Period) -> dict[str, Any]:
    """Everything the wall screen shows, as one JSON document."""
    keys = [i.key for i in definitions.indicators if i.screen]
    shown = figures(session, definitions, period, keys=keys)
    trends: dict[str, dict[str, Any]] = {}
    for key in TRENDS:
        if key in keys:
            points = trend(session, definitions, period, key, TREND_MONTHS)
            indicator = definitions.get(key)
            trends[key] = {"title": indicator.title, "unit": indicator.unit,
                           "labels": [m for m, _ in points],
                           "data": [v for _, v in points]}  # fmt: skip
    by_list = list_counts.in_force_counts(session, catalog=period.catalog, today=period.as_of)
    new_records = session.execute(
        select(Record.info_class, func.count())
        .where(Record.version == 1, Record.created_at >= period.since,
               Record.created_at < period.until)
        .group_by(Record.info_class)
    ).all()  # fmt: skip
    titles = {ic.id: ic.title for ic in period.catalog.info_classes.values()}
    return {
        "month": period.month,
        "as_of": period.as_of.isoformat(),
        "figures": [{**f.as_json(), "met": f.target_met} for f in shown],
        "trends": trends,
        "lists": [
            {"title": c.title, "count": c.entries, "red": c.kind == ListKind.RED.value}
            for c in sorted(by_list, key=lambda c: c.title)
        ],
        "new_records": [{"title": titles.get(c, c), "count": int(n)} for c, n in new_records],
    }
