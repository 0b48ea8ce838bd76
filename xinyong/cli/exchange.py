"""`xinyong exchange export --to DIR [--after CURSOR]` and `xinyong exchange import DIR|FILE`.
信用信息交换：导出签名交换包、校验并导入交换包。"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from xinyong.cli import context as ctx

app = typer.Typer(help="信用信息交换 / exchange with provincial and national platforms.")


def trusted_keys(extra: list[Path]) -> Any:
    """The office's keyring (its own keys, those trusted for packages with `xinyong keys
    trust`), plus the `--trust` files for this import only."""
    from xinyong import keyring, signing  # noqa: PLC0415

    keys = [signing.load_verify_key(p.read_bytes()) for p in extra]
    return keyring.office_keyring(ctx.settings()).with_keys(keys, keyring.Purpose.PACKAGES)


@app.command("export")
def export(
    to: Annotated[Path, typer.Option("--to", help="交换包目录 / package folder")],
    after: Annotated[str | None, typer.Option("--after", help="上次导出的游标 / cursor")] = None,
    json_out: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """导出交换包：变更流中游标之后的变更（无游标：全部，含主体登记信息，可为新节点初始化）。"""
    from xinyong import clock, signing  # noqa: PLC0415
    from xinyong.exchange import package  # noqa: PLC0415

    key = signing.ensure_key(ctx.settings().signing_key_path)
    with ctx.db() as session:
        manifest = package.export_package(
            session, to, after=after, catalog=ctx.load_catalog(), key=key,
            node={"key_id": key.public_key.key_id}, signed_at=clock.now(),
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
    path: Annotated[
        Path, typer.Argument(exists=True, help="交换包目录或 zip 文件；或国家名单文件（CSV/XLSX）")
    ],
    trust: Annotated[
        list[Path] | None, typer.Option("--trust", help="发送方公钥 PEM（可多次）")
    ] = None,
    national_list: Annotated[
        str | None,
        typer.Option(
            "--national-list", help="国家名单格式（如 court_defaulter）；省略时按表头识别"
        ),
    ] = None,
    provider: Annotated[
        str | None, typer.Option("--provider", help="国家名单文件的报送部门统一社会信用代码")
    ] = None,
    json_out: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """导入交换包（先校验签名、摘要和行数，任何一项不符整包拒收，再经归集流程入库），
    或导入国家平台下发的名单文件（总对总：失信被执行人、重大税收违法失信主体等）。"""
    from xinyong.exchange import national  # noqa: PLC0415

    if national_list is not None or path.suffix.lower() in national.SUFFIXES:
        _import_national(path, national_list, provider, json_out=json_out)
        return
    from sqlalchemy.orm import Session  # noqa: PLC0415

    from xinyong.db.session import make_engine, make_sessionmaker  # noqa: PLC0415
    from xinyong.exchange import intake  # noqa: PLC0415

    keys = trusted_keys(list(trust or []))
    factory = make_sessionmaker(make_engine(ctx.settings().database_url))
    session: Session
    with factory() as session:  # collection commits per chunk: no surrounding transaction
        counts = intake.import_package(
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


def _import_national(
    path: Path, national_list: str | None, provider: str | None, *, json_out: bool
) -> None:
    from xinyong.db.session import make_engine, make_sessionmaker  # noqa: PLC0415
    from xinyong.exchange import national  # noqa: PLC0415

    s, catalog = ctx.settings(), ctx.load_catalog()
    layouts = national.load_layouts(s.catalog_dir, catalog)
    factory = make_sessionmaker(make_engine(s.database_url))
    with factory() as session:  # collection commits per chunk: no surrounding transaction
        result = national.import_file(
            session, path, national_list=national_list, layouts=layouts, catalog=catalog,
            calendar=ctx.load_calendar(), actor=ctx.operator(), today=ctx.today(),
            provider=provider,
        )  # fmt: skip
    if json_out:
        ctx.print_json(result)
        return
    ctx.err.print(
        f"{result['title']}：{result['rows']} 行，"
        f"接收 {result['accepted']}（新增 {result['new']}），"
        f"退回 {result['rejected']}；报送部门 {result['provider']}，批次 {result['batch_id']}"
    )
    if result.get("message"):
        ctx.err.print(f"  {result['message']}")
    for err in result["errors"][:20]:
        column = f"（列“{err['column']}”）" if err.get("column") else ""
        where = f"第 {err.get('row')} 行 {err.get('field') or ''}{column}"
        ctx.err.print(f"  {where}：{err.get('message')}")
    if result["unmapped_columns"]:
        ctx.err.print(f"  未识别的列（已忽略）：{'、'.join(result['unmapped_columns'])}")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="exchange")
