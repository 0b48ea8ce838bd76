"""The credit office's dashboard (/admin/dashboard): every table and chart as data, each row
linking to the rows behind it. Figures are grouped counts in SQL; quality, repair timeliness and
list validity come from the modules that own them.

Materialised: `build` computes the whole dashboard (seconds at a million subjects); `refresh`
builds it and stores it as one document in `indicator_snapshots` with its computation time;
`current` — what the page and the XLSX export read — answers from that document while it is fresh
and refreshes it otherwise. Fresh means: same day (`as_of`), same catalog version and indicator
definitions, and, for the running month, computed less than `MAX_AGE` ago (a closed month stays
until `xinyong stats --month M --refresh`). `xinyong jobs run dashboard`, run by cron more often
than `MAX_AGE`, keeps readers from ever paying for a refresh; entering a manual value drops the
month's document (`manual.enter_value`). The rows behind a figure are always read live.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from xinyong import clock
from xinyong.audit import Actor
from xinyong.collection import quality
from xinyong.db.tables import Batch, Check, CheckFeedback, Provider, Record, Subject
from xinyong.enums import ListKind, Role
from xinyong.errors import Forbidden, NotFound
from xinyong.indicators import snapshots
from xinyong.indicators.compute import PUBLIC_CLASSES, ROW_LIMIT, Rows, entries_in_force, masked
from xinyong.indicators.definitions import Definitions
from xinyong.indicators.figures import Figure, figures, trend
from xinyong.indicators.period import BEIJING, Period
from xinyong.lists import counts as list_counts
from xinyong.repair.timeliness import timeliness as timeliness_by_authority

OFFICE = (Role.ADMIN, Role.AUDITOR)  # the credit office and its auditors read the dashboard
TREND_MONTHS = 12
TRENDS = ("records_collected", "collection_timeliness", "repair_timeliness", "joint_checks",
          "check_feedback_rate")  # fmt: skip
# 国民经济行业分类 (GB/T 4754-2017) 门类: the first letter of a subject's industry code.
SECTIONS = {
    "A": "农、林、牧、渔业", "B": "采矿业", "C": "制造业", "D": "电力、热力、燃气及水生产和供应业",
    "E": "建筑业", "F": "批发和零售业", "G": "交通运输、仓储和邮政业", "H": "住宿和餐饮业",
    "I": "信息传输、软件和信息技术服务业", "J": "金融业", "K": "房地产业",
    "L": "租赁和商务服务业", "M": "科学研究和技术服务业", "N": "水利、环境和公共设施管理业",
    "O": "居民服务、修理和其他服务业", "P": "教育", "Q": "卫生和社会工作",
    "R": "文化、体育和娱乐业", "S": "公共管理、社会保障和社会组织",
    "T": "国际组织",
}  # fmt: skip


def require_office(actor: Actor) -> None:
    """The dashboard and the rows behind it are for the credit office (and its auditors)."""
    if actor.role not in OFFICE:
        raise Forbidden("信用工作看板仅限信用办管理员和审计员查看")


@dataclass(frozen=True, slots=True)
class Table:
    id: str
    title: str
    headers: tuple[str, ...]
    rows: list[tuple[Any, ...]]
    links: list[str | None] = field(default_factory=list)  # one per row: the rows behind it


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
    computed_at: datetime | None = None  # when the figures were computed (UTC)
    seconds: float | None = None  # how long computing them took

    def table(self, table_id: str) -> Table | None:
        return next((t for t in self.tables if t.id == table_id), None)

    @property
    def computed_at_beijing(self) -> str:
        if self.computed_at is None:
            return ""
        return (self.computed_at + BEIJING).strftime("%Y-%m-%d %H:%M:%S")

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
        }  # fmt: skip


SNAPSHOT_KEY = "@dashboard"
MAX_AGE = timedelta(minutes=10)


def current(
    session: Session, definitions: Definitions, period: Period, *, actor: Actor,
    now: datetime | None = None, max_age: timedelta = MAX_AGE,
) -> Dashboard:  # fmt: skip
    """The month's dashboard from its stored document while fresh; refreshed otherwise."""
    require_office(actor)
    stored = snapshots.read_document(session, SNAPSHOT_KEY, period.month)
    if stored is not None:
        age = (now or clock.now()) - stored.computed_at
        board = _from_document(stored, definitions, period)
        if board is not None and (snapshots.closed(period) or age <= max_age):
            return board
    return refresh(session, definitions, period, actor=actor)


