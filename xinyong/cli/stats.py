"""`xinyong stats [--month YYYY-MM] [--json]`: the credit office's indicators. 信用工作指标。"""

from __future__ import annotations

from typing import Annotated

import typer

from xinyong.cli import context as ctx


def stats(
    month: Annotated[
        str | None,
        typer.Option("--month", help="月份 YYYY-MM，默认本月 / month, default: this one"),
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="JSON 输出 / JSON output")] = False,
    refresh: Annotated[
        bool,
        typer.Option("--refresh", help="重算并替换已结束月份的存档 / recompute a closed month"),
    ] = False,
) -> None:
    """打印全部指标及目标值 / print every indicator against its target."""
    from xinyong import indicators  # noqa: PLC0415

    s = ctx.settings()
    definitions = indicators.load(s.catalog_dir, s.catalog_override_dir)
    period = indicators.Period.of(month, today=ctx.today(), catalog=ctx.load_catalog())
    with ctx.db() as session:
        if refresh:
            from xinyong.indicators import snapshots  # noqa: PLC0415

            ctx.err.print(
                f"已重算 {snapshots.refresh(session, period)} 项指标的 {period.month} 存档"
            )
        found = indicators.figures(session, definitions, period)
    if json_out:
        ctx.print_json([f.as_json() for f in found])
        return
    ctx.err.print(f"{period.month} 信用工作指标（截至 {period.as_of.isoformat()}）")
    for f in found:
        value = "—" if f.value is None else f"{f.value:g}"
        target = "" if f.target is None else f"  目标 {f.target:g}"
        mark = {True: " [green]达标[/green]", False: " [red]未达标[/red]", None: ""}[f.target_met]
        kind = "计算" if f.source == "computed" else "手工"
        ctx.err.print(f"  [{kind}] {f.indicator.title}：{value} {f.indicator.unit}{target}{mark}")


def register(app: typer.Typer) -> None:
    app.command("stats")(stats)
