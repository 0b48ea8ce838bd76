"""The `job_runs` rows: start (queue, audited), claim (once, atomically), beat, finish, read.

Time is an input: every function that needs "now" is given it. A run is *interrupted* (中断)
when it is running and its heartbeat is older than `STALE_AFTER` before now — computed when it
is read, never a flag someone must set (its runner died; the officer may start it again). The
heartbeat is the row's `heartbeat_at`, or — on SQLite, when the row's is stale because the run
holds the write lock — the one the runner keeps beside the database file (`beats`): one rule,
`shown_status`, reads both.

At most one run of a job with the same parameters waits in the queue: a partial unique index
on the queued runs' (job, `params_digest`) makes a second one impossible at the database (two
clicks at the same instant); `start` answers the conflict with the run already waiting.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, object_session

from xinyong import audit, jobs, run_uploads
from xinyong.archive import canonical_json, hash_canonical
from xinyong.audit import Actor, AuditAction
from xinyong.auth.accounts import actor_now
from xinyong.auth.scope import require_role
from xinyong.clock import as_utc
from xinyong.db.session import is_postgres
from xinyong.db.tables import JobRun
from xinyong.enums import Role, RunStatus
from xinyong.errors import Forbidden, InvalidInput, NotFound
from xinyong.runs import beats

HEARTBEAT_SECONDS = 10.0  # a runner writes its run's heartbeat (and progress) this often
STALE_AFTER = timedelta(minutes=5)  # no heartbeat for this long: the runner died (中断)

# Procedures that run only as runs (the pages that start them), beside the named jobs.
RECLASSIFY = "reclassify"
EXCHANGE_IMPORT = run_uploads.JOB
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
            "scopes": list(actor.scopes), "credit_office": actor.credit_office}  # fmt: skip


def actor_of(run: JobRun) -> Actor:
    data = run.actor or {}
    role = Role(data["role"]) if data.get("role") else None
    return Actor(kind=str(data.get("kind", "system")), id=data.get("id"),
                 label=str(data.get("label", run.started_by)), role=role,
                 provider_id=data.get("provider_id"),
                 scopes=tuple(data.get("scopes", ())),
                 credit_office=bool(data.get("credit_office", False)))  # fmt: skip


def may_start(job: str, actor: Actor) -> None:
    """The one rule of who may start `job` (Forbidden otherwise): asked when a run is queued and
    again when a runner claims it (the starter may have lost the role meanwhile)."""
    require_role(actor, *MAY_START[job])


def params_digest(params: dict[str, Any]) -> str:
    """The digest of a run's parameters (their canonical JSON): equal parameters, equal digest —
    what the unique index of the waiting runs compares."""
    return hash_canonical(canonical_json(params))


def _check(job: str, params: dict[str, Any], actor: Actor) -> None:
    if job not in TITLES:
        raise jobs.UnknownJob(f"未知的任务“{job}”（可用：{'、'.join(sorted(TITLES))}）")
    may_start(job, actor)
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
    digest = params_digest(params)
    hold_write_lock(session)
    waiting = _waiting(session, job, digest, now)
    if waiting is not None:
        return waiting, False
    run = JobRun(job=job, params=params, params_digest=digest, reason=reason.strip() or None,
                 started_by=actor.label, actor=actor_data(actor), status=RunStatus.QUEUED.value,
                 queued_at=now, phase="排队等候运行")  # fmt: skip
    try:
        with session.begin_nested():  # the unique index of the queued runs decides a tie
            session.add(run)
            session.flush()
    except IntegrityError:
        waiting = _waiting(session, job, digest, now)
        if waiting is None:
            raise
        return waiting, False
    audit.record(session, actor, AuditAction.RUN_QUEUED, target_type="job_run",
                 target_id=str(run.id), after={"job": job, "params": params},
                 reason=run.reason)  # fmt: skip
    return run, True


def again(session: Session, run_id: int, *, actor: Actor, now: datetime) -> tuple[JobRun, bool]:
    """Start a finished, failed or interrupted run again with its parameters."""
    old = get(session, run_id)
    stored = old.job == EXCHANGE_IMPORT
    if old.upload_deleted_on is not None:
        raise InvalidInput(f"上传的文件已于 {old.upload_deleted_on} 按保存期限"
                           f"（{old.upload_kept_days} 天）删除，请在“信息交换”页面重新上传",
                           code="runs.upload_deleted")  # fmt: skip
    return start(session, old.job, actor=actor, now=now, params=dict(old.params or {}),
                 reason=f"重新运行 #{old.id}", stored_upload=stored)  # fmt: skip


def hold_write_lock(session: Session) -> None:
    """SQLite: take the write lock before the start reads the waiting runs, so two starts at
    the same instant wait their turn (busy_timeout) instead of one failing on a stale snapshot;
    effective as the transaction's first statement (`web/run_session.py` takes it before the
    actor is read). PostgreSQL: nothing (the unique index decides)."""
    if not is_postgres(session):
        session.execute(update(JobRun).where(JobRun.id < 0).values(done=None))


def _waiting(session: Session, job: str, digest: str, now: datetime) -> JobRun | None:
    """The run of `job` with these parameters still queued or running (not interrupted)."""
    for run in session.scalars(
        select(JobRun).where(JobRun.job == job, JobRun.params_digest == digest,
                             JobRun.status.in_([RunStatus.QUEUED.value, RunStatus.RUNNING.value]))
        .order_by(JobRun.id.desc())
    ):  # fmt: skip
        if shown_status(run, now).active:
            return run
    return None


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


def refuse(session: Session, run: JobRun, *, now: datetime, message: str) -> None:
    """End a claimed run without executing it (its starter may no longer act): refused with the
    Chinese reason, audited as the platform's decision (the caller commits)."""
    run.status = RunStatus.REFUSED.value
    run.finished_at = run.heartbeat_at = now
    run.message, run.phase = message, "未运行"
    audit.record(session, Actor.system("后台运行程序"), AuditAction.RUN_REFUSED,
                 target_type="job_run", target_id=str(run.id),
                 after={"job": run.job, "started_by": run.started_by,
                        "message": message})  # fmt: skip


