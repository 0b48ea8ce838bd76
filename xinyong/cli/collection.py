"""`xinyong collect FILE --class CLASS --provider USCC [--dry-run] [--json]`. 归集命令。"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from xinyong.cli import context as ctx

if TYPE_CHECKING:
    from xinyong import collection


def collect(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="CSV / XLSX / JSON")],
    info_class: Annotated[
        str, typer.Option("--class", help="信息类：代码或名称 / info class id or title (行政处罚)")
    ],
    provider: Annotated[str, typer.Option("--provider", help="报送部门统一社会信用代码")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="只校验不入库 / validate only")
    ] = False,
    json_out: Annotated[bool, typer.Option("--json", help="JSON 报告 / JSON report")] = False,
) -> None:
    """归集一个文件 / collect a file of records (every row accepted or rejected with a reason)."""
    from xinyong import collection  # noqa: PLC0415
    from xinyong.db.session import make_engine, make_sessionmaker  # noqa: PLC0415

    catalog = ctx.load_catalog()
    info_class = ctx.resolve_class(catalog, info_class)
    submission = collection.Submission(info_class, provider, path=file, file_name=file.name)
    url = ctx.settings().database_url
    ctx.require_database(url)
    factory = make_sessionmaker(make_engine(url))
    bar = ctx.progress(enabled=not json_out)
    phases = collection.Phases()  # written to $XINYONG_COLLECT_PHASES when set (bench/collect.py)
    with bar, factory() as session:
        task = bar.add_task("归集 / collecting", total=None)
        report = collection.collect(
            session,  # collection commits per chunk: no surrounding transaction here
            submission,
            catalog=catalog,
            calendar=ctx.load_calendar(),
            dry_run=dry_run,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
            actor=ctx.operator(),
            today=ctx.today(),
            phases=phases,
        )
        if report.batch_id is not None:  # re-grade the subjects the batch touched
            from xinyong import evaluation  # noqa: PLC0415
            from xinyong.financing import outcomes  # noqa: PLC0415

            with phases.time("re-grade"):
                graded = evaluation.reevaluate_batch(
                    session, report.batch_id, catalog=catalog, today=ctx.today()
                )
            with phases.time("alerts"):
                outcomes.alerts_for_batch(  # 贷中预警
                    session, report.batch_id, catalog=catalog, today=ctx.today()
                )
                session.commit()
            if graded is None:
                ctx.err.print("本批次涉及主体较多，其信用评价将在下次运行 xinyong evaluate 时更新")
    phases.write_if_asked()
    _present(report, json_out=json_out)


def _present(report: collection.BatchReport, *, json_out: bool) -> None:
    if json_out:
        keys = ("batch_id", "repeat_of", "message", "received", "accepted", "rejected", "new",
                "updated", "unchanged")  # fmt: skip
        out = {k: report.as_dict()[k] for k in keys}
        out["errors"] = [
            {k: e[k] for k in ("row", "field", "code", "message")} for e in report.errors
        ]
        ctx.print_json(out)
        return
    if report.message:
        ctx.err.print(f"[yellow]重复报送[/yellow] {report.message}")
    ctx.err.print(
        f"批次 {report.batch_id or '（试校验）'}：收到 {report.received}，接收 {report.accepted}"
        f"（新增 {report.new}，更新 {report.updated}，未变 {report.unchanged}），"
        f"退回 {report.rejected}"
    )
    for error in report.errors[:50]:
        ctx.err.print(
            f"  第{error['row']}行 {error['field']}：{error['message']}（{error['code']}）"
        )
    for warning in report.warnings[:20]:
        ctx.err.print(f"  [yellow]提示[/yellow] {warning}")


def register(app: typer.Typer) -> None:
    app.command("collect")(collect)
