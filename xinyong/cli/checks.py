"""The joint check: `xinyong check CODE --matter M` checks; `check replay LOG_ID` reproduces a
logged answer from the slim check log and compares its digest (auditor)."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from xinyong.cli import context as ctx
from xinyong.cli.lists import check_command


class _CheckByDefault(TyperGroup):
    """`xinyong check CODE …` runs a check; `replay` is a subcommand (no code is called so)."""

    def parse_args(self, click_ctx: Any, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in {"--help", "-h"}):
            args = ["run", *args]
        return super().parse_args(click_ctx, args)


check_app = typer.Typer(
    cls=_CheckByDefault,
    help="联合奖惩核查 / joint check: `check CODE --matter M`; `check replay LOG_ID` (复核日志).",
)
check_app.command("run")(check_command)


@check_app.command("replay")
def replay(
    log_id: Annotated[str, typer.Argument(help="核查编号或日志行号 / check id or log row id")],
    json_out: Annotated[bool, typer.Option("--json", help="JSON 输出 / JSON output")] = False,
) -> None:
    """按日志重算核查答复并比对摘要 / rebuild a logged answer and compare its digest
    (exit 1 when it differs)."""
    from xinyong import measures  # noqa: PLC0415

    catalog = ctx.load_catalog()
    with ctx.db() as session:
        done = measures.replay_check(session, log_id, catalog=catalog, actor=ctx.operator())
        inputs, answer, digest = done.inputs, done.answer, done.digest
    if json_out:
        ctx.print_json({"check_id": inputs.check_id, "answer": answer, "logged_digest":
                        inputs.digest, "digest": digest, "matches": done.matches,
                        "catalog_version": done.catalog_version,
                        "logged_catalog_version": inputs.catalog_version})  # fmt: skip
    else:
        ctx.print_json(answer)
        for note in done.notes:
            ctx.err.print(note)
        print(f"catalog {done.catalog_version}")
        print(f"logged  {inputs.digest}\nreplay  {digest}")
        print(done.verdict)
    if not done.matches:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(check_app, name="check")
