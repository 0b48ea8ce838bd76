"""Named batch jobs: each maps to domain functions; the CLI (`xinyong jobs run NAME`) runs them.

Jobs hold no rules: they call the domain and return a plain summary for the caller to print.
`deadlines` is the daily digest of the officer work queue (overdue items first); `retention`
purges query-log and audit rows older than the retention period (default 5 years, rules.md
§7.5) behind a signed checkpoint, and deletes the uploads stored for background runs that no
run has used for `XINYONG_RUN_UPLOAD_RETENTION_DAYS` days (`run_uploads.expire`); `dashboard`
recomputes the credit office's dashboard of the running month (or `month`) and stores it with
its time (run it by cron more often than `indicators.dashboard.MAX_AGE`: readers never compute,
they see the stored document with its time, marked out of date after MAX_AGE).
"""

from __future__ import annotations

import json
import time as timer
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong import audit, auth, clock, indicators, repair, run_uploads, signing, workqueue
from xinyong.audit import Actor, AuditAction
from xinyong.catalog import Catalog
from xinyong.config import Settings
from xinyong.db.tables import AuditEntry
from xinyong.enums import Role
from xinyong.errors import InvalidInput, NotFound, XinyongError
from xinyong.log import get_logger

log = get_logger(__name__)

MIN_RETENTION_YEARS = 5  # 深圳条例 第45条: at least five years


class UnknownJob(NotFound):
    code = "jobs.unknown"


def retention(
    session: Session,
    *,
    today: date,
    retention_years: int = MIN_RETENTION_YEARS,
    key: signing.SigningKey | None = None,
    actor: Actor | None = None,
    data_dir: Path | None = None,
    upload_days: int = run_uploads.DEFAULT_DAYS,
    **_: Any,
) -> dict[str, Any]:
    """Purge logs older than `retention_years` before `today`; signed checkpoint; audited. With
    `data_dir`, delete the stored uploads unused for `upload_days` days (audited each)."""
    if retention_years < MIN_RETENTION_YEARS:
        raise InvalidInput(
            f"查询记录保存期限不得少于 {MIN_RETENTION_YEARS} 年（深圳条例 第45条）",
            code="jobs.retention_too_short",
        )
    cutoff_day = clock.add_months(today, -12 * retention_years)
    cutoff = clock.beijing_midnight(cutoff_day)  # the day starts in Beijing, not at UTC midnight
    actor = actor or Actor.system("保存期限任务")
    checkpoint = audit.purge_before(
        session,
        cutoff,
        actor=actor,
        key=key,
        retention_years=retention_years,
    )
    uploads = (run_uploads.expire(session, data_dir, today=today, days=upload_days, actor=actor)
               if data_dir is not None else {})  # fmt: skip
    return {
        **uploads,
        "today": today,
        "cutoff": cutoff,
        "cutoff_day": cutoff_day,
        "retention_years": retention_years,
        "audit_purged": checkpoint.audit_purged,
        "query_purged": checkpoint.query_purged,
        "checks_purged": json.loads(checkpoint.statement)["checks_purged"],
        "checkpoint": checkpoint.id,
        "signed": checkpoint.signature is not None,
    }


def deadlines(session: Session, *, today: date, **_: Any) -> dict[str, Any]:
    """The daily digest: every waiting item by deadline, overdue marked, and 信用修复及时率."""
    digest = workqueue.digest(session, today=today)
    return {
        "today": today,
        "waiting": len(digest.items),
        "overdue": len(digest.overdue),
        "due_today": len(digest.due_today),
        "counts": {workqueue.KIND_LABELS[k]: v for k, v in digest.counts.items()},
        "items": [
            {
                "kind": item.label,
                "id": item.target_id,
                "subject_id": item.subject_id,
                "provider_id": item.provider_id,
                "due": item.due,
                "overdue": item.overdue,
                "summary": item.summary,
            }
            for item in (*digest.overdue, *(i for i in digest.items if not i.overdue))
        ],
        "repair_timeliness": [
            {
                "provider": t.provider_name,
                "handled": t.handled,
                "on_time": t.on_time,
                "rate": t.rate,
            }
            for t in repair.timeliness(session)
        ],
    }


def dashboard(
    session: Session, *, today: date, catalog: Catalog, definitions: indicators.Definitions,
    month: str | None = None, **_: Any,
) -> dict[str, Any]:  # fmt: skip
    """Refresh the stored dashboard of the month (default: the running one)."""
    from xinyong.indicators import dashboard as board  # noqa: PLC0415

    period = indicators.Period.of(month, today=today, catalog=catalog)
    found = board.refresh(session, definitions, period, actor=Actor.system("jobs.dashboard"))
    return {"month": period.month, "as_of": period.as_of, "computed_at": found.computed_at,
            "seconds": found.seconds, "figures": len(found.figures)}  # fmt: skip


JOBS: dict[str, Callable[..., dict[str, Any]]] = {
    "dashboard": dashboard,
    "deadlines": deadlines,
    "retention": retention,
}


@dataclass(frozen=True, slots=True)
class About:
    title: str
    does: str
    takes: str  # how long it usually takes, for the person who presses the button


