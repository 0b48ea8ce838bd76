"""The credit office's dashboard (/admin/dashboard): every table and chart as data, each row
linking to the rows behind it (tables and rows in `breakdowns.py`), and the wall screen's public
section (`screen.py`), computed with it.

Materialised: `refresh` builds the whole dashboard (seconds at a million subjects) and stores it as
one document in `indicator_snapshots` with its computation time. Readers never compute: `current`
— what the page and the XLSX export read — and `screen` — what the public wall screen reads —
answer from the stored document with its time ("更新于"), saying when it is out of date (`_stale`,
the one freshness rule: same day (`as_of`), same catalog version, not marked by a hand-entered
value, and, for the running month, computed less than `MAX_AGE` ago), and an empty dashboard
when none is stored. Recomputing is `xinyong jobs run dashboard` (cron, more often than
`MAX_AGE`) or an office administrator's 刷新 (`refresh_now`, audited). Entering a manual value
marks the month's document out of date (`snapshots.mark_documents_stale`). The rows behind a
figure are always read live.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from xinyong import audit, clock
from xinyong.audit import Actor, AuditAction
from xinyong.enums import Role
from xinyong.errors import Forbidden
from xinyong.indicators import screen as wall_screen
from xinyong.indicators import snapshots
from xinyong.indicators.breakdowns import (
    SECTIONS,
    Table,
    UnknownBreakdown,
    breakdown_link,
    check_table,
    department_ranking,
    figure_link,
    list_table,
    region_table,
    repair_table,
    rows_behind,
    sector_table,
)
from xinyong.indicators.compute import Rows
from xinyong.indicators.definitions import Definitions
from xinyong.indicators.figures import Figure, figures, trend
from xinyong.indicators.period import Period
from xinyong.lists import counts as list_counts

__all__ = [
    "MAX_AGE", "SECTIONS", "SNAPSHOT_KEY", "Chart", "Dashboard", "Table", "UnknownBreakdown",
    "breakdown_link", "breakdown_rows", "build", "current", "department_ranking", "figure_link",
    "refresh", "refresh_now", "require_office", "screen",
]  # fmt: skip

OFFICE = (Role.ADMIN, Role.AUDITOR)  # the credit office and its auditors read the dashboard
TREND_MONTHS = 12
TRENDS = ("records_collected", "collection_timeliness", "repair_timeliness", "joint_checks",
          "check_feedback_rate")  # fmt: skip
SNAPSHOT_KEY = "@dashboard"
MAX_AGE = timedelta(minutes=10)


def require_office(actor: Actor) -> None:
    """The dashboard and the rows behind it are for the credit office (and its auditors)."""
    if actor.role not in OFFICE:
        raise Forbidden("信用工作看板仅限信用办管理员和审计员查看")


@dataclass(frozen=True, slots=True)
class Chart:
    id: str
    title: str
    kind: str  # line | bar | pie
    labels: list[str]
    series: list[tuple[str, list[float | None]]]
    links: list[str | None]

    def as_json(self) -> dict[str, Any]:
        series = [{"name": n, "data": d} for n, d in self.series]
        return {"id": self.id, "title": self.title, "kind": self.kind, "labels": self.labels,
                "series": series, "links": self.links}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Dashboard:
    period: Period
    figures: list[Figure]
    tables: list[Table]
    charts: list[Chart]
    screen: dict[str, Any] = field(default_factory=dict)  # the wall screen's public section
    computed_at: datetime | None = None  # when the figures were computed (UTC); None: never
    seconds: float | None = None  # how long computing them took
    stale: str | None = None  # why the stored figures are out of date (None: up to date)

    def table(self, table_id: str) -> Table | None:
        return next((t for t in self.tables if t.id == table_id), None)

    @property
    def computed_at_beijing(self) -> str:
        if self.computed_at is None:
            return ""
        return clock.in_beijing(self.computed_at).strftime("%Y-%m-%d %H:%M:%S")

    def as_document(self) -> dict[str, Any]:
        return {
            "as_of": self.period.as_of.isoformat(),
            "catalog": self.period.catalog.version,
            "figures": [[f.key, f.value, f.entered_from,
                         f.entered_on.isoformat() if f.entered_on else None]
                        for f in self.figures],
            "tables": [{"id": t.id, "title": t.title, "headers": list(t.headers),
                        "rows": [list(r) for r in t.rows], "links": t.links}
                       for t in self.tables],
            "charts": [c.as_json() for c in self.charts],
            "screen": self.screen,
        }  # fmt: skip


def current(
    session: Session, definitions: Definitions, period: Period, *, actor: Actor,
    now: datetime | None = None, max_age: timedelta = MAX_AGE,
) -> Dashboard:  # fmt: skip
    """The month's stored dashboard with its computation time and, when out of date, why; an
    empty one when none is stored. Never computes (the job or `refresh_now` does)."""
    require_office(actor)
    return _stored(session, definitions, period, now=now, max_age=max_age)


def screen(
    session: Session, definitions: Definitions, period: Period, *, now: datetime | None = None,
    max_age: timedelta = MAX_AGE,
) -> dict[str, Any]:  # fmt: skip
    """The wall screen's data: the public section of the month's stored dashboard (aggregates
    only, anyone may read it), with when it was computed (Beijing time). Never computes."""
    board = _stored(session, definitions, period, now=now, max_age=max_age)
    empty = {"month": period.month, "as_of": period.as_of.isoformat(), "figures": [],
             "trends": {}, "lists": [], "new_records": []}  # fmt: skip
    return {**(board.screen or empty), "computed_at": board.computed_at_beijing}


def refresh(
    session: Session, definitions: Definitions, period: Period, *, actor: Actor
) -> Dashboard:
    """Compute the whole dashboard now and store it as the month's document (the job)."""
    require_office(actor)
    return _refresh(session, definitions, period)


