"""`xinyong` command line (命令行工具).

Commands are thin: parse, open a transaction, call one domain function, present the result.
"""

from __future__ import annotations

import sys

import typer

from xinyong import log
from xinyong.cli import admin, collection, data, jobs
from xinyong.cli import evaluation as evaluation_cli
from xinyong.cli import financing as financing_cli
from xinyong.cli import inspections as inspections_cli
from xinyong.cli import lists as lists_cli
from xinyong.cli import reports as reports_cli
from xinyong.cli import stats as stats_cli
from xinyong.cli.context import err
from xinyong.config import get_settings
from xinyong.errors import XinyongError

app = typer.Typer(
    name="xinyong",
    help="信用平台 xinyong 命令行工具 / xinyong public credit platform CLI.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)
admin.register(app)
data.register(app)
collection.register(app)
lists_cli.register(app)
jobs.register(app)
reports_cli.register(app)
evaluation_cli.register(app)
inspections_cli.register(app)
financing_cli.register(app)
stats_cli.register(app)


def main() -> None:
    """Entry point: domain errors become a Chinese message on stderr and exit status 1."""
    settings = get_settings()
    log.configure(json=settings.log_json, level=settings.log_level)
    try:
        code = app(standalone_mode=False)
    except XinyongError as exc:
        err.print(f"[red]错误[/red]（{exc.code}）：{exc.message}")
        sys.exit(1)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        err.print("已取消 / aborted")
        sys.exit(1)
    except Exception as exc:  # click usage errors and the like
        import click  # noqa: PLC0415

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        raise
    sys.exit(code if isinstance(code, int) else 0)