ABOUT: dict[str, About] = {
    "deadlines": About("待办期限日报", "列出全部待办事项及其期限，标出逾期和今日到期的事项，"
                       "并计算各部门的信用修复及时率（只读，不修改数据）。", "通常几秒钟"),
    "dashboard": About("重算信用工作看板", "重新计算本月信用工作看板的全部指标并保存，"
                       "看板页面随即显示新数据。", "数据量大时可能需要几分钟，请勿重复点击"),
    "retention": About("清理超过保存期限的日志", "删除超过保存期限（不少于 5 年）的审计日志、"
                       "查询记录和核查日志，并生成签名检查点以便核验；同时删除超过保存天数"
                       "未再使用的上传文件（排队或运行中的除外）。", "通常不到一分钟"),
    "exchange": About("收发信息交换包", "接收收件目录中上级平台发来的交换包，"
                      "再把全部待发送的变更打成一个签名交换包发往配置的目录或接口。",
                      "待发送变更多时可能需要几分钟"),
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class LastRun:
    at: datetime
    by: str
    ok: bool
    summary: str
    seconds: float | None


def run(
    name: str, session: Session, *, today: date, actor: Actor | None = None, **options: Any
) -> dict[str, Any]:
    """Run a job as `actor` (the credit office), or as the platform itself when None (cron)."""
    if actor is not None:
        auth.require_role(actor, Role.ADMIN)
        options["actor"] = actor
    job = JOBS.get(name)
    if job is None:
        raise UnknownJob(f"未知的任务“{name}”（可用：{'、'.join(sorted(JOBS))}）")
    return job(session, today=today, **options)


def run_recorded(
    name: str, session: Session, *, today: date, actor: Actor,
    prepare: Callable[[], dict[str, Any]] | None = None, **options: Any,
) -> tuple[LastRun, dict[str, Any] | None]:  # fmt: skip
    """Run a job in a savepoint and record its outcome in the audit log (a failure rolls the
    job's writes back and is recorded with its Chinese message, never a traceback). `prepare`
    gives options that may fail themselves (a missing signing key): a failure of the run."""
    auth.require_role(actor, Role.ADMIN)
    if name not in JOBS:
        raise UnknownJob(f"未知的任务“{name}”（可用：{'、'.join(sorted(JOBS))}）")
    started = timer.perf_counter()
    result: dict[str, Any] | None = None
    try:
        with session.begin_nested():
            more = prepare() if prepare is not None else {}
            result = run(name, session, today=today, actor=actor, **options, **more)
    except XinyongError as exc:
        message = exc.message
    except Exception:  # recorded and shown in Chinese; the log keeps the trace
        log.exception("job failed", job=name)
        message = FAILED_MESSAGE
    summary = summarise(name, result) if result is not None else message
    return record(session, name, actor, summary, started, ok=result is not None), result


FAILED_MESSAGE = "任务运行出错，已记入系统日志，请联系运维人员"


def record(
    session: Session, name: str, actor: Actor, summary: str, started: float, *, ok: bool
) -> LastRun:
    """The audit row of one run of a job (what /admin/jobs shows as its last run);
    `started` is the `time.perf_counter()` when it began."""
    seconds = round(timer.perf_counter() - started, 1)
    after = {"job": name, "ok": ok, "summary": summary, "seconds": seconds}
    row = audit.record(session, actor, AuditAction.JOB_RUN if ok else AuditAction.JOB_FAILED,
                       target_type="job", target_id=name, after=after)  # fmt: skip
    return LastRun(row.at, actor.label, ok, summary, seconds)


def options(name: str, settings: Settings, catalog: Catalog, **given: Any) -> dict[str, Any]:
    """What each job needs from the platform's settings (the same from the CLI, a page and the
    runner); `given` are the run's own parameters (`month` for the dashboard)."""
    if name == "dashboard":
        defs = indicators.load(settings.catalog_dir, settings.catalog_override_dir)
        return {"catalog": catalog, "definitions": defs, "month": given.get("month")}
    if name == "retention":
        from xinyong.reports.issuer import office_key  # noqa: PLC0415

        return {"retention_years": settings.query_log_retention_years, "key": office_key(settings),
                "data_dir": settings.data_dir,
                "upload_days": settings.run_upload_retention_days}  # fmt: skip
    return {}


def summarise(name: str, result: dict[str, Any]) -> str:
    """One Chinese line of what a run did."""
    if name == "dashboard":
        return (f"{result['month']} 看板已重算：{result['figures']} 项指标"
                f"（截至 {result['as_of']}）")  # fmt: skip
    if name == "retention":
        return (f"已清理 {result['cutoff']:%Y-%m-%d} 之前的日志："
                f"审计日志 {result['audit_purged']} 行，查询记录 {result['query_purged']} 行，"
                f"核查日志 {result['checks_purged']} 行；"
                f"签名检查点 #{result['checkpoint']}{uploads_line(result)}")  # fmt: skip
    return (f"待办 {result['waiting']} 项，逾期 {result['overdue']} 项，"
            f"今日到期 {result['due_today']} 项")  # fmt: skip


def uploads_line(result: dict[str, Any]) -> str:
    """The retention run's part about stored uploads (empty when it did not look at them)."""
    if "uploads_deleted" not in result:
        return ""
    return (f"；删除超过 {result['upload_retention_days']} 天未使用的上传文件 "
            f"{result['uploads_deleted']} 个")  # fmt: skip


def last_runs(session: Session) -> dict[str, LastRun]:
    """The last recorded run of each job (from the audit log)."""
    out = {}
    for name in ABOUT:
        row = session.execute(
            select(AuditEntry)
            .where(AuditEntry.target_type == "job", AuditEntry.target_id == name,
                   AuditEntry.action.in_([AuditAction.JOB_RUN.value,
                                          AuditAction.JOB_FAILED.value]))
            .order_by(AuditEntry.id.desc()).limit(1)
        ).scalar_one_or_none()  # fmt: skip
        if row is not None:
            after = row.after or {}
            out[name] = LastRun(row.at, row.actor_label, row.action == AuditAction.JOB_RUN.value,
                                str(after.get("summary", "")), after.get("seconds"))  # fmt: skip
    return out
