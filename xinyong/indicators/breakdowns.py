"""The dashboard's breakdown tables (departments, lists, repair, checks, regions, sectors) as
grouped counts in SQL, each row linking to the rows behind it, and those rows (`rows_behind`).
Quality, repair timeliness and list validity come from the modules that own them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from xinyong.collection import quality
from xinyong.db.tables import Batch, Check, CheckFeedback, Provider, Record, Subject
from xinyong.enums import ListKind, RecordStatus
from xinyong.errors import NotFound
from xinyong.indicators.compute import PUBLIC_CLASSES, ROW_LIMIT, Rows, entries_in_force, masked
from xinyong.indicators.period import Period
from xinyong.lists.counts import ListCount
from xinyong.repair.timeliness import timeliness as timeliness_by_authority

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


@dataclass(frozen=True, slots=True)
class Table:
    id: str
    title: str
    headers: tuple[str, ...]
    rows: list[tuple[Any, ...]]
    links: list[str | None] = field(default_factory=list)  # one per row: the rows behind it


def figure_link(key: str, month: str) -> str:
    return f"/admin/dashboard/figures/{key}?month={month}"


def breakdown_link(kind: str, value: object, month: str) -> str:
    return f"/admin/dashboard/rows/{kind}/{value}?month={month}"


def _pct(value: float | None) -> float | None:
    return None if value is None else round(100 * value, 2)


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


def list_table(session: Session, period: Period, found: list[ListCount]) -> Table:
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


def repair_table(session: Session, period: Period) -> Table:
    per = timeliness_by_authority(session, since=period.start, until=period.end)
    rows = [(t.provider_name, t.handled, t.on_time, _pct(t.rate)) for t in per]
    link = figure_link("repair_timeliness", period.month)
    headers = ("认定单位", "办结", "按时办结", "及时率%")
    return Table("repair", "信用修复及时率（按认定单位）", headers, rows, [link] * len(rows))


def check_table(session: Session, period: Period) -> Table:
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
               Record.status == RecordStatus.ACTIVE, Record.created_at < period.until)
        .group_by(column)
    ).all())  # fmt: skip
    keys = sorted(set(subjects) | set(records), key=lambda k: (k is None, str(k)))
    return [(k, int(subjects.get(k, 0)), int(records.get(k, 0))) for k in keys]


def region_table(session: Session, period: Period) -> Table:
    grouped = _grouped(session, period, Subject.region_code)
    rows = [(k or "未登记", n, r) for k, n, r in grouped]
    links: list[str | None] = [
        breakdown_link("region", k or "-", period.month) for k, _n, _r in grouped
    ]
    return Table("regions", "按区划", ("区划代码", "主体数", "现行双公示记录数"), rows, links)


def sector_table(session: Session, period: Period) -> Table:
    grouped = _grouped(session, period, func.substr(Subject.industry_code, 1, 1))
    rows = [(f"{k} {SECTIONS.get(k, '')}".strip() if k else "未登记", n, r) for k, n, r in grouped]
    links: list[str | None] = [
        breakdown_link("sector", k or "-", period.month) for k, _n, _r in grouped
    ]
    return Table("sectors", "按行业门类", ("行业门类", "主体数", "现行双公示记录数"), rows, links)


# --- rows behind a breakdown ----------------------------------------------------------------


class UnknownBreakdown(NotFound):
    code = "indicators.unknown_breakdown"


def rows_behind(session: Session, period: Period, kind: str, value: str) -> Rows:
    """The rows behind one row of a breakdown table (ID numbers masked). The caller checks who
    may read them (`dashboard.breakdown_rows`)."""
    if kind not in _BREAKDOWNS:
        raise UnknownBreakdown(f"未知的明细类型“{kind}”")
    return masked(_BREAKDOWNS[kind](session, period, value))


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
                   Record.status == RecordStatus.ACTIVE, Record.created_at < period.until)
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
