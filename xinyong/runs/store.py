"""The `job_runs` rows: start (queue, audited), claim (once, atomically), beat, finish, read.

Time is an input: every function that needs "now" is given it. A run is *interrupted* (中断)
when it is running and its heartbeat is older than `STALE_AFTER` before now — computed when it
is read, never a flag someone must set (its runner died; the officer may start it again).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from xinyong import audit, jobs
from xinyong.audit import Actor, AuditAction
from xinyong.auth.scope import require_role
from xinyong.clock import as_utc
from xinyong.db.tables import JobRun
from xinyong.enums import Role, RunStatus
from xinyong.errors import InvalidInput, NotFound

HEARTBEAT_SECONDS = 10.0  # a runner writes its run's heartbeat (and progress) this often
STALE_AFTER = timedelta(minutes=5)  # no heartbeat for this long: the runner died (中断)

# Procedures that run only as runs (the pages that start them), beside the named jobs.
RECLASSIFY = "reclassify"
EXCHANGE_IMPORT = "exchange_import"
TITLES: dict[str, str] = {
    **{name: about.title for name, about in jobs.ABOUT.items()},
    RECLASSIFY: "重新分类行政处罚严重程度",
    EXCHANGE_IMPORT: "导入交换包或国家名单文件",
}
# Who may start each: the credit office (today's pages require the admin role for all of them).
MAY_START: dict[str, tuple[Role, ...]] = dict.fromkeys(TITLES, (Role.ADMIN,))
# The parameters each accepts (anything else is refused by name).
PARAMS: dict[str, frozenset[str]] = {
    "dashboard": frozenset({"month"}),
    EXCHANGE_IMPORT: frozenset({"path", "file", "sm3", "national_list", "provider"}),
}


MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


class UnknownRun(NotFound):
    code = "runs.not_found"


def actor_data(actor: Actor) -> dict[str, Any]:
    """What rebuilds the actor in the runner (`actor_of`): the run acts as who started it."""
    return {"kind": actor.kind, "id": actor.id, "label": actor.label,
            "role": actor.role.value if actor.role else None, "provider_id": actor.provider_id,
            "scopes": list(actor.scopes)}  # fmt: skip


def actor_of(run: JobRun) -> Actor:
    data = run.actor or {}
    role = Role(data["role"]) if data.get("role") else None
    return Actor(kind=str(data.get("kind", "system")), id=data.get("id"),
                 label=str(data.get("label", run.started_by)), role=role,
                 provider_id=data.get("provider_id"),
                 scopes=tuple(data.get("scopes", ())))  # fmt: skip


def _check(job: str, params: dict[str, Any], actor: Actor) -> None:
    if job not in TITLES:
        raise jobs.UnknownJob(f"未知的任务“{job}”（可用：{'、'.join(sorted(TITLES))}）")
    require_role(actor, *MAY_START[job])
    unknown = sorted(set(params) - PARAMS.get(job, frozenset()))
    if unknown:
        raise InvalidInput(f"任务“{TITLES[job]}”不接受参数：{'、'.join(unknown)}",
                           code="runs.bad_params")  # fmt: skip
    month = params.get("month")
    if month is not None and not (isinstance(month, str) and MONTH.fullmatch(month)):
        raise InvalidInput("参数 month 应为 YYYY-MM 格式的月份", code="runs.bad_month")


def start(
    session: Session, job: str, *, actor: Actor, now: datetime,
    params: dict[str, Any] | None = None, reason: str = "", stored_upload: bool = False,
) -> tuple[JobRun, bool]:  # fmt: skip
    """Queue a run of `job` as `actor` (audited in the same transaction). A run of the same job
    with the same parameters still queued or running (not interrupted) is returned instead of a
    second one (a clerk who clicks again sees the first): `(run, False)`. An import names a file
    the platform stored itself (`stored_upload`, see `uploads.store`), never one a caller names."""
    params = {k: v for k, v in (params or {}).items() if v not in (None, "")}
    _check(job, params, actor)
    if job == EXCHANGE_IMPORT and not stored_upload:
        raise InvalidInput("导入文件请在“信息交换”页面上传", code="runs.upload_only")
    for run in session.scalars(
        select(JobRun).where(JobRun.job == job, _active(now)).order_by(JobRun.id.desc())
    ):
        if (run.params or {}) == params:
            return run, False
    run = JobRun(job=job, params=params, reason=reason.strip() or None, started_by=actor.label,
                 actor=actor_data(actor), status=RunStatus.QUEUED.value, queued_at=now,
                 phase="排队等候运行")  # fmt: skip
    session.add(run)
    session.flush()
    audit.record(session, actor, AuditAction.RUN_QUEUED, target_type="job_run",
                 target_id=str(run.id), after={"job": job, "params": params},
                 reason=run.reason)  # fmt: skip
    return run, True


def again(session: Session, run_id: int, *, actor: Actor, now: datetime) -> tuple[JobRun, bool]:
    """Start a finished, failed or interrupted run again with its parameters."""
    old = get(session, run_id)
    stored = old.job == EXCHANGE_IMPORT
    return start(session, old.job, actor=actor, now=now, params=dict(old.params or {}),
                 reason=f"重新运行 #{old.id}", stored_upload=stored)  # fmt: skip


def _fresh(now: datetime) -> Any:
    return JobRun.heartbeat_at >= now - STALE_AFTER


def _active(now: datetime) -> Any:
    return or_(JobRun.status == RunStatus.QUEUED.value,
               and_(JobRun.status == RunStatus.RUNNING.value, _fresh(now)))  # fmt: skip


def claim(
    session: Session, *, runner: str, now: datetime, run_id: int | None = None
) -> JobRun | None:
    """Take the oldest queued run (or `run_id`) for `runner` and commit: a conditional UPDATE
    (`status = queued`) that only one runner can win — on PostgreSQL the loser waits for the
    winner's row lock, then finds the status changed and updates nothing; on SQLite each UPDATE
    opens its own transaction (a write first: it waits for the one writer instead of failing on
    a snapshot older than the winner's commit) and finds the same."""
    query = select(JobRun.id).where(JobRun.status == RunStatus.QUEUED.value)
    if run_id is not None:
        query = query.where(JobRun.id == run_id)
    candidates = session.scalars(query.order_by(JobRun.id).limit(5)).all()
    session.commit()  # end the read: each claim below starts with its write
    for candidate in candidates:
        taken = session.execute(
            update(JobRun)
            .where(JobRun.id == candidate, JobRun.status == RunStatus.QUEUED.value)
            .values(
                status=RunStatus.RUNNING.value,
                runner=runner,
                started_at=now,
                heartbeat_at=now,
                phase="开始运行",
            )
            .execution_options(synchronize_session=False)
        )
        session.commit()
        if taken.rowcount == 1:  # type: ignore[attr-defined]
            run = session.get(JobRun, candidate)
            if run is not None:
                session.refresh(run)
            session.commit()  # end the read: the heartbeat may write before the procedure does
            return run
    return None


@dataclass(slots=True)
class Progress:
    done: int | None = None
    total: int | None = None
    phase: str | None = None


def beat(session: Session, run_id: int, progress: Progress, *, runner: str, now: datetime) -> bool:
    """Write the heartbeat and the progress of a run this runner holds (the caller commits);
    False when it no longer holds it."""
    values: dict[str, Any] = {"heartbeat_at": now}
    if progress.phase is not None:
        values.update(done=progress.done, total=progress.total, phase=progress.phase[:200])
    taken = session.execute(
        update(JobRun).where(JobRun.id == run_id, JobRun.runner == runner,
                             JobRun.status == RunStatus.RUNNING.value)
        .values(**values).execution_options(synchronize_session=False)
    )  # fmt: skip
    return bool(taken.rowcount)  # type: ignore[attr-defined]


def finish(
    session: Session, run: JobRun, *, now: datetime, result: dict[str, Any] | None,
    summary: str | None = None, message: str | None = None,
) -> None:  # fmt: skip
    """Record the end of a run — done with its counts and summary, or failed with its Chinese
    message — with its audit row, as who started it (the caller commits)."""
    ok = message is None
    run.status = (RunStatus.SUCCEEDED if ok else RunStatus.FAILED).value
    run.finished_at = now
    run.heartbeat_at = now
    run.result = audit.jsonable(result) if result is not None else None
    run.summary, run.message = summary, message
    run.phase = "已完成" if ok else "运行失败"
    audit.record(session, actor_of(run), AuditAction.RUN_FINISHED if ok else AuditAction.RUN_FAILED,
                 target_type="job_run", target_id=str(run.id),
                 after={"job": run.job, "summary": summary, "message": message})  # fmt: skip


def shown_status(run: JobRun, now: datetime) -> RunStatus:
    """The status a person sees: a running run without a recent heartbeat is 中断."""
    status = RunStatus(run.status)
    if status == RunStatus.RUNNING and (
        run.heartbeat_at is None or as_utc(run.heartbeat_at) < as_utc(now) - STALE_AFTER
    ):
        return RunStatus.INTERRUPTED
    return status


def get(session: Session, run_id: int) -> JobRun:
    run = session.get(JobRun, run_id)
    if run is None:
        raise UnknownRun(f"没有编号为 {run_id} 的运行记录")
    return run


def recent(
    session: Session, *, now: datetime, job: str | None = None, status: RunStatus | None = None,
    limit: int = 50,
) -> list[JobRun]:  # fmt: skip
    """The latest runs, newest first, filtered by job and by the status a person sees."""
    query = select(JobRun).order_by(JobRun.id.desc()).limit(limit)
    if job:
        query = query.where(JobRun.job == job)
    if status == RunStatus.INTERRUPTED:
        query = query.where(JobRun.status == RunStatus.RUNNING.value,
                            or_(JobRun.heartbeat_at.is_(None), ~_fresh(now)))  # fmt: skip
    elif status == RunStatus.RUNNING:
        query = query.where(JobRun.status == RunStatus.RUNNING.value, _fresh(now))
    elif status is not None:
        query = query.where(JobRun.status == status.value)
    return list(session.scalars(query))


def view(run: JobRun, now: datetime) -> dict[str, Any]:
    """The run as the API, the polling page and `xinyong jobs runs --json` give it."""
    status = shown_status(run, now)
    percent = (round(100 * run.done / run.total) if run.total and run.done is not None
               else (100 if status == RunStatus.SUCCEEDED else None))  # fmt: skip
    return {
        "id": run.id, "job": run.job, "title": TITLES.get(run.job, run.job),
        "params": {k: v for k, v in (run.params or {}).items() if k != "path"},  # no server path
        "reason": run.reason, "started_by": run.started_by,
        "status": status.value, "status_label": status.label, "active": status.active,
        "queued_at": _at(run.queued_at), "started_at": _at(run.started_at),
        "heartbeat_at": _at(run.heartbeat_at), "finished_at": _at(run.finished_at),
        "done": run.done, "total": run.total, "percent": percent, "phase": run.phase,
        "result": run.result, "summary": run.summary, "message": run.message,
    }  # fmt: skip


def _at(at: datetime | None) -> str | None:
    return as_utc(at).isoformat() if at is not None else None
