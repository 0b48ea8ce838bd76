"""Batch jobs: `xinyong jobs run deadlines` (daily digest of the work queue). 批处理任务。"""

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
    if name == "dashboard":
        from xinyong import indicators  # noqa: PLC0415

        s = ctx.settings()
        options = {
            "catalog": ctx.load_catalog(),
            "definitions": indicators.load(s.catalog_dir, s.catalog_override_dir),
            "month": month,
        }
    if name == "retention":
        from xinyong.reports.issuer import office_key  # noqa: PLC0415

        s = ctx.settings()
        options = {"retention_years": s.query_log_retention_years, "key": office_key(s)}
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
            f"签名检查点 #{result['checkpoint']}"
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
    """Import the packages in the inbox, then send every pending change as one package."""
    from xinyong import clock, signing  # noqa: PLC0415
    from xinyong.cli.exchange import trusted_keys  # noqa: PLC0415
    from xinyong.db.session import make_engine, make_sessionmaker  # noqa: PLC0415
    from xinyong.exchange import delivery, national  # noqa: PLC0415

    s = ctx.settings()
    catalog = ctx.load_catalog()
    factory = make_sessionmaker(make_engine(s.database_url))
    with factory() as session:  # imports commit per chunk; sending commits its marks
        received = delivery.receive_inbox(
            session, inbox_dir=s.exchange_inbox_dir, trusted=trusted_keys([]), catalog=catalog,
            calendar=ctx.load_calendar(), actor=ctx.operator(), today=ctx.today(),
            layouts=national.load_layouts(s.catalog_dir, catalog),
        )  # fmt: skip
        target = delivery.Target(folder=s.exchange_outbox_folder, url=s.exchange_outbox_url,
                                 api_key=s.exchange_outbox_api_key)  # fmt: skip
        sent = delivery.send_pending(
            session, target=target, catalog=catalog, key=signing.ensure_key(s.signing_key_path),
            now=clock.now(),
        )  # fmt: skip
        session.commit()  # the rows of the package just written are sent (or their failure kept)
        left = delivery.pending(session)
    result = {"received": received, "sent": sent.as_dict(), "pending": left}
    if json_out:
        ctx.print_json(result)
        return
    for item in received:
        state = f"拒收：{item['refused']}" if "refused" in item else f"接收 {item['accepted']} 条"
        ctx.err.print(f"  收到 {item['package']}：{state}")
    if sent.package:
        where = "、".join(str(w) for w in (
            s.exchange_outbox_folder and s.exchange_outbox_folder / sent.package,
            s.exchange_outbox_url) if w)  # fmt: skip
        ctx.err.print(f"  已发送 {sent.changes} 条变更（{sent.package}）：{where}")
    if sent.error:
        ctx.err.print(f"  [red]发送失败[/red]（已尝试 {sent.attempts} 次）：{sent.error}")
    ctx.err.print(f"  待发送 {left} 项")
    if sent.error:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(jobs_app, name="jobs")