def starter_refusal(session: Session, run: JobRun) -> str | None:
    """Why the starter of a claimed run may not have it executed now (None: they may): their
    account deactivated, or no longer holding the role the job needs — asked of `auth` (the
    account as it is now) and `may_start`, the check the start made."""
    current = actor_now(session, actor_of(run))
    if current is None:
        return (f"发起人“{run.started_by}”的账户在排队期间已被停用（或已删除），"
                "本次运行未执行；如仍需运行，请由在职的信用办人员重新提交")  # fmt: skip
    try:
        may_start(run.job, current)
    except Forbidden as exc:
        return (f"发起人“{run.started_by}”在排队期间已不再具有运行此任务所需的角色"
                f"（{exc.message}），本次运行未执行")  # fmt: skip
    return None


def _fresh(at: datetime | None, now: datetime) -> bool:
    return at is not None and as_utc(at) >= as_utc(now) - STALE_AFTER


def side_beat(run: JobRun) -> beats.Beat | None:
    """The heartbeat the run's runner keeps beside the SQLite database file (`beats`): only the
    holder's, and only from this run's start (a run id used again never reads an old file)."""
    session = object_session(run)
    if session is None or run.runner is None:
        return None
    beat = beats.read(beats.folder_of(session.get_bind()), run.id)
    if beat is None or beat.runner != run.runner:
        return None
    if run.started_at is not None and beat.at < as_utc(run.started_at):
        return None
    return beat


def shown_status(run: JobRun, now: datetime) -> RunStatus:
    """The status a person sees — the one rule of 中断: a running run whose heartbeat is older
    than `STALE_AFTER` before now. The heartbeat is the row's, or, when that is stale, the one
    kept beside a SQLite database (the run holds the write lock the row needs)."""
    status = RunStatus(run.status)
    if status != RunStatus.RUNNING or _fresh(run.heartbeat_at, now):
        return status
    beat = side_beat(run)
    return (
        RunStatus.RUNNING if beat is not None and _fresh(beat.at, now) else (RunStatus.INTERRUPTED)
    )


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
    query = select(JobRun).order_by(JobRun.id.desc())
    if job:
        query = query.where(JobRun.job == job)
    if status in (RunStatus.RUNNING, RunStatus.INTERRUPTED):  # stored running; shown_status tells
        query = query.where(JobRun.status == RunStatus.RUNNING.value)
        shown = (r for r in session.scalars(query) if shown_status(r, now) == status)
        return [r for _, r in zip(range(limit), shown, strict=False)]
    if status is not None:
        query = query.where(JobRun.status == status.value)
    return list(session.scalars(query.limit(limit)))


def view(run: JobRun, now: datetime) -> dict[str, Any]:
    """The run as the API, the polling page and `xinyong jobs runs --json` give it."""
    status = shown_status(run, now)
    heartbeat, done, total, phase = run.heartbeat_at, run.done, run.total, run.phase
    beat = side_beat(run) if run.status == RunStatus.RUNNING.value else None
    if beat is not None and (heartbeat is None or beat.at > as_utc(heartbeat)):
        heartbeat, done, total, phase = beat.at, beat.done, beat.total, beat.phase or phase
    percent = (round(100 * done / total) if total and done is not None
               else (100 if status == RunStatus.SUCCEEDED else None))  # fmt: skip
    return {
        "id": run.id, "job": run.job, "title": TITLES.get(run.job, run.job),
        "params": {k: v for k, v in (run.params or {}).items() if k != "path"},  # no server path
        "reason": run.reason, "started_by": run.started_by,
        "status": status.value, "status_label": status.label, "active": status.active,
        "queued_at": _at(run.queued_at), "started_at": _at(run.started_at),
        "heartbeat_at": _at(heartbeat), "finished_at": _at(run.finished_at),
        "done": done, "total": total, "percent": percent, "phase": phase,
        "result": run.result, "summary": run.summary, "message": run.message,
        "upload_deleted_on": run.upload_deleted_on.isoformat() if run.upload_deleted_on else None,
        "upload_kept_days": run.upload_kept_days,
    }  # fmt: skip


def _at(at: datetime | None) -> str | None:
    return as_utc(at).isoformat() if at is not None else None
