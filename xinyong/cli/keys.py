"""`xinyong keys …`: the office's SM2 keyring — list it, rotate the signing key (audited)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

from xinyong.cli import context as ctx

keys_app = typer.Typer(help="签名密钥 / the office's SM2 signing keys", no_args_is_help=True)


def _day(at: datetime | None) -> str:
    return at.date().isoformat() if at else "—"


@keys_app.command("list")
def keys_list(
    json_out: Annotated[bool, typer.Option("--json", help="JSON 输出")] = False,
) -> None:
    """列出密钥环：当前密钥和已停用的公钥（key-id、状态、启用与停用时间）/ list the keyring."""
    from xinyong.keyring import office_keyring  # noqa: PLC0415

    ring = office_keyring(ctx.settings())
    if json_out:
        problems = [{"path": str(p), "problem": why} for p, why in ring.problems]
        ctx.print_json({"keys": [e.as_dict() for e in ring.entries], "problems": problems})
        return
    if not ring.entries:
        ctx.err.print("没有签名密钥：运行 `xinyong init` 或设置 XINYONG_SIGNING_KEY")
    for e in ring.entries:
        state = "当前" if e.current else "已停用"
        when = f"启用于 {_day(e.since)}  停用于 {_day(e.until)}"
        ctx.err.print(f"{e.key_id}  {state}  {when}  {e.path}", highlight=False)
    for path, why in ring.problems:
        ctx.err.print(f"[red]无法读取[/red] {path}：{why}", highlight=False)


@keys_app.command("rotate")
def keys_rotate() -> None:
    """轮换签名密钥：在原路径生成新密钥对，旧公钥按 key-id 存入 retired/，旧私钥不保留（记审计）。

    轮换前出具的报告和日志清理检查点仍按其 key-id 用旧公钥核验。/ rotate the signing key.
    """
    from xinyong import clock, keyring  # noqa: PLC0415

    path = ctx.settings().signing_key_path
    with ctx.db() as session:
        done = keyring.rotate(session, path, actor=ctx.operator(), now=clock.now())
    ctx.err.print(f"已轮换签名密钥：新 key-id {done.new_key_id}（{path}）；"
                  f"旧公钥 {done.old_key_id} 保存在 {done.retired_path}。请公布新公钥。",
                  highlight=False)  # fmt: skip
    print(done.new_key_id)


def register(app: typer.Typer) -> None:
    app.add_typer(keys_app, name="keys")
