"""Indicators entered by hand (source and date required), append-only and audited."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xinyong import audit
from xinyong.audit import Actor, AuditAction
from xinyong.db.tables import IndicatorValue
from xinyong.enums import Role
from xinyong.errors import Forbidden, InvalidInput
from xinyong.indicators import snapshots
from xinyong.indicators.definitions import Indicator
from xinyong.indicators.period import Period


class NotManual(InvalidInput):
    code = "indicators.not_manual"


class MissingSource(InvalidInput):
    code = "indicators.missing_source"


def enter_value(
    session: Session,
    indicator: Indicator,
    period: Period,
    value: float,
    *,
    source: str,
    source_date: date,
    note: str | None,
    actor: Actor,
) -> IndicatorValue:
    """Record the month's figure of a manual indicator. Only the credit office (admin) may."""
    if actor.role != Role.ADMIN:
        raise Forbidden("只有信用办管理员可以录入指标数值")
    if indicator.source != "manual":
        raise NotManual(f"“{indicator.title}”由平台数据计算，不能手工录入")
    if not source.strip():
        raise MissingSource("请填写数据来源（发布单位、文件或网页）")
    if source_date > period.today:
        raise MissingSource("来源日期不能晚于今天")
    row = IndicatorValue(
        key=indicator.key,
        month=period.month,
        value=value,
        source=source.strip(),
        source_date=source_date,
        note=(note or "").strip() or None,
        entered_by=actor.label,
    )
    session.add(row)
    session.flush()
    snapshots.mark_documents_stale(  # the month's dashboard says so until it is recomputed
        session, period.month, f"“{indicator.title}”有新录入的值，尚未重新计算"
    )
    audit.record(
        session,
        actor,
        AuditAction.INDICATOR_VALUE_ENTERED,
        target_type="indicator",
        target_id=f"{indicator.key}:{period.month}",
        after={"value": value, "source": row.source, "source_date": source_date.isoformat()},
        reason=row.note,
    )
    session.flush()
    return row


def latest(session: Session, months: list[str]) -> dict[tuple[str, str], IndicatorValue]:
    """The newest entry per (key, month) for the given months."""
    newest = (
        select(func.max(IndicatorValue.id))
        .where(IndicatorValue.month.in_(months))
        .group_by(IndicatorValue.key, IndicatorValue.month)
    )
    rows = session.execute(select(IndicatorValue).where(IndicatorValue.id.in_(newest))).scalars()
    return {(r.key, r.month): r for r in rows}


def history(session: Session, key: str) -> list[IndicatorValue]:
    stmt = (
        select(IndicatorValue).where(IndicatorValue.key == key).order_by(IndicatorValue.id.desc())
    )
    return list(session.execute(stmt).scalars())
