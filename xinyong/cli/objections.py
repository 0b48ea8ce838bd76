"""`xinyong objections answer ID --outcome corrected|deleted|kept --answer TEXT [--change F=V]…`:
the department's answer to an objection, the same domain action as `/admin/objections/{id}` and
`POST /api/v1/objections/{id}/answer` (it checks the department and audits). 异议答复：更正、删除
或维持，写明理由。"""

from __future__ import annotations

from typing import Annotated

import typer

from xinyong.cli import context as ctx

objections_app = typer.Typer(help="异议 / objections.", no_args_is_help=True)
OUTCOMES = {"corrected": "更正", "deleted": "删除", "kept": "维持"}


@objections_app.command("answer")
def answer(
    objection_id: Annotated[int, typer.Argument(help="异议编号 / objection id")],
    outcome: Annotated[
        str, typer.Option("--outcome", help="答复结论：corrected 更正 / deleted 删除 / kept 维持")
    ],
    answer_text: Annotated[str, typer.Option("--answer", help="答复理由 / the reasons")],
    change: Annotated[
        list[str] | None,
        typer.Option("--change", help="更正的数据项 FIELD=VALUE（可重复）/ a corrected field"),
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="JSON 输出 / JSON output")] = False,
) -> None:
    """答复异议：更正（记录新版本）、删除（记录撤回）或维持，留痕 / answer an objection."""
    from xinyong import objections  # noqa: PLC0415
    from xinyong.errors import InvalidInput  # noqa: PLC0415

    wanted = ctx.resolve("答复结论", outcome, OUTCOMES)
    changes = {}
    for item in change or []:
        field, sep, value = item.partition("=")
        if not sep or not field.strip():
            raise InvalidInput(f"更正的数据项须写成 字段=值：“{item}”", code="cli.bad_change")
        changes[field.strip()] = value
    with ctx.db() as session:
        found = objections.get(session, objection_id, actor=ctx.operator())
        objections.answer_objection(session, found, wanted, answer_text, changes=changes or None,
                                    actor=ctx.operator(), today=ctx.today(),
                                    catalog=ctx.load_catalog())  # fmt: skip
        view = objections.state(found)
    if json_out:
        ctx.print_json(view)
        return
    done = f"已答复异议第 {objection_id} 号（{OUTCOMES[wanted]}）"
    if view["result_record_id"]:
        done += f"，信用记录新版本 {view['result_record_id']}"
    ctx.err.print(done)


def register(app: typer.Typer) -> None:
    app.add_typer(objections_app, name="objections")