def refresh(
    session: Session, definitions: Definitions, period: Period, *, actor: Actor
) -> Dashboard:
    """Compute the whole dashboard now and store it as the month's document."""
    started = time.perf_counter()
    board = build(session, definitions, period, actor=actor)
    seconds = round(time.perf_counter() - started, 3)
    computed_at = clock.now()
    snapshots.store_document(session, SNAPSHOT_KEY, period.month, board.as_document(),
                             computed_at=computed_at, seconds=seconds)  # fmt: skip
    return Dashboard(period, board.figures, board.tables, board.charts, computed_at, seconds)


def _from_document(
    stored: snapshots.Document, definitions: Definitions, period: Period
) -> Dashboard | None:
    """The stored dashboard, or None when it no longer matches the day, catalog or definitions."""
    data = stored.data
    keys = [i.key for i in definitions.indicators]
    if (data.get("as_of"), data.get("catalog")) != (period.as_of.isoformat(),
                                                    period.catalog.version):  # fmt: skip
        return None
    if [f[0] for f in data["figures"]] != keys:
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
    return Dashboard(period, found, tables, charts, stored.computed_at, stored.seconds)


def figure_link(key: str, month: str) -> str:
    return f"/admin/dashboard/figures/{key}?month={month}"


def breakdown_link(kind: str, value: object, month: str) -> str:
    return f"/admin/dashboard/rows/{kind}/{value}?month={month}"


def _pct(value: float | None) -> float | None:
    return None if value is None else round(100 * value, 2)


def build(session: Session, definitions: Definitions, period: Period, *, actor: Actor) -> Dashboard:
    require_office(actor)
    found = figures(session, definitions, period)
    tables = [
        _indicator_table(found),
        department_ranking(session, period),
        _list_table(session, period),
        _repair_table(session, period),
        _check_table(session, period),
        _region_table(session, period),
        _sector_table(session, period),
    ]
    charts = [_trend_chart(session, definitions, period, key) for key in TRENDS]
    lists_table = tables[2]
    members: list[float | None] = [float(r[2]) for r in lists_table.rows]
    charts.append(Chart("list_share", "在册名单构成（主体数）", "pie",
                        [str(r[0]) for r in lists_table.rows], [("主体数", members)],
                        lists_table.links))  # fmt: skip
    ranking = tables[1]
    charts.append(Chart("departments", "部门归集质量综合得分", "bar",
                        [str(r[1]) for r in ranking.rows],
                        [("综合得分", [r[6] for r in ranking.rows])], ranking.links))  # fmt: skip
    return Dashboard(period, found, tables, charts)


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


def _trend_chart(session: Session, definitions: Definitions, period: Period, key: str) -> Chart:
    points = trend(session, definitions, period, key, TREND_MONTHS)
    indicator = definitions.get(key)
    return Chart(
        f"trend_{key}", f"{indicator.title}（{indicator.unit}）", "line",
        [m for m, _ in points], [(indicator.title, [v for _, v in points])],
        [figure_link(key, m) for m, _ in points],
    )  # fmt: skip


def department_ranking(session: Session, period: Period) -> Table:
    """Departments ranked by the mean of 上报及时率, 合规率, 字段完整率 and (1 − 重错码率)."""
    found = quality.monthly(session, since=period.start, until=period.end)
    months = {q.provider_id: q for q in found}
    wrong = {w.provider_id: w for w in quality.wrong_codes(session, since=period.start,
                                                           until=period.end)}  # fmt: skip
    rows: list[tuple[Any, ...]] = []
    for pid, q in months.items():
        fills = [rate for _c, _f, rate in quality.completeness(session, period.catalog,
                                                               provider_id=pid)]  # fmt: skip
        complete = sum(fills) / len(fills) if fills else None
        w = wrong.get(pid)
        wrong_rate = w.rate if w else None
        parts = [q.timeliness_rate, q.compliance_rate, complete,
                 None if wrong_rate is None else 1 - wrong_rate]  # fmt: skip
        known = [p for p in parts if p is not None]
        score = round(100 * sum(known) / len(known), 1) if known else None
        rows.append((pid, q.provider_name, _pct(q.timeliness_rate), _pct(q.compliance_rate),
                     _pct(complete), _pct(wrong_rate), score))  # fmt: skip
    rows.sort(key=lambda r: (r[6] is None, -(r[6] or 0), r[1]))
    ranked = [(i + 1, *r[1:]) for i, r in enumerate(rows)]
    links: list[str | None] = [breakdown_link("department", r[0], period.month) for r in rows]
    headers = ("排名", "报送部门", "上报及时率%", "合规率%", "字段完整率%", "重错码率%", "综合得分")
    return Table("departments", "部门归集质量排名", headers, ranked, links)


