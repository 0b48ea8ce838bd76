"""`xinyong doctor`: is this installation healthy? 安装检查。"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from xinyong.cli import context as ctx

MARK = {"ok": "[green]正常[/green]", "warn": "[yellow]警告[/yellow]", "error": "[red]错误[/red]"}


def doctor(
    json_out: Annotated[
        bool, typer.Option("--json", help="JSON 输出（供监控）/ JSON output")
    ] = False,
) -> None:
    """检查安装是否正常：数据库、迁移、目录、签名密钥、数据目录、设置、时钟、定时任务、审计链。

    升级前后各运行一次；有“错误”时退出码为 1。/ Check the installation; exit 1 on an error.
    """
    from xinyong import doctor as checks  # noqa: PLC0415

    found = checks.run_connecting(ctx.settings())
    overall = checks.worst(found)
    if json_out:
        ctx.print_json({"status": overall.value, "status_label": overall.label,
                        "checks": [c.as_dict() for c in found]})  # fmt: skip
    else:
        for c in found:
            ctx.err.print(f"{MARK[c.status.value]}  {c.title}：{c.detail}", highlight=False)
            if c.advice:
                ctx.err.print(f"      处理：{c.advice}", highlight=False)
        ctx.err.print(f"结论：{overall.label}")
    if overall == checks.Status.ERROR:
        raise typer.Exit(1)


def backup(
    target: Annotated[Path, typer.Argument(help="备份文件（新文件）/ the copy to write")],
) -> None:
    """在线备份 SQLite 数据库（不停服务）/ online copy of the SQLite database.

    PostgreSQL 请用 pg_dump；数据目录（签名密钥、附件）另行备份（见运维指南）。
    """
    from xinyong.db.backup import sqlite_backup  # noqa: PLC0415

    size = sqlite_backup(ctx.settings().database_url, target)
    ctx.err.print(
        f"已备份到 {target}（{size / 1024 / 1024:.1f} MiB）；请另行备份数据目录", highlight=False
    )


def register(app: typer.Typer) -> None:
    app.command("doctor")(doctor)
    app.command("backup")(backup)
