"""`xinyong exchange export --to DIR [--after CURSOR]` and `xinyong exchange import DIR|FILE`.
信用信息交换：导出签名交换包、校验并导入交换包。"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from xinyong.cli import context as ctx

app = typer.Typer(help="信用信息交换 / exchange with provincial and national platforms.")


def trusted_keys(extra: list[Path]) -> list[Any]:
    """The office's own public key, `--trust` files and `<data_dir>/keys/trusted/*.pem`."""
    from xinyong.exchange import delivery  # noqa: PLC0415

    s = ctx.settings()
    return delivery.trusted_keys(s.signing_key_path, s.data_dir, extra)


@app.command("export")
def export(
    to: Annotated[Path, typer.Option("--to", help="交换包目录 / package folder")],
    after: Annotated[str | None, typer.Option("--after", help="上次导出的游标 / cursor")] = None,
    json_out: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """导出交换包：变更流中游标之后的变更（无游标：全部，含主体登记信息，可为新节点初始化）。"""
    from xinyong import signing  # noqa: PLC0415
    from xinyong.exchange import package  # noqa: PLC0415

    key = signing.ensure_key(ctx.settings().signing_key_path)
    with ctx.db() as session:
        manifest = package.export_package(
            session, to, after=after, catalog=ctx.load_catalog(), key=key,
            node={"key_id": key.public_key.key_id},
        )  # fmt: skip
    if json_out:
        ctx.print_json(manifest)
        return
    ctx.err.print(
        f"已导出 {manifest['changes']} 条变更到 {to}；下次导出请用 --after {manifest['until']}"
    )
    for item in manifest["files"]:
        if item["rows"]:
            ctx.err.print(f"  {item['name']}：{item['rows']} 行，SM3 {item['sm3'][:16]}…")


@app.command("import")
def import_(
    path: Annotated[Path, typer.Argument(exists=True, help="交换包目录或 zip 文件")],
    trust: Annotated[
        list[Path] | None, typer.Option("--trust", help="发送方公钥 PEM（可多次）")
    ] = None,
    json_out: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """导入交换包：先校验签名、摘要和行数（任何一项不符整包拒收），再经归集流程入库。"""
    from sqlalchemy.orm import Session  # noqa: PLC0415

    from xinyong.db.session import make_engine, make_sessionmaker  # noqa: PLC0415
    from xinyong.exchange import package  # noqa: PLC0415

    keys = trusted_keys(list(trust or []))
    factory = make_sessionmaker(make_engine(ctx.settings().database_url))
    session: Session
    with factory() as session:  # collection commits per chunk: no surrounding transaction
        counts = package.import_package(
            session, path, trusted=keys, catalog=ctx.load_catalog(),
            calendar=ctx.load_calendar(), actor=ctx.operator(), today=ctx.today(),
            progress=lambda text: ctx.err.print(f"  导入 {text}"),
        )  # fmt: skip
    if json_out:
        ctx.print_json(counts)
        return
    ctx.err.print(
        f"已导入：部门 {counts['providers']}，主体 {counts['subjects']}，"
        f"记录接收 {counts['accepted']}（新增 {counts['new']}），退回 {counts['rejected']}，"
        f"状态变更 {counts['statuses']}"
    )


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="exchange")
