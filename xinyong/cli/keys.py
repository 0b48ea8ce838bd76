"""`xinyong keys …`: the office's SM2 keyring — list it, rotate the signing key, trust a public
key for reports or packages, stop trusting one, record the old layout (audited where it decides
trust)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
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
    """列出密钥环：当前密钥、已停用的本办公钥和登记的对方平台公钥（key-id、用途、启用与停用时间），
    以及未登记（不受信任）的公钥文件 / list the keyring."""
    from xinyong import keyring  # noqa: PLC0415

    ring = keyring.office_keyring(ctx.settings())
    problems = [{"path": str(p), "problem": why} for p, why in ring.problems]
    if json_out:
        ctx.print_json(
            {
                "keys": [e.as_dict() for e in ring.entries],
                "problems": problems,
                "strays": [str(p) for p in ring.strays],
                "legacy": ring.legacy,
            }
        )
        return
    if not ring.entries:
        ctx.err.print("没有签名密钥：运行 `xinyong init` 或设置 XINYONG_SIGNING_KEY")
    for e in ring.entries:
        state = "当前" if e.current else ("已停用" if e.office and e.until else "受信任")
        when = f"启用于 {_day(e.since)}  停用于 {_day(e.until)}"
        ctx.err.print(
            f"{e.key_id}  {state}  {e.name or '—'}  用于 {keyring.purposes_text(e.purposes)}"
            f"  {when}  {e.path}",
            highlight=False,
        )
    for path, why in ring.problems:
        ctx.err.print(f"[red]无法读取[/red] {path}：{why}", highlight=False)
    for path in ring.strays:
        ctx.err.print(
            f"[yellow]未登记，不受信任[/yellow] {path}（需要时用 `xinyong keys trust` 登记）",
            highlight=False,
        )
    if ring.legacy:
        ctx.err.print("密钥环尚未登记为清单：运行 `xinyong keys migrate`", highlight=False)


@keys_app.command("rotate")
def keys_rotate() -> None:
    """轮换签名密钥：在原路径生成新密钥对，旧公钥按 key-id 存入 retired/，旧私钥不保留（记审计）。

    轮换前出具的报告、日志清理检查点和交换包仍按其 key-id 用旧公钥核验；停用后再用旧密钥签的交换包
    一律拒收。/ rotate the signing key.
    """
    from xinyong import clock, keyring  # noqa: PLC0415

    s = ctx.settings()
    path = s.signing_key_path
    with ctx.db() as session:
        done = keyring.rotate(
            session, path, actor=ctx.operator(), now=clock.now(), data_dir=s.data_dir
        )
    ctx.err.print(
        f"已轮换签名密钥：新 key-id {done.new_key_id}（{path}）；"
        f"旧公钥 {done.old_key_id} 保存在 {done.retired_path}。请公布新公钥。",
        highlight=False,
    )
    print(done.new_key_id)


@keys_app.command("trust")
def keys_trust(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="SM2 公钥 PEM 文件")],
    purposes: Annotated[
        list[str],
        typer.Option(
            "--for", help="用途：reports（信用报告和审计检查点）或 packages（交换包），可多次"
        ),
    ],
    name: Annotated[str, typer.Option("--name", help="这是谁的公钥，如“某省信用平台”")],
) -> None:
    """登记受信任的公钥（记审计）：对方平台的交换包公钥（--for packages），或本办以前的签名公钥
    （--for reports）。公钥复制到密钥目录的 trusted/，`xinyong keys list` 和 /admin/system 可见。
    直接放进 keys/ 的公钥文件不受信任。/ trust a public key."""
    from xinyong import clock, keyring  # noqa: PLC0415
    from xinyong.errors import InvalidInput  # noqa: PLC0415

    try:
        chosen = frozenset(keyring.Purpose(p.strip()) for p in purposes)
    except ValueError:
        raise InvalidInput(
            f"--for 只能是 reports 或 packages（收到 {', '.join(purposes)}）", code="keys.for"
        ) from None
    s = ctx.settings()
    with ctx.db() as session:
        entry = keyring.trust(
            session,
            s.signing_key_path,
            file,
            purposes=chosen,
            name=name,
            actor=ctx.operator(),
            now=clock.now(),
            data_dir=s.data_dir,
        )
    ctx.err.print(
        f"已登记公钥 {entry.key_id}（{entry.name}），用于 "
        f"{keyring.purposes_text(entry.purposes)}：{entry.path}",
        highlight=False,
    )
    print(entry.key_id)


@keys_app.command("untrust")
def keys_untrust(key_id: Annotated[str, typer.Argument(help="要停止信任的 key-id")]) -> None:
    """停止信任密钥环中的一把公钥（记审计）；它的文件留在原处，不再受信任。/ stop trusting a key."""
    from xinyong import keyring  # noqa: PLC0415

    s = ctx.settings()
    with ctx.db() as session:
        entry = keyring.untrust(
            session, s.signing_key_path, key_id.strip(), actor=ctx.operator(), data_dir=s.data_dir
        )
    ctx.err.print(f"已停止信任公钥 {entry.key_id}（{entry.name}）", highlight=False)


@keys_app.command("migrate")
def keys_migrate() -> None:
    """把旧目录布局中的公钥登记为密钥环清单（`xinyong init` 和 `xinyong db upgrade` 会自动执行）；
    已有清单时什么也不做。/ record the old keys layout as the keyring's list."""
    if not migrate_keyring():
        ctx.err.print("密钥环清单已存在（或还没有密钥目录），无需迁移", highlight=False)


def migrate_keyring() -> bool:
    """Record the old keys layout as the keyring's list once (init, db upgrade, keys migrate);
    a key folder it cannot write is reported, never fatal to the upgrade."""
    from xinyong import keyring  # noqa: PLC0415

    s = ctx.settings()
    try:
        done = keyring.migrate(s.signing_key_path, s.data_dir)
    except OSError as exc:
        ctx.err.print(
            f"[yellow]未能登记密钥环清单[/yellow]：{exc}（修正权限后运行 `xinyong keys migrate`）",
            highlight=False,
        )
        return False
    if done is not None:
        ctx.err.print(
            f"密钥环清单已写入 {done}：原目录中的公钥继续受信任（`xinyong keys list`）",
            highlight=False,
        )
    return done is not None


def register(app: typer.Typer) -> None:
    app.add_typer(keys_app, name="keys")
