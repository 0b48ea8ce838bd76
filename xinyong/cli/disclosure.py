"""`xinyong disclosure reclassify`: classify stored penalties again under the loaded catalog.
公示：按当前目录重新认定行政处罚的严重程度。"""

from __future__ import annotations

from typing import Annotated

import typer

from xinyong.cli import context as ctx

disclosure_app = typer.Typer(help="公示 / disclosure.", no_args_is_help=True)


@disclosure_app.command("reclassify")
def reclassify(
    json_out: Annotated[bool, typer.Option("--json", help="JSON 输出 / JSON output")] = False,
) -> None:
    """重新认定严重程度（目录变更后）/ classify again the penalties whose stored severity the
    loaded catalog no longer gives (written before, corrected, or under an older table)."""
    from xinyong.db.session import make_engine, make_sessionmaker  # noqa: PLC0415
    from xinyong.disclosure import reclassify as stored  # noqa: PLC0415

    catalog = ctx.load_catalog()
    url = ctx.settings().database_url
    ctx.require_database(url)
    bar = ctx.progress(enabled=not json_out)
    with bar, make_sessionmaker(make_engine(url))() as session:
        task = bar.add_task("重新认定 / reclassifying", total=None)
        outcome = stored.run(
            session,  # commits per batch of 5,000 (a restart continues where it stopped)
            catalog,
            actor=ctx.operator(),
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
        session.commit()  # the run's audit row
    if json_out:
        ctx.print_json({"examined": outcome.examined, "changed": outcome.changed,
                        "catalog_version": catalog.short_version})  # fmt: skip
        return
    ctx.err.print(f"已重新认定 {outcome.examined} 条记录的严重程度，其中 {outcome.changed} 条"
                  f"分类改变（目录版本 {catalog.short_version}）")  # fmt: skip


def register(app: typer.Typer) -> None:
    app.add_typer(disclosure_app, name="disclosure")