def _list_table(session: Session, period: Period) -> Table:
    found = list_counts.in_force_counts(session, catalog=period.catalog, today=period.as_of)
    subjects = _subject_total(session, period)
    found = sorted(found, key=lambda c: c.title)
    rows = [
        (c.title, "守信激励" if c.kind == ListKind.RED.value else "失信惩戒", c.subjects,
         round(100 * c.subjects / subjects, 2) if subjects else None)
        for c in found
    ]  # fmt: skip
    links: list[str | None] = [
        breakdown_link("list", c.list_type or c.title, period.month) for c in found
    ]
    headers = ("名单", "类别", "在册主体数", "占主体总数%")
    return Table("lists", f"名单占比（{period.as_of.isoformat()} 在册）", headers, rows, links)


def _repair_table(session: Session, period: Period) -> Table:
    per = timeliness_by_authority(session, since=period.start, until=period.end)
    rows = [(t.provider_name, t.handled, t.on_time, _pct(t.rate)) for t in per]
    link = figure_link("repair_timeliness", period.month)
    headers = ("认定单位", "办结", "按时办结", "及时率%")
    return Table("repair", "信用修复及时率（按认定单位）", headers, rows, [link] * len(rows))


def _check_table(session: Session, period: Period) -> Table:
    window = (Check.at >= period.since) & (Check.at < period.until)
    fed = select(CheckFeedback.check_id).distinct().scalar_subquery()
    stmt = (
        select(Check.matter, func.count(), func.sum(case((Check.hits > 0, 1), else_=0)),
               func.sum(case((Check.check_id.in_(fed), 1), else_=0)))
        .where(window).group_by(Check.matter).order_by(func.count().desc())
    )  # fmt: skip
    names = {m.id: m.title for m in period.catalog.matters.values()}
    found = session.execute(stmt).all()
    rows = [(names.get(m, m), int(n), int(h or 0), int(f or 0)) for m, n, h, f in found]
    links: list[str | None] = [breakdown_link("matter", m, period.month) for m, *_ in found]
    headers = ("核查事项", "核查次数", "有命中", "已反馈")
    return Table("checks", "联合奖惩核查与反馈（按事项）", headers, rows, links)


def _subject_total(session: Session, period: Period) -> int:
    stmt = select(func.count()).select_from(Subject).where(Subject.created_at < period.until)
    return int(session.execute(stmt).scalar_one())


def _grouped(session: Session, period: Period, column: Any) -> list[tuple[str, int, int]]:
    """(group, subjects, current public records of those subjects) by a subject column."""
    subjects: dict[Any, int] = dict(session.execute(
        select(column, func.count()).select_from(Subject)
        .where(Subject.created_at < period.until).group_by(column)
    ).all())  # fmt: skip
    records: dict[Any, int] = dict(session.execute(
        select(column, func.count()).select_from(Record)
        .join(Subject, Subject.id == Record.subject_id)
        .where(Record.info_class.in_(PUBLIC_CLASSES), Record.is_current.is_(True),
               Record.status == "active", Record.created_at < period.until)
        .group_by(column)
    ).all())  # fmt: skip
    keys = sorted(set(subjects) | set(records), key=lambda k: (k is None, str(k)))
    return [(k, int(subjects.get(k, 0)), int(records.get(k, 0))) for k in keys]


def _region_table(session: Session, period: Period) -> Table:
    grouped = _grouped(session, period, Subject.region_code)
    rows = [(k or "未登记", n, r) for k, n, r in grouped]
    links: list[str | None] = [
        breakdown_link("region", k or "-", period.month) for k, _n, _r in grouped
    ]
    return Table("regions", "按区划", ("区划代码", "主体数", "现行双公示记录数"), rows, links)


