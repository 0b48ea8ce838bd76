"""`xinyong` command line (命令行工具).

Commands are thin: parse, open a transaction, call one domain function, present the result.
Command modules stay light at import time (`--help` starts fast): they import domain modules,
SQLAlchemy, Polars … inside their command functions. See README.md in this package.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from typer._click import exceptions as click_errors

from xinyong.cli import admin, clients, collection, data, exchange, jobs
from xinyong.cli import checks as checks_cli
from xinyong.cli import disclosure as disclosure_cli
from xinyong.cli import doctor as doctor_cli
from xinyong.cli import evaluation as evaluation_cli
from xinyong.cli import financing as financing_cli
from xinyong.cli import inspections as inspections_cli
from xinyong.cli import keys as keys_cli
from xinyong.cli import lists as lists_cli
from xinyong.cli import objections as objections_cli
from xinyong.cli import repair as repair_cli
from xinyong.cli import reports as reports_cli
from xinyong.cli import stats as stats_cli
from xinyong.cli.context import err
from xinyong.errors import XinyongError

app = typer.Typer(
    name="xinyong",
    help="信用平台 xinyong 命令行工具 / xinyong public credit platform CLI.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)


@app.callback()
def _root(
    verbose: Annotated[
        bool, typer.Option("--verbose", help="日志同时输出到标准错误 / log to stderr too")
    ] = False,
) -> None:
    # Runs before every command, and before a subcommand's --help: it only remembers --verbose;
    # logging (to var/logs/xinyong.log) starts when a command first reads the settings.
    from xinyong.cli import context  # noqa: PLC0415

    context.start(verbose=verbose)


admin.register(app)
data.register(app)
collection.register(app)
lists_cli.register(app)
jobs.register(app)
reports_cli.register(app)
evaluation_cli.register(app)
inspections_cli.register(app)
financing_cli.register(app)
exchange.register(app)
stats_cli.register(app)
clients.register(app)
checks_cli.register(app)
disclosure_cli.register(app)
repair_cli.register(app)
objections_cli.register(app)
doctor_cli.register(app)
keys_cli.register(app)


def _usage_line(exc: click_errors.UsageError) -> str:
    """One Chinese line: what was wrong and the usage to follow."""
    ctx = exc.ctx
    usage = ctx.get_usage().replace("Usage:", "用法：").strip() if ctx else "xinyong --help"
    path = ctx.command_path if ctx else "xinyong"
    if isinstance(exc, click_errors.NoArgsIsHelpError):
        problem = "缺少子命令"
    elif isinstance(exc, click_errors.MissingParameter):
        param = (exc.param.name or "参数").upper() if exc.param else "参数"
        problem = f"缺少参数 {param}"
    else:
        problem = f"参数不正确（{exc.format_message()}）"
    return f"错误：{problem}。{' '.join(usage.split())}；详见 `{path} --help`"


def _database_line(exc: Exception) -> str | None:
    """SQLAlchemy's error when the database is missing or unreachable, as one Chinese line."""
    name = type(exc).__name__
    module = type(exc).__module__
    if not module.startswith("sqlalchemy") or name not in ("OperationalError", "ProgrammingError"):
        return None
    text = str(exc).lower()
    if "no such table" in text or "does not exist" in text or "undefinedtable" in text:
        return "错误：数据库尚未初始化：请先运行 `xinyong init`"
    return "错误：无法连接数据库：请检查 XINYONG_DATABASE_URL，或先运行 `xinyong init`"


def main() -> None:
    """Entry point: domain errors, usage mistakes and a missing database become one Chinese line
    on stderr with a non-zero exit status (never a traceback)."""
    from xinyong.cli import context  # noqa: PLC0415

    context.hold_collector()
    try:
        code = app(standalone_mode=False)
    except XinyongError as exc:
        sys.stderr.write(f"错误（{exc.code}）：{exc.message}\n")
        sys.exit(1)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        err.print("已取消 / aborted")
        sys.exit(1)
    except click_errors.UsageError as exc:
        sys.stderr.write(_usage_line(exc) + "\n")
        sys.exit(2)
    except click_errors.ClickException as exc:
        sys.stderr.write(f"错误：{exc.format_message()}\n")
        sys.exit(exc.exit_code)
    except Exception as exc:
        line = _database_line(exc)
        if line is None:
            raise
        sys.stderr.write(line + "\n")
        sys.exit(1)
    _leave(code if isinstance(code, int) else 0)


def _leave(code: int) -> None:
    """Exit after a command that finished: what Python's own exit does for the program —
    other threads joined, `atexit` handlers (log files, temporary files, coverage), streams
    flushed — but not the interpreter's teardown of every module and object, which costs
    ≈ 0.3 s of CPU once SQLAlchemy, Polars and the tables are loaded (`xinyong evaluate`'s
    start-up and exit are part of its figure, issue 12) and does nothing the system does not
    do when the process ends."""
    import atexit  # noqa: PLC0415
    import os  # noqa: PLC0415
    import threading  # noqa: PLC0415

    for thread in threading.enumerate():
        if thread is not threading.main_thread() and not thread.daemon:
            thread.join()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    os._exit(code)
