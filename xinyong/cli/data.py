"""Data commands: subjects, demo. 数据命令。"""

from __future__ import annotations

from typing import Annotated

import typer

from xinyong.cli import context as ctx

subjects_app = typer.Typer(help="信用主体 / subjects.", no_args_is_help=True)


@subjects_app.command("list")
def subjects_list(
    limit: Annotated[int, typer.Option(help="条数 / how many")] = 20,
    json_out: Annotated[bool, typer.Option("--json", help="JSON 输出 / JSON output")] = False,
) -> None:
    """列出信用主体（身份证号已脱敏）/ list subjects (ID numbers masked)."""
    from xinyong import subjects  # noqa: PLC0415

    with ctx.db() as session:
        rows = [subjects.public_view(s) for s in subjects.list_subjects(session, limit=limit)]
    if json_out:
        ctx.print_json(rows)
        return
    for r in rows:
        print(f"{r['code']}  {r['kind_label']:<6} {r['name']}")


def demo_command(
    count: Annotated[
        int | None, typer.Option(help="主体数量（默认 2400）/ number of subjects")
    ] = None,
    seed: Annotated[int | None, typer.Option(help="随机种子 / seed")] = None,
) -> None:
    """加载示范区演示数据（可重复运行）/ load the demo region (idempotent)."""
    from xinyong import demo  # noqa: PLC0415
    from xinyong.errors import ConfigurationError  # noqa: PLC0415

    if ctx.settings().production:
        raise ConfigurationError(
            "正式环境（XINYONG_ENVIRONMENT=production）不能加载示范区演示数据：演示请另建一个"
            "XINYONG_ENVIRONMENT=demo 的安装",
            code="demo.production",
        )
    count = demo.DEFAULT_SUBJECTS if count is None else count
    seed = demo.DEFAULT_SEED if seed is None else seed
    with ctx.db() as session:
        result = demo.load(session, count=count, seed=seed, actor=ctx.operator(), today=ctx.today())
    if result.created:
        ctx.err.print(f"示范区数据已加载 / demo loaded：{result.subjects} 个主体")
    else:
        ctx.err.print(f"示范区数据已存在 / demo already loaded（{result.subjects} 个主体）")
    ctx.err.print(f"演示账户 / demo logins（密码 / password：{demo.DEMO_PASSWORD}）：")
    for username, role, page in demo.DEMO_LOGINS:
        ctx.err.print(f"  {username:<11} {role.label:<10} {page}")


def register(app: typer.Typer) -> None:
    app.add_typer(subjects_app, name="subjects")
    app.command("demo")(demo_command)