def _sector_table(session: Session, period: Period) -> Table:
    grouped = _grouped(session, period, func.substr(Subject.industry_code, 1, 1))
    rows = [(f"{k} {SECTIONS.get(k, '')}".strip() if k else "未登记", n, r) for k, n, r in grouped]
    links: list[str | None] = [
        breakdown_link("sector", k or "-", period.month) for k, _n, _r in grouped
    ]
    return Table("sectors", "按行业门类", ("行业门类", "主体数", "现行双公示记录数"), rows, links)


# --- rows behind a breakdown ----------------------------------------------------------------


class UnknownBreakdown(NotFound):
    code = "indicators.unknown_breakdown"


def breakdown_rows(
    session: Session, period: Period, kind: str, value: str, *, actor: Actor
) -> Rows:
    """The rows behind one row of a breakdown table (ID numbers masked)."""
    require_office(actor)
    if kind not in _BREAKDOWNS:
        raise UnknownBreakdown(f"未知的明细类型“{kind}”")
    return masked(_breakdown_rows(session, period, kind, value))


def _department_rows(session: Session, period: Period, value: str) -> Rows:
    if not value.isdigit():
        raise UnknownBreakdown(f"报送部门“{value}”不存在")
    stmt = (
        select(Batch.id, Batch.file_name, Batch.info_class, Batch.received_on, Batch.received,
               Batch.accepted, Batch.rejected, Batch.timely, Batch.late, Provider.name)
        .join(Provider, Provider.id == Batch.provider_id)
        .where(Batch.provider_id == int(value), Batch.received_on >= period.start,
               Batch.received_on <= period.end)
        .order_by(Batch.id)
    )  # fmt: skip
    headers = ("批次", "文件", "信息类", "收到日期", "收到", "入库", "退回", "及时", "逾期", "部门")
    return Rows(headers, [tuple(r) for r in session.execute(stmt.limit(ROW_LIMIT))])


def _list_rows(session: Session, period: Period, value: str) -> Rows:
    entries = entries_in_force(session, period)
    # imported lists without a catalog list type are named by their title
    chosen = [e for e in entries if value in (e.hit.list_type, e.hit.list_title)]
    headers = ("主体名称", "代码", "名单", "决定文书号", "决定日期", "有效期至", "认定单位")
    rows: list[tuple[Any, ...]] = [
        (e.subject_name, e.subject_code, e.hit.list_title, e.hit.decision_number,
         e.hit.decided_on, e.hit.valid_until, e.hit.deciding_authority)
        for e in chosen
    ]  # fmt: skip
    return Rows(headers, rows)


def _matter_rows(session: Session, period: Period, value: str) -> Rows:
    stmt = (
        select(Check.check_id, Check.at, Check.actor_label, Check.matter, Check.hits)
        .where(Check.matter == value, Check.at >= period.since, Check.at < period.until)
        .order_by(Check.at.desc())
    )  # fmt: skip
    return Rows(("核查编号", "时间", "发起方", "事项", "命中"),
                [tuple(r) for r in session.execute(stmt.limit(ROW_LIMIT))])  # fmt: skip


def _subject_group_rows(column: Any) -> Any:
    def rows(session: Session, period: Period, value: str) -> Rows:
        match = column.is_(None) if value == "-" else column == value
        stmt = (
            select(Record.info_class, Record.decision_number, Record.decision_date, Subject.name,
                   Subject.code, Subject.region_code, Subject.industry_code)
            .join(Subject, Subject.id == Record.subject_id)
            .where(match, Record.info_class.in_(PUBLIC_CLASSES), Record.is_current.is_(True),
                   Record.status == "active", Record.created_at < period.until)
            .order_by(Record.id.desc())
        )  # fmt: skip
        headers = ("信息类", "决定文书号", "决定日期", "主体名称", "代码", "区划", "行业")
        return Rows(headers, [tuple(r) for r in session.execute(stmt.limit(ROW_LIMIT))])

    return rows


_BREAKDOWNS: dict[str, Callable[[Session, Period, str], Rows]] = {
    "department": _department_rows,
    "list": _list_rows,
    "matter": _matter_rows,
    "region": _subject_group_rows(Subject.region_code),
    "sector": _subject_group_rows(func.substr(Subject.industry_code, 1, 1)),
}


def _breakdown_rows(session: Session, period: Period, kind: str, value: str) -> Rows:
    return _BREAKDOWNS[kind](session, period, value)