def refresh_now(
    session: Session, definitions: Definitions, period: Period, *, actor: Actor
) -> Dashboard:
    """刷新: an office administrator recomputes the month's dashboard now; audited."""
    if actor.role != Role.ADMIN:
        raise Forbidden("仅信用办管理员可以刷新看板")
    board = _refresh(session, definitions, period)
    audit.record(session, actor, AuditAction.DASHBOARD_REFRESHED, target_type="dashboard",
                 target_id=period.month, after={"as_of": period.as_of,
                 "computed_at": board.computed_at, "seconds": board.seconds})  # fmt: skip
    return board


def _stale(
    stored: snapshots.Document, period: Period, *, now: datetime | None, max_age: timedelta
) -> str | None:
    """Why a stored dashboard is out of date, None when it is not (the one freshness rule)."""
    data = stored.data
    if data.get("as_of") != period.as_of.isoformat():
        return f"数据截至 {data.get('as_of')}，今日尚未重新计算"
    if data.get("catalog") != period.catalog.version:
        return "目录已更新，尚未按新目录重新计算"
    if data.get("stale"):
        return str(data["stale"])
    if not snapshots.closed(period) and (now or clock.now()) - stored.computed_at > max_age:
        return f"距上次计算已超过 {int(max_age.total_seconds() // 60)} 分钟"
    return None


def _stored(
    session: Session, definitions: Definitions, period: Period, *, now: datetime | None,
    max_age: timedelta,
) -> Dashboard:  # fmt: skip
    stored = snapshots.read_document(session, SNAPSHOT_KEY, period.month)
    board = _from_document(stored, definitions, period) if stored is not None else None
    if stored is None or board is None:
        why = f"{period.month} 的看板尚未计算" if stored is None else "指标定义已变更，尚未重新计算"
        return Dashboard(period, [], [], [], {}, stale=why)
    return replace(board, stale=_stale(stored, period, now=now, max_age=max_age))


def _refresh(session: Session, definitions: Definitions, period: Period) -> Dashboard:
    started = time.perf_counter()
    board = _build(session, definitions, period)
    seconds = round(time.perf_counter() - started, 3)
    computed_at = clock.now()
    snapshots.store_document(session, SNAPSHOT_KEY, period.month, board.as_document(),
                             computed_at=computed_at, seconds=seconds)  # fmt: skip
    return Dashboard(period, board.figures, board.tables, board.charts, board.screen,
                     computed_at, seconds)  # fmt: skip


