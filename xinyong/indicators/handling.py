"""The indicators of the office's handling work, registered in `compute.COMPUTERS` like the
others: 信用修复 (timeliness by `repair.timeliness`, mean days), 异议 (share, correction days),
归集质量 (`collection.quality`: timeliness, compliance, 重错码) and 联合奖惩核查
(`measures.stats`: checks, feedback rate)."""

from __future__ import annotations

import polars as pl
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xinyong import clock
from xinyong.collection import quality
from xinyong.db.tables import Check, Objection, Provider, Record, RepairApplication, Subject
from xinyong.enums import ObjectionOutcome, ObjectionStatus
from xinyong.indicators.compute import (
    AnySelect,
    Rows,
    Value,
    _computes,
    _fetch,
    _public_count,
    _rate,
    _scalar,
)
from xinyong.indicators.period import Period
from xinyong.measures import stats
from xinyong.repair.timeliness import HANDLED, handled_on_time
from xinyong.repair.timeliness import timeliness as timeliness_by_authority

# --- 信用修复 -----------------------------------------------------------------------------------


def _handled_repairs(period: Period) -> AnySelect:
    return (
        select(RepairApplication.id, func.coalesce(Provider.name, "未指定认定单位"),
               RepairApplication.info_class, RepairApplication.status,
               RepairApplication.applied_on, RepairApplication.decided_on)
        .outerjoin(Provider, Provider.id == RepairApplication.provider_id)
        .where(RepairApplication.status.in_(HANDLED),
               RepairApplication.decided_on >= period.start,
               RepairApplication.decided_on <= period.end)
    )  # fmt: skip


def _repair_rows(session: Session, period: Period) -> Rows:
    apps = {
        a.id: a
        for a in session.execute(
            select(RepairApplication).where(
                RepairApplication.id.in_(_handled_repairs(period).with_only_columns(
                    RepairApplication.id).scalar_subquery())
            )
        ).scalars()
    }  # fmt: skip
    rows = [
        (*r[1:], "是" if handled_on_time(apps[r[0]]) else "否")
        for r in session.execute(_handled_repairs(period).order_by(RepairApplication.id))
    ]
    headers = ("认定单位", "信息类", "结果", "申请日期", "办结日期", "按时办结")
    return Rows(headers, rows)


@_computes("repair_timeliness", _repair_rows)
def repair_timeliness(session: Session, period: Period) -> Value:
    per_provider = timeliness_by_authority(session, since=period.start, until=period.end)
    return _rate(sum(t.on_time for t in per_provider), sum(t.handled for t in per_provider))


def _mean_days(frame: pl.DataFrame) -> Value:
    if frame.is_empty():
        return None
    days = (frame["end"] - frame["start"]).dt.total_days()
    return round(float(days.mean()), 1)  # type: ignore[arg-type]


@_computes("repair_avg_days", _repair_rows)
def repair_avg_days(session: Session, period: Period) -> Value:
    stmt = _handled_repairs(period).with_only_columns(
        RepairApplication.applied_on, RepairApplication.decided_on
    )
    rows = session.execute(stmt).all()
    frame = pl.DataFrame(rows, schema={"start": pl.Date, "end": pl.Date}, orient="row")
    return _mean_days(frame)


# --- 异议 ---------------------------------------------------------------------------------------


def _objection_rows(session: Session, period: Period) -> Rows:
    stmt = (
        select(Objection.id, Record.info_class, Record.decision_number, Subject.name,
               Subject.code, Objection.filed_on, Objection.status, Objection.outcome,
               Objection.answered_at)
        .join(Record, Record.id == Objection.record_id)
        .join(Subject, Subject.id == Objection.subject_id)
        .where(Objection.filed_on >= period.start, Objection.filed_on <= period.end)
        .order_by(Objection.filed_on)
    )  # fmt: skip
    headers = ("异议编号", "信息类", "决定文书号", "主体名称", "代码", "提出日期", "状态", "结果",
               "答复时间")  # fmt: skip
    return _fetch(session, headers, stmt)


