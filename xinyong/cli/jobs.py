"""Batch jobs: `xinyong jobs run NAME` (synchronous, recorded like a run from /admin/jobs),
`xinyong jobs worker` (the background runner; `xinyong serve` starts one), `xinyong jobs runs`
(recent background runs). 批处理任务。"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from xinyong.cli import context as ctx

jobs_app = typer.Typer(help="批处理任务 / batch jobs.", no_args_is_help=True)


@jobs_app.command("run")
def run(
    name: Annotated[
        str,
        typer.Argument(help="任务名 / job name: deadlines | retention | exchange | dashboard"),
    ],
    json_out: Annotated[bool, typer.Option("--json", help="JSON 输出 / JSON output")] = False,
    month: Annotated[
        str | None,
        typer.Option(
            "--month", help="dashboard：月份 YYYY-MM，默认本月 / month, default: this one"
        ),
    ] = None,
) -> None:
    """运行一个任务 / run one job.

    deadlines: 待办期限日报; retention: 清理超过保存期限的日志; exchange: 收发交换包;
    dashboard: 重算并保存信用工作看板（本月）.
    """
    if name == "exchange":
        _exchange(json_out=json_out)
        return
    from xinyong import jobs  # noqa: PLC0415

    options: dict[str, Any] = {}
    if name in jobs.JOBS:  # an unknown name is refused by run_recorded with the list
        options = jobs.options(name, ctx.settings(), ctx.load_catalog(), month=month)
    with ctx.db() as session:  # recorded like a run from the page: /admin/jobs shows it
        last, found = jobs.run_recorded(
            name, session, today=ctx.today(), actor=ctx.operator(), **options
        )
    if found is None:
        ctx.err.print(f"[red]任务 {name} 运行失败：{last.summary}[/red]")
        raise typer.Exit(1)
    result = found
    if json_out:
        ctx.print_json(result)
        return
    if name == "dashboard":
        ctx.err.print(
            f"信用工作看板 {result['month']}（截至 {result['as_of']}）已重算并保存："
            f"{result['figures']} 项指标，用时 {result['seconds']:.1f} 秒"
        )
        return
    if name == "retention":
        ctx.err.print(
            f"已清理 {result['cutoff_day']} 之前的日志"
            f"（保存期限 {result['retention_years']} 年）："
            f"审计日志 {result['audit_purged']} 行，查询记录 {result['query_purged']} 行，"
            f"核查日志 {result['checks_purged']} 行；"
            f"签名检查点 #{result['checkpoint']}{jobs.uploads_line(result)}"
        )
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


def _exchange(*, json_out: bool) -> None:
    """Import the packages in the inbox, then send every pending change as one package
    (recorded like a run from /admin/jobs)."""
    import time as timer  # noqa: PLC0415

    from xinyong import clock, jobs  # noqa: PLC0415
    from xinyong.db.session import make_engine, make_sessionmaker  # noqa: PLC0415
    from xinyong.exchange import rounds  # noqa: PLC0415

    s = ctx.settings()
    factory = make_sessionmaker(make_engine(s.database_url))
    started = timer.perf_counter()
    with factory() as session:  # imports commit per chunk; sending commits its marks
        result = rounds.exchange_round(
            session, settings=s, catalog=ctx.load_catalog(), calendar=ctx.load_calendar(),
            actor=ctx.operator(), today=ctx.today(), now=clock.now(),
        )  # fmt: skip
        jobs.record(session, "exchange", ctx.operator(), rounds.summarise(result), started,
                    ok=not result["sent"]["error"])  # fmt: skip
        session.commit()
    received, sent, left = result["received"], result["sent"], result["pending"]
    if json_out:
        ctx.print_json(result)
        return
    for item in received:
        state = f"拒收：{item['refused']}" if "refused" in item else f"接收 {item['accepted']} 条"
        ctx.err.print(f"  收到 {item['package']}：{state}")
    if sent["package"]:
        where = "、".join(str(w) for w in (
            s.exchange_outbox_folder and s.exchange_outbox_folder / sent["package"],
            s.exchange_outbox_url) if w)  # fmt: skip
        ctx.err.print(f"  已发送 {sent['changes']} 条变更（{sent['package']}）：{where}")
    if sent["error"]:
        ctx.err.print(f"  [red]发送失败[/red]（已尝试 {sent['attempts']} 次）：{sent['error']}")
    ctx.err.print(f"  待发送 {left} 项")
    if sent["error"]:
        raise typer.Exit(1)


@jobs_app.command("worker")
def worker(
    once: Annotated[
        bool, typer.Option("--once", help="运行完排队的任务后退出 / exit when none waits")
    ] = False,
    poll: Annotated[
        float, typer.Option("--poll", help="空闲时查看队列的间隔（秒） / idle poll seconds")
    ] = 2.0,
) -> None:
    """后台运行程序 / run queued background runs (`xinyong serve` starts one itself).

    Several may run against one database: each run is claimed by exactly one.
    """
    import signal  # noqa: PLC0415
    import threading  # noqa: PLC0415

    from xinyong.db.session import make_sessionmaker  # noqa: PLC0415
    from xinyong.evaluation import watch  # noqa: PLC0415 — grades follow archive changes
    from xinyong.runs import runner  # noqa: PLC0415

    s = ctx.settings()
    ctx.require_database(s.database_url)
    watch.install(lambda: (ctx.load_catalog(), ctx.today()))
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    if not once:
        ctx.err.print(f"后台运行程序已启动（{runner.runner_name()}），等待排队的任务……")
    count = runner.serve(make_sessionmaker(runner.engine_for(s.database_url)), s, stop=stop,
                         poll=poll, once=once)  # fmt: skip
    ctx.err.print(f"后台运行程序已停止：本次运行了 {count} 个任务")


@jobs_app.command("runs")
def list_runs(
    job: Annotated[str | None, typer.Option("--job", help="只看此任务 / only this job")] = None,
    status: Annotated[
        str | None,
        typer.Option(
            "--status", help="queued | running | succeeded | failed | refused | interrupted"
        ),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=1000)] = 20,
    json_out: Annotated[bool, typer.Option("--json", help="JSON 输出 / JSON output")] = False,
) -> None:
    """最近的后台运行 / recent background runs (newest first)."""
    from xinyong import clock, runs  # noqa: PLC0415
    from xinyong.enums import RunStatus  # noqa: PLC0415

    if status is not None and status not in RunStatus._value2member_map_:
        ctx.err.print(f"[red]未知的状态“{status}”[/red]（可用：{'、'.join(RunStatus)}）")
        raise typer.Exit(2)
    now = clock.now()
    with ctx.db() as session:
        found = [
            runs.view(r, now)
            for r in runs.recent(
                session, now=now, job=job, status=RunStatus(status) if status else None, limit=limit
            )
        ]
    if json_out:
        ctx.print_json(found)
        return
    if not found:
        ctx.err.print("没有后台运行记录")
    for r in found:
        progress = f" {r['done'] or 0}/{r['total']}" if r["total"] else ""
        ctx.err.print(
            f"#{r['id']} {r['title']}（{r['job']}） {r['status_label']}{progress} · "
            f"{r['started_by']} · 提交 {r['queued_at']}"
        )
        if r["summary"] or r["message"]:
            ctx.err.print(f"    {r['summary'] or r['message']}")
        if r["upload_deleted_on"]:
            ctx.err.print(f"    上传的文件已于 {r['upload_deleted_on']} 按保存期限删除"
                          f"（超过 {r['upload_kept_days']} 天未再使用）")  # fmt: skip


def register(app: typer.Typer) -> None:
    app.add_typer(jobs_app, name="jobs")