def _from_document(
    stored: snapshots.Document, definitions: Definitions, period: Period
) -> Dashboard | None:
    """The stored dashboard, or None when it no longer matches the definitions (or was stored
    before the wall screen's section was part of it)."""
    data = stored.data
    keys = [i.key for i in definitions.indicators]
    if [f[0] for f in data["figures"]] != keys or "screen" not in data:
        return None
    if [f["key"] for f in data["screen"]["figures"]] != wall_screen.keys(definitions):
        return None
    found = [
        Figure(definitions.get(key), period.month, value, source,
               date.fromisoformat(on) if on else None)
        for key, value, source, on in data["figures"]
    ]  # fmt: skip
    tables = [
        Table(t["id"], t["title"], tuple(t["headers"]), [tuple(r) for r in t["rows"]], t["links"])
        for t in data["tables"]
    ]
    charts = [
        Chart(c["id"], c["title"], c["kind"], c["labels"],
              [(s["name"], s["data"]) for s in c["series"]], c["links"])
        for c in data["charts"]
    ]  # fmt: skip
    return Dashboard(period, found, tables, charts, data["screen"], stored.computed_at,
                     stored.seconds)  # fmt: skip


def build(session: Session, definitions: Definitions, period: Period, *, actor: Actor) -> Dashboard:
    """Compute the whole dashboard (not stored: `refresh` stores it)."""
    require_office(actor)
    return _build(session, definitions, period)


def _build(session: Session, definitions: Definitions, period: Period) -> Dashboard:
    found = figures(session, definitions, period)
    in_force = list_counts.in_force_counts(session, catalog=period.catalog, today=period.as_of)
    lists_table = list_table(session, period, in_force)
    ranking = department_ranking(session, period)
    tables = [
        _indicator_table(found),
        ranking,
        lists_table,
        repair_table(session, period),
        check_table(session, period),
        region_table(session, period),
        sector_table(session, period),
    ]
    points = {key: trend(session, definitions, period, key, TREND_MONTHS)
              for key in dict.fromkeys((*TRENDS, *wall_screen.TRENDS))}  # fmt: skip
    charts = [_trend_chart(definitions, key, points[key]) for key in TRENDS]
    members: list[float | None] = [float(r[2]) for r in lists_table.rows]
    charts.append(Chart("list_share", "在册名单构成（主体数）", "pie",
                        [str(r[0]) for r in lists_table.rows], [("主体数", members)],
                        lists_table.links))  # fmt: skip
    charts.append(Chart("departments", "部门归集质量综合得分", "bar",
                        [str(r[1]) for r in ranking.rows],
                        [("综合得分", [r[6] for r in ranking.rows])], ranking.links))  # fmt: skip
    public = wall_screen.section(session, definitions, period, found, points, in_force)
    return Dashboard(period, found, tables, charts, public)


def _indicator_table(found: list[Figure]) -> Table:
    rows = [
        (f.indicator.title, f.value, f.indicator.unit, f.target,
         {True: "达标", False: "未达标", None: "—"}[f.target_met],
         "平台计算" if f.source == "computed" else "手工录入")
        for f in found
    ]  # fmt: skip
    links: list[str | None] = [figure_link(f.key, f.month) for f in found]
    headers = ("指标", "本月值", "单位", "目标", "达成", "来源")
    return Table("indicators", "指标与目标", headers, rows, links)


def _trend_chart(definitions: Definitions, key: str, points: list[tuple[str, Any]]) -> Chart:
    indicator = definitions.get(key)
    return Chart(
        f"trend_{key}", f"{indicator.title}（{indicator.unit}）", "line",
        [m for m, _ in points], [(indicator.title, [v for _, v in points])],
        [figure_link(key, m) for m, _ in points],
    )  # fmt: skip


def breakdown_rows(
    session: Session, period: Period, kind: str, value: str, *, actor: Actor
) -> Rows:
    """The rows behind one row of a breakdown table (ID numbers masked), for the office."""
    require_office(actor)
    return rows_behind(session, period, kind, value)