@_computes("objection_share", _objection_rows)
def objection_share(session: Session, period: Period) -> Value:
    filed = _scalar(
        session,
        select(func.count()).where(
            Objection.filed_on >= period.start, Objection.filed_on <= period.end
        ),
    )
    return _rate(filed, _public_count(session, period))


@_computes("objection_correction_days", _objection_rows)
def objection_correction_days(session: Session, period: Period) -> Value:
    stmt = select(Objection.filed_on, Objection.answered_at).where(
        Objection.status == ObjectionStatus.ANSWERED,
        Objection.outcome.in_((ObjectionOutcome.CORRECTED, ObjectionOutcome.DELETED)),
        Objection.answered_at >= period.since,
        Objection.answered_at < period.until,
    )
    rows = session.execute(stmt).all()
    if not rows:
        return None
    frame = pl.DataFrame(rows, schema=["start", "answered"], orient="row")
    answered = frame["answered"]
    if getattr(answered.dtype, "time_zone", None):  # PostgreSQL: aware; SQLite: naive UTC
        answered = answered.dt.convert_time_zone("UTC").dt.replace_time_zone(None)
    return _mean_days(frame.with_columns(end=(answered + clock.BEIJING).dt.date()))


# --- 归集质量 -----------------------------------------------------------------------------------


def _quality_rows(session: Session, period: Period) -> Rows:
    rows = [
        (q.provider_name, q.batches, q.received, q.accepted, q.rejected, q.timely, q.late,
         q.unknown)
        for q in _month_quality(session, period)
    ]  # fmt: skip
    headers = ("报送部门", "批次", "收到行数", "入库", "退回", "及时", "逾期", "无法判定")
    return Rows(headers, rows)


def _month_quality(session: Session, period: Period) -> list[quality.MonthQuality]:
    return quality.monthly(session, since=period.start, until=period.end)


@_computes("collection_timeliness", _quality_rows)
def collection_timeliness(session: Session, period: Period) -> Value:
    months = _month_quality(session, period)
    timely = sum(q.timely for q in months)
    return _rate(timely, timely + sum(q.late for q in months))


@_computes("collection_compliance", _quality_rows)
def collection_compliance(session: Session, period: Period) -> Value:
    months = _month_quality(session, period)
    return _rate(sum(q.accepted for q in months), sum(q.received for q in months))


def _wrong_code_rows(session: Session, period: Period) -> Rows:
    found = quality.wrong_codes(session, since=period.start, until=period.end)
    return Rows(
        ("报送部门", "收到行数", "错码行数"),
        [(w.provider_name, w.received, w.wrong) for w in found],
    )


@_computes("wrong_code_rate", _wrong_code_rows)
def wrong_code_rate(session: Session, period: Period) -> Value:
    found = quality.wrong_codes(session, since=period.start, until=period.end)
    return _rate(sum(w.wrong for w in found), sum(w.received for w in found))


# --- 联合奖惩核查 -------------------------------------------------------------------------------


def _check_rows(session: Session, period: Period) -> Rows:
    stmt = (
        select(Check.check_id, Check.at, Check.actor_label, Check.matter, Check.hits,
               Check.mandatory)
        .where(Check.at >= period.since, Check.at < period.until)
        .order_by(Check.at.desc())
    )  # fmt: skip
    return _fetch(session, ("核查编号", "时间", "发起方", "事项", "命中", "强制措施"), stmt)


@_computes("joint_checks", _check_rows)
def joint_checks(session: Session, period: Period) -> Value:
    return stats.window_counts(session, since=period.since, until=period.until)[0]


@_computes("check_feedback_rate", _check_rows)
def check_feedback_rate(session: Session, period: Period) -> Value:
    _total, with_hits, fed = stats.window_counts(session, since=period.since, until=period.until)
    return _rate(fed, with_hits)
