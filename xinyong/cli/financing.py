"""`xinyong financing …` (信易贷: institutions, monthly 白名单, figures) and
`xinyong scenarios …` (信易+: partners, verification counts)."""

from __future__ import annotations

from typing import Annotated

import typer

from xinyong.cli import context as ctx
from xinyong.errors import NotFound

financing_app = typer.Typer(help="信易贷 / SME financing.", no_args_is_help=True)
scenarios_app = typer.Typer(help="信易+ 场景 / incentive scenarios.", no_args_is_help=True)
JsonOut = Annotated[bool, typer.Option("--json", help="JSON 输出 / JSON output")]


@financing_app.command("institution")
def institution(
    name: Annotated[str, typer.Argument(help="机构名称 / name")],
    code: Annotated[str, typer.Option("--code", help="统一社会信用代码 / USCC")],
    kind: Annotated[str, typer.Option("--kind", help="bank | nonbank")] = "bank",
    user: Annotated[
        list[str] | None, typer.Option("--user", help="机构账户用户名（可多次）")
    ] = None,
    whitelist: Annotated[bool, typer.Option("--whitelist", help="参加白名单推送")] = False,
) -> None:
    """登记金融机构及其账户 / register a financial institution and attach its bank users."""
    from xinyong import auth  # noqa: PLC0415
    from xinyong.financing import institutions  # noqa: PLC0415

    with ctx.db() as session:
        inst = institutions.register(
            session, name, code, kind, joined_whitelist=whitelist, actor=ctx.operator()
        )
        for username in user or []:
            found = auth.find_user(session, username)
            if found is None:
                raise NotFound(f"用户“{username}”不存在")
            institutions.add_user(session, inst, found, actor=ctx.operator())
        ctx.err.print(f"已登记 {inst.name}（{inst.code}），机构编号 {inst.id}")


@financing_app.command("whitelist")
def whitelist_cmd(
    month: Annotated[str, typer.Argument(help="月份 YYYY-MM / month")],
    json_out: JsonOut = False,
) -> None:
    """按目录规则生成当月白名单（待信用办审核）/ generate the month's 白名单 for every bank that
    joined; a month already pushed is refused."""
    from xinyong.financing import catalog as fin_catalog  # noqa: PLC0415
    from xinyong.financing import whitelist  # noqa: PLC0415

    with ctx.db() as session:
        rows = whitelist.generate(
            session, month, catalog=ctx.load_catalog(), fin_catalog=fin_catalog.load(),
            actor=ctx.operator(), today=ctx.today(),
        )  # fmt: skip
        out = [whitelist.as_json(session, w) for w in rows]
    if json_out:
        ctx.print_json(out)
        return
    for w in out:
        ctx.err.print(
            f"白名单 #{w['id']} 机构 {w['institution_id']} {w['month']}："
            f"{len(w['subjects'])} 家企业（待审核）"
        )


@financing_app.command("figures")
def figures(
    month: Annotated[str | None, typer.Option("--month", help="月份 YYYY-MM")] = None,
    json_out: JsonOut = False,
) -> None:
    """按机构和月份统计放款 / loans, amount, share of credit loans, first loans."""
    from xinyong.financing import outcomes  # noqa: PLC0415

    with ctx.db() as session:
        rows = [f.as_dict() for f in outcomes.figures(session, month)]
    if json_out:
        ctx.print_json(rows)
        return
    for f in rows:
        ctx.err.print(
            f"{f['month']} {f['institution']}：放款 {f['loans']} 笔 {f['amount']} 万元，"
            f"信用贷款占比 {f['credit_loan_share']:.1%}，首贷 {f['first_loans']} 笔，"
            f"未获批 {f['refused']} 笔"
        )


@scenarios_app.command("partner")
def partner(
    scenario: Annotated[str, typer.Argument(help="场景 id / scenario id")],
    name: Annotated[str, typer.Argument(help="合作方名称 / partner name")],
    user: Annotated[str, typer.Option("--user", help="合作方账户用户名（partner 角色）")],
) -> None:
    """登记信易+合作方 / register a partner for a scenario."""
    from xinyong import auth  # noqa: PLC0415
    from xinyong.scenarios import catalog as scenario_catalog  # noqa: PLC0415
    from xinyong.scenarios import verify  # noqa: PLC0415

    with ctx.db() as session:
        found = auth.find_user(session, user)
        if found is None:
            raise NotFound(f"用户“{user}”不存在")
        row = verify.register_partner(
            session, scenario_catalog.load().get(scenario), name, found, actor=ctx.operator()
        )
        ctx.err.print(f"已登记合作方 #{row.id} {row.name}（{scenario}）")


@scenarios_app.command("counts")
def counts(json_out: JsonOut = False) -> None:
    """核验次数统计 / verifications per scenario and partner."""
    from xinyong.scenarios import verify  # noqa: PLC0415

    with ctx.db() as session:
        rows = verify.counts(session)
    if json_out:
        ctx.print_json(rows)
        return
    for r in rows:
        ctx.err.print(
            f"{r['scenario']} {r['partner']}：核验 {r['verifications']} 次，符合 {r['eligible']} 次"
        )


def register(app: typer.Typer) -> None:
    app.add_typer(financing_app, name="financing")
    app.add_typer(scenarios_app, name="scenarios")
