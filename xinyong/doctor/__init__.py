"""Is this installation healthy? One list of checks, each in Chinese with 正常 / 警告 / 错误 and
what to do — what an operator runs before and after an upgrade (`xinyong doctor`) and what the
credit office sees on /admin/system. Both call `run_all`: the checks live here only.

Package map: `model` (Status, Check), `files` (catalog, signing key, keyring, data folder, report
slots, settings, clock), `database` (reachable, migrations, scheduled jobs, audit chain tail).
No check scans a table: each reads a few rows or files.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from xinyong import auth
from xinyong.audit import Actor
from xinyong.config import Settings
from xinyong.doctor import database as db_checks
from xinyong.doctor import files
from xinyong.doctor.model import Check, Status, error, worst
from xinyong.enums import Role
from xinyong.errors import Forbidden

__all__ = ["Check", "Status", "require_office", "run_all", "run_connecting", "worst"]

DB_CHECKS = (
    ("migrations", "数据库迁移"),
    ("jobs", "定时任务"),
    ("audit_tail", "审计日志哈希链（最近部分）"),
)


def require_office(actor: Actor) -> None:
    """The installation's state is the credit office's: its administrators and its own officers
    (an officer of no department); departments, auditors and the public are refused."""
    auth.require_role(actor, Role.ADMIN, Role.OFFICER)
    if not auth.is_credit_office(actor):
        raise Forbidden("系统状态只对信用办开放", code="doctor.credit_office_only")


def run_all(
    settings: Settings,
    session: Session | None,
    *,
    database_problem: Check | None = None,
    utc_now: datetime | None = None,
    tail: int = db_checks.TAIL,
) -> list[Check]:
    """Every check, in the order an operator reads them. `session` None: the database could
    not be opened (`database_problem` says why); the checks that need it are errors."""
    checks: list[Check] = []
    if session is None:
        problem = database_problem or error("database", "数据库", "数据库不可用", "")
        checks.append(problem)
        checks.append(_unchecked(*DB_CHECKS[0]))
    else:
        checks.append(_guarded("database", "数据库",
                               lambda: db_checks.database(session, utc_now=utc_now)))  # fmt: skip
        checks.append(_guarded("migrations", "数据库迁移", lambda: db_checks.migrations(session)))
    checks += [
        files.catalog_files(settings),
        files.signing_key(settings),
        files.keyring_trust(settings),
        files.data_folder(settings),
        files.report_slots_folder(settings),
        files.settings_sanity(settings),
        files.clock_and_zone(settings, utc_now=utc_now),
    ]
    if session is None:
        checks += [_unchecked(key, title) for key, title in DB_CHECKS[1:]]
    else:
        checks.append(_guarded("jobs", "定时任务",
                               lambda: db_checks.job_runs(session, utc_now=utc_now)))  # fmt: skip
        checks.append(_guarded("audit_tail", "审计日志哈希链（最近部分）",
                               lambda: db_checks.audit_tail(session, count=tail)))  # fmt: skip
    return checks


def _unchecked(key: str, title: str) -> Check:
    return error(key, title, "数据库不可用，未能检查", "先解决“数据库”一项")


def _guarded(key: str, title: str, check: Callable[[], Check]) -> Check:
    """A check the database refused (a table missing before `xinyong init`): an error naming
    the cause, never a traceback."""
    try:
        return check()
    except SQLAlchemyError as exc:
        cause = str(getattr(exc, "orig", exc)).splitlines()[0]
        return error(key, title, f"查询数据库失败：{cause}",
                     "运行 `xinyong db upgrade`；仍失败时检查数据库日志")  # fmt: skip


def run_connecting(settings: Settings, *, utc_now: datetime | None = None) -> list[Check]:
    """The command line's run: open the configured database itself (a SQLite file that does
    not exist, or a server that does not answer, is the first error)."""
    from xinyong.db.session import make_engine  # noqa: PLC0415

    url = settings.database_url
    if url.startswith("sqlite:///") and ":memory:" not in url:
        path = Path(url.removeprefix("sqlite:///"))
        if not path.exists():
            missing = error("database", "数据库", f"数据库文件 {path} 不存在",
                            "运行 `xinyong init` 建库，或检查 XINYONG_DATABASE_URL")  # fmt: skip
            return run_all(settings, None, database_problem=missing, utc_now=utc_now)
    if url.startswith("postgres") and "connect_timeout" not in url:
        url += ("&" if "?" in url else "?") + "connect_timeout=5"  # a dead server: 5 s, not minutes
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            try:
                session.connection()
            except SQLAlchemyError as exc:
                cause = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
                unreachable = error("database", "数据库", f"无法连接数据库：{cause}",
                                    "检查 XINYONG_DATABASE_URL、数据库服务是否运行、"
                                    "账号密码和网络")  # fmt: skip
                return run_all(settings, None, database_problem=unreachable, utc_now=utc_now)
            try:
                return run_all(settings, session, utc_now=utc_now)
            finally:
                session.rollback()  # the checks only read
    finally:
        engine.dispose()
