"""Checks that read the database: reachable (engine, version, its clock), migrations at head,
the last run of each scheduled job, the audit chain's tail. Each reads a few rows, never a
whole table: `xinyong doctor` answers in seconds on a large archive."""

from __future__ import annotations

from datetime import datetime, timedelta

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.script.revision import RevisionError
from alembic.util import CommandError
from sqlalchemy import text
from sqlalchemy.orm import Session

from xinyong import audit, clock, jobs
from xinyong.db import migrate
from xinyong.doctor.files import wall_clock
from xinyong.doctor.model import Check, error, ok, warn
from xinyong.indicators.dashboard import MAX_AGE

TAIL = 1000  # audit rows whose hashes and links the quick check recomputes
SKEW = timedelta(seconds=60)  # the database's clock this far from ours: dates may differ
# How often each job is meant to run (docs/guide/运维指南.md, 定时任务) and when a missing run
# is overdue. A job not named here (a new one) is expected daily.
EVERY: dict[str, tuple[str, timedelta]] = {
    "dashboard": ("每 5 分钟", MAX_AGE),
    "deadlines": ("每天", timedelta(hours=26)),
    "retention": ("每月", timedelta(days=32)),
    "exchange": ("每 15 分钟", timedelta(hours=2)),  # when its runs are recorded like the others
}
DAILY = ("每天", timedelta(hours=26))


def database(session: Session, *, utc_now: datetime | None = None) -> Check:
    title = "数据库"
    engine = session.get_bind().dialect.name
    if engine == "postgresql":
        version = str(session.execute(text("SHOW server_version")).scalar_one())
        at = session.execute(text("SELECT now()")).scalar_one()
        skew = abs(clock.as_utc(at) - (utc_now or wall_clock()))
    else:
        version = str(session.execute(text("SELECT sqlite_version()")).scalar_one())
        skew = timedelta(0)  # the same machine's clock
    name = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}.get(engine, engine)
    facts = {"engine": engine, "version": version, "clock_skew_seconds": skew.total_seconds()}
    shown = f"已连接 {name} {version}"
    if skew > SKEW:
        seconds = f"{skew.total_seconds():.0f}"
        return warn("database", title, f"{shown}；数据库服务器时钟相差 {seconds} 秒",
                    "两台机器都启用时间同步（chrony / systemd-timesyncd）", **facts)  # fmt: skip
    return ok("database", title, shown, **facts)


def migrations(session: Session) -> Check:
    title = "数据库迁移"
    script = ScriptDirectory.from_config(migrate.alembic_config(""))
    heads = tuple(sorted(script.get_heads()))
    current = tuple(sorted(MigrationContext.configure(session.connection()).get_current_heads()))
    facts: dict[str, object] = {"current": list(current), "head": list(heads), "pending": []}
    if not current:
        return error("migrations", title, "数据库尚未建表（没有迁移记录）",
                     "运行 `xinyong init`（或 `xinyong db upgrade`）", **facts)  # fmt: skip
    try:
        pending = list(script.iterate_revisions(heads, current))
    except (CommandError, RevisionError):
        return error("migrations", title, f"数据库的迁移版本 {'、'.join(current)} 不在本程序中"
                     "（数据库比程序新，或来自别的分支）",
                     "安装与数据库匹配的程序版本；不要降级程序", **facts)  # fmt: skip
    pending = [rev for rev in pending if rev.revision not in current]
    if pending:
        names = [f"{rev.revision}（{(rev.doc or '').strip()}）" for rev in reversed(pending)]
        facts["pending"] = [rev.revision for rev in reversed(pending)]
        return error("migrations", title, f"当前 {'、'.join(current)}，最新 {'、'.join(heads)}；"
                     f"待执行 {len(pending)} 个：" + "；".join(names),
                     "备份后运行 `xinyong db upgrade`，再运行 `xinyong doctor`",
                     **facts)  # fmt: skip
    return ok("migrations", title, f"已是最新：{'、'.join(current)}", **facts)


def job_runs(session: Session, *, utc_now: datetime | None = None) -> Check:
    title = "定时任务"
    now = utc_now or clock.now()  # runs are recorded at clock.now()
    last = jobs.last_runs(session)
    lines: list[str] = []
    problems: list[str] = []
    facts: dict[str, dict[str, object]] = {}
    for name in jobs.JOBS:
        how_often, overdue_after = EVERY.get(name, DAILY)
        run = last.get(name)
        if run is None:
            problems.append(f"{name} 从未运行（应{how_often}运行）")
            facts[name] = {"last": None, "ok": None, "overdue": True}
            continue
        at = clock.as_utc(run.at)
        overdue = now - at > overdue_after
        facts[name] = {"last": at.isoformat(), "ok": run.ok, "overdue": overdue}
        when = f"{clock.in_beijing(at):%Y-%m-%d %H:%M}"
        lines.append(f"{name} 上次 {when}{'成功' if run.ok else '失败'}")
        if not run.ok:
            problems.append(f"{name} 上次运行失败：{run.summary}")
        elif overdue:
            problems.append(f"{name} 已逾期（上次 {when}，应{how_often}运行）")
    shown = "；".join(lines) or "尚无运行记录"
    if problems:
        return warn("jobs", title, "；".join(problems) + (f"。{shown}" if lines else ""),
                    "检查定时任务（cron / systemd timer）是否在运行，失败的在 /admin/jobs 查看原因",
                    **facts)  # fmt: skip
    return ok("jobs", title, shown, **facts)


def audit_tail(session: Session, *, count: int = TAIL) -> Check:
    title = "审计日志哈希链（最近部分）"
    report = audit.verify_tail(session, count)
    facts = {"checked": report.checked, "broken_id": report.broken_id}
    if not report.ok:
        return error("audit_tail", title, f"审计链断裂：{report.problem}",
                     "立即保全数据库备份，运行 `xinyong audit verify` 全量核验，报告审计员",
                     **facts)  # fmt: skip
    return ok("audit_tail", title,
              f"最近 {report.checked} 行校验通过（全量核验：`xinyong audit verify`）",
              **facts)  # fmt: skip
