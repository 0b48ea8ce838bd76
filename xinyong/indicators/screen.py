"""The wall screen (信用大屏, /screen): public aggregate figures only — counts and rates, never a
name, an identifier or a row. Which indicators appear is data (`screen: true` in the catalog).

Its section is computed with the dashboard from the same figures and stored in the same document
(`dashboard.screen` reads it as stored: readers never compute)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xinyong.db.tables import Record
from xinyong.enums import ListKind
from xinyong.indicators.definitions import Definitions
from xinyong.indicators.figures import Figure
from xinyong.indicators.period import Period
from xinyong.lists.counts import ListCount

TRENDS = ("records_collected", "joint_checks")


def keys(definitions: Definitions) -> list[str]:
    """The indicators the screen shows, in catalog order."""
    return [i.key for i in definitions.indicators if i.screen]


def section(
    session: Session, definitions: Definitions, period: Period, found: list[Figure],
    points: dict[str, list[tuple[str, Any]]], in_force: list[ListCount],
) -> dict[str, Any]:  # fmt: skip
    """Everything the wall screen shows, as one JSON document, from the dashboard's figures,
    trend points and list counts."""
    shown = keys(definitions)
    by_key = {f.key: f for f in found}
    trends: dict[str, dict[str, Any]] = {}
    for key in TRENDS:
        if key in shown:
            indicator = definitions.get(key)
            trends[key] = {"title": indicator.title, "unit": indicator.unit,
                           "labels": [m for m, _ in points[key]],
                           "data": [v for _, v in points[key]]}  # fmt: skip
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
        "figures": [{**by_key[k].as_json(), "met": by_key[k].target_met} for k in shown],
        "trends": trends,
        "lists": [
            {"title": c.title, "count": c.entries, "red": c.kind == ListKind.RED.value}
            for c in sorted(in_force, key=lambda c: c.title)
        ],
        "new_records": [{"title": titles.get(c, c), "count": int(n)} for c, n in new_records],
    }
