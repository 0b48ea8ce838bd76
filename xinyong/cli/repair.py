"""`xinyong repair revoke ID --reason TEXT`: revoke an approved credit repair because the applicant
provided false materials. 信用修复：发现提供虚假材料的，撤销修复决定。"""

from __future__ import annotations

from typing import Annotated

import typer

from xinyong.cli import context as ctx

repair_app = typer.Typer(help="信用修复 / credit repair.", no_args_is_help=True)


@repair_app.command("revoke")
def revoke(
    repair_id: Annotated[int, typer.Argument(help="修复申请编号 / repair application id")],
    reason: Annotated[
        str, typer.Option("--reason", help="认定材料虚假的事实和依据 / what was found false")
    ],
    json_out: Annotated[bool, typer.Option("--json", help="JSON 输出 / JSON output")] = False,
) -> None:
    """撤销信用修复（提供虚假材料）：记录恢复公示，违诺信息记入信用记录，留痕 / revoke a repair."""
    from xinyong import commitments, repair  # noqa: PLC0415

    with ctx.db() as session:
        application = repair.get(session, repair_id, actor=ctx.operator())
        found = commitments.revoke_for_false_materials(
            session, application, reason, actor=ctx.operator(), today=ctx.today(),
            catalog=ctx.load_catalog(),
        )  # fmt: skip
        record = repair.current_version(session, application)
        breach = found.breach_record
        view = {"repair_id": application.id, "status": application.status,
                "reason": application.decision_reason, "record_id": record.id,
                "record_status": record.status, "commitment_code": found.commitment.code,
                "breach_record_id": breach.id if breach else None}  # fmt: skip
    if json_out:
        ctx.print_json(view)
        return
    ctx.err.print(
        f"已撤销信用修复申请第 {repair_id} 号：{view['reason']}；"
        f"信用记录恢复公示（当前版本 {record.id}）；信用修复承诺 {view['commitment_code']} "
        f"认定为不实，违诺信息已记入信用记录（记录 {view['breach_record_id']}）"
    )


def register(app: typer.Typer) -> None:
    app.add_typer(repair_app, name="repair")
