"""`xinyong repair accept|not-accept|extend|decide|revoke ID …`: the deciding department's steps of
a credit repair case, the same domain actions as `/admin/repairs/{id}` and `POST /api/v1/repairs/
{id}/…` (each checks the department and audits). 信用修复：受理、不予受理、延长期限、作出决定，
发现提供虚假材料的，撤销修复决定。"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import typer

from xinyong.cli import context as ctx

repair_app = typer.Typer(help="信用修复 / credit repair.", no_args_is_help=True)
RepairId = Annotated[int, typer.Argument(help="修复申请编号 / repair application id")]
Reason = Annotated[str, typer.Option("--reason", help="理由 / reason")]
JsonOut = Annotated[bool, typer.Option("--json", help="JSON 输出 / JSON output")]


def _step(repair_id: int, json_out: bool, act: Callable[..., Any], said: str) -> None:
    """Get the application for the operator, take the step, print where it stands."""
    from xinyong import repair  # noqa: PLC0415

    with ctx.db() as session:
        application = repair.get(session, repair_id, actor=ctx.operator())
        act(session, application)
        view = repair.state(application)
    if json_out:
        ctx.print_json(view)
        return
    ctx.err.print(f"信用修复申请第 {repair_id} 号：{said.format(**view)}")


@repair_app.command("accept")
def accept(repair_id: RepairId, json_out: JsonOut = False) -> None:
    """受理信用修复申请，开始计算决定期限 / accept a repair application."""
    from xinyong import repair  # noqa: PLC0415

    def act(session: Any, application: Any) -> None:
        repair.accept(session, application, actor=ctx.operator(), today=ctx.today(),
                      catalog=ctx.load_catalog(), calendar=ctx.load_calendar())  # fmt: skip

    _step(repair_id, json_out, act, "已受理，应于 {decide_due} 前作出决定")


@repair_app.command("not-accept")
def not_accept(repair_id: RepairId, reason: Reason, json_out: JsonOut = False) -> None:
    """不予受理（须说明理由）/ refuse to accept, with the reason."""
    from xinyong import repair  # noqa: PLC0415

    def act(session: Any, application: Any) -> None:
        repair.refuse_acceptance(session, application, reason, actor=ctx.operator(),
                                 today=ctx.today())  # fmt: skip

    _step(repair_id, json_out, act, "不予受理：{reason}")


@repair_app.command("extend")
def extend(repair_id: RepairId, reason: Reason, json_out: JsonOut = False) -> None:
    """延长办理期限（仅一次，须说明理由）/ extend the decision deadline once."""
    from xinyong import repair  # noqa: PLC0415

    def act(session: Any, application: Any) -> None:
        repair.extend(session, application, reason, actor=ctx.operator(), today=ctx.today(),
                      catalog=ctx.load_catalog(), calendar=ctx.load_calendar())  # fmt: skip

    _step(repair_id, json_out, act, "办理期限延长至 {decide_due}（{extension_reason}）")


@repair_app.command("decide")
def decide(
    repair_id: RepairId,
    approve: Annotated[
        bool, typer.Option("--approve/--refuse", help="准予修复或不予修复 / approve or refuse")
    ],
    reason: Annotated[str, typer.Option("--reason", help="理由（不予修复时必填）")] = "",
    json_out: JsonOut = False,
) -> None:
    """作出信用修复决定：准予的，信用记录即停止公示或名单提前移出 / decide a repair."""
    from xinyong import repair  # noqa: PLC0415

    def act(session: Any, application: Any) -> None:
        repair.decide(session, application, approve=approve, reason=reason, actor=ctx.operator(),
                      today=ctx.today(), catalog=ctx.load_catalog())  # fmt: skip

    said = "准予修复，决定已生效" if approve else "不予修复：{reason}"
    _step(repair_id, json_out, act, said)


@repair_app.command("revoke")
def revoke(
    repair_id: RepairId,
    reason: Annotated[
        str, typer.Option("--reason", help="认定材料虚假的事实和依据 / what was found false")
    ],
    json_out: JsonOut = False,
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
