"""`xinyong doctor`: is this installation healthy? 安装检查。"""

from __future__ import annotations

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


def register(app: typer.Typer) -> None:
    app.command("doctor")(doctor)
