"""`xinyong inspections …`: 双随机、一公开 plans, reproducible redraws, inspectors."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from xinyong.cli import context as ctx
from xinyong.errors import InvalidInput

app_ = typer.Typer(help="双随机、一公开抽查 / random inspections.", no_args_is_help=True)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"日期格式应为 YYYY-MM-DD：{text}") from None


@app_.command("inspector")
def add_inspector(
    name: Annotated[str, typer.Argument(help="姓名 / name")],
    badge: Annotated[str, typer.Option("--badge", help="执法证号 / badge number")],
    department: Annotated[str, typer.Option("--department", help="所属部门统一社会信用代码")],
    related: Annotated[
        list[str] | None, typer.Option("--related", help="有利害关系的主体代码（可多次）")
    ] = None,
) -> None:
    """登记检查人员及其利害关系 / add an inspector with the subjects they are related to."""
    from xinyong import inspections, providers  # noqa: PLC0415

    with ctx.db() as session:
        dept = providers.get_by_uscc(session, department)
        row = inspections.add_inspector(
            session, name, badge, dept, actor=ctx.operator(), related_codes=tuple(related or ())
        )
        ctx.err.print(f"已登记检查人员 {row.name}（编号 {row.id}）")


@app_.command("plan")
def plan(
    code: Annotated[str, typer.Argument(help="计划编号 / plan code")],
    title: Annotated[str, typer.Option("--title", help="计划名称")],
    department: Annotated[str, typer.Option("--department", help="检查部门统一社会信用代码")],
    sector: Annotated[str, typer.Option("--sector", help="监管领域，如 market_regulation")],
    region: Annotated[str, typer.Option("--region", help="行政区划代码（前缀）")],
    start: Annotated[str, typer.Option("--from", help="抽查开始日期")],
    end: Annotated[str, typer.Option("--to", help="抽查结束日期")],
    seed: Annotated[
        str | None, typer.Option("--seed", help="随机种子（默认随机生成并记录）")
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="JSON 输出")] = False,
) -> None:
    """制定抽查计划并随机抽取对象和检查人员 / make a plan and draw subjects and inspectors."""
    from xinyong import inspections, providers  # noqa: PLC0415

    with ctx.db() as session:
        dept = providers.get_by_uscc(session, department)
        row = inspections.create_plan(
            session,
            code=code,
            title=title,
            provider=dept,
            sector=sector,
            region_code=region,
            period_start=_date(start),
            period_end=_date(end),
            seed=seed,
            actor=ctx.operator(),
            catalog=ctx.load_catalog(),
            today=ctx.today(),
        )
        drawn = inspections.drawn_of(session, row)
        out = {
            "plan": row.code,
            "seed": row.seed,
            "population": len(row.inputs["population"]),
            "drawn": len(drawn),
        }
    if json_out:
        ctx.print_json(out)
    else:
        ctx.err.print(
            f"计划 {out['plan']}：从 {out['population']} 个主体中抽取 {out['drawn']} 个，"
            f"随机种子 {out['seed']}（可用 xinyong inspections redraw {code} 复核）"
        )


@app_.command("redraw")
def redraw(
    code: Annotated[str, typer.Argument(help="计划编号 / plan code")],
    json_out: Annotated[bool, typer.Option("--json", help="JSON 输出")] = False,
) -> None:
    """按记录的种子重新抽取并与已公布的结果比对 / re-run a draw from its recorded seed."""
    from xinyong import inspections  # noqa: PLC0415

    with ctx.db() as session:
        result = inspections.redraw(
            session,
            inspections.get_plan(session, code, actor=ctx.operator()),
            actor=ctx.operator(),
        )
        out = {
            "plan": code,
            "seed": result.plan.seed,
            "identical": result.identical,
            "drawn": [d.as_json() for d in result.drawn],
        }
    if json_out:
        ctx.print_json(out)
    elif result.identical:
        n = len(result.drawn)
        ctx.err.print(f"计划 {code}：按种子 {out['seed']} 重新抽取，与记录完全一致（{n} 个）")
    else:
        ctx.err.print(f"[red]计划 {code}：重新抽取的结果与记录不一致[/red]")
    if not result.identical:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(app_, name="inspections")
