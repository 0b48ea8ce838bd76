"""Credit reports: `xinyong report CODE …`, `report verify FILE`, `report revoke NUMBER`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from xinyong.cli import context as ctx


class _IssueByDefault(TyperGroup):
    """`xinyong report CODE …` issues; `verify` and `revoke` are subcommands."""

    def parse_args(self, click_ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["issue", *args]
        return super().parse_args(click_ctx, args)


report_app = typer.Typer(
    cls=_IssueByDefault,
    help="信用报告 / credit reports: `report CODE --kind public|special --out FILE.pdf`, "
    "`report verify FILE.pdf`, `report revoke NUMBER --reason TEXT`.",
    no_args_is_help=True,
)


@report_app.command("issue")
def issue(
    code: Annotated[str, typer.Argument(help="主体代码 / USCC (or ID number)")],
    out: Annotated[Path, typer.Option("--out", help="输出文件 / output PDF")],
    kind: Annotated[str, typer.Option(help="public | special")] = "public",
    domain: Annotated[
        list[str] | None, typer.Option("--domain", help="专项报告领域，可重复 / domain")
    ] = None,
    years: Annotated[int | None, typer.Option(help="查询期间（年）/ look-back years")] = None,
    purpose: Annotated[
        str, typer.Option(help="查询目的 / purpose (logged)")
    ] = "信用办依申请出具（命令行）",
) -> None:
    """出具信用报告 / issue a signed report PDF."""
    from xinyong import reports, subjects  # noqa: PLC0415
    from xinyong.reports.issuer import issuer_for  # noqa: PLC0415

    if kind not in {"public", "special"}:
        raise typer.BadParameter("--kind 只能是 public 或 special")
    catalog = ctx.load_catalog()
    issuer = issuer_for(ctx.settings(), catalog)
    asked = reports.Request(reports.ReportKind(kind), tuple(domain or ()), years, purpose)
    with ctx.db() as session:
        reports.hold_write_lock(session)  # SQLite: before the first read (see there)
        subject = subjects.get_by_ref(session, code)
        issued = reports.issue(
            session,
            subject,
            asked,
            actor=ctx.operator(),
            issuer=issuer,
            catalog=catalog,
            today=ctx.today(),
            surface="cli",
        )
        number, valid_until = issued.row.number, issued.row.valid_until
    out.write_bytes(issued.data)
    ctx.err.print(f"已出具{issued.content.title} {number}，有效期至 {valid_until}：{out}")
    print(number)


@report_app.command("verify")
def verify(
    file: Annotated[Path, typer.Argument(help="报告文件 / report PDF", exists=True)],
    public_key: Annotated[
        Path | None,
        typer.Option("--public-key", help="只用此公钥 PEM 核验 / check with this public key only"),
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="JSON 输出")] = False,
) -> None:
    """离线核验报告签名与有效期 / verify offline (exit 1 unless authentic).

    不带 --public-key 时按报告的 key-id 从本平台密钥环（当前密钥和已轮换停用的公钥）取公钥。
    """
    from xinyong import reports, signing  # noqa: PLC0415
    from xinyong.keyring import office_keyring  # noqa: PLC0415

    key: reports.Keys = (
        signing.load_verify_key(public_key.read_bytes())
        if public_key
        else office_keyring(ctx.settings())
    )
    result = reports.check_file(file.read_bytes(), key, today=ctx.today())
    _show(result.as_json(), json_out)
    if result.verdict != reports.Verdict.AUTHENTIC:
        raise typer.Exit(1)


@report_app.command("revoke")
def revoke(
    number: Annotated[str, typer.Argument(help="报告编号 / report number")],
    reason: Annotated[str, typer.Option("--reason", help="撤销理由 / reason (audited)")],
) -> None:
    """撤销误出的报告 / revoke a report issued in error (audited)."""
    from xinyong import reports  # noqa: PLC0415

    with ctx.db() as session:
        row = reports.revoke(session, number, reason=reason, actor=ctx.operator())
        ctx.err.print(f"已撤销报告 {row.number}：{row.revoke_reason}")


def _show(body: dict[str, Any], json_out: bool) -> None:
    if json_out:
        ctx.print_json(body)
        return
    ctx.err.print(body["message"])
    print(body["verdict"])


def register(app: typer.Typer) -> None:
    app.add_typer(report_app, name="report")
