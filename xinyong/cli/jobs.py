"""Batch jobs: `xinyong jobs run deadlines` (daily digest of the work queue). 批处理任务。"""

from __future__ import annotations

from typing import Annotated

import typer

from xinyong.cli import context as ctx

jobs_app = typer.Typer(help="批处理任务 / batch jobs.", no_args_is_help=True)


@jobs_app.command("run")
def run(
    name: Annotated[str, typer.Argument(help="任务名 / job name: deadlines")],
    json_out: Annotated[bool, typer.Option("--json", help="JSON 输出 / JSON output")] = False,
) -> None:
    """运行一个任务 / run one job (deadlines: 待办期限日报)."""
    from xinyong import jobs  # noqa: PLC0415

    with ctx.db() as session:
        result = jobs.run(name, session, today=ctx.today())
    if json_out:
        ctx.print_json(result)
        return
    ctx.err.print(
        f"{result['today']} 待办 {result['waiting']} 项，逾期 {result['overdue']} 项，"
        f"今日到期 {result['due_today']} 项"
    )
    for item in result["items"]:
        mark = "[red]逾期[/red] " if item["overdue"] else ""
        ctx.err.print(
            f"  {mark}{item['due'] or '无期限'}  {item['kind']} #{item['id']}  {item['summary']}"
        )
    for row in result["repair_timeliness"]:
        rate = "—" if row["rate"] is None else f"{row['rate']:.0%}"
        ctx.err.print(
            f"  信用修复及时率 {row['provider']}：{rate}（{row['on_time']}/{row['handled']}）"
        )


def register(app: typer.Typer) -> None:
    app.add_typer(jobs_app, name="jobs")
