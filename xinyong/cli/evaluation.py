"""`xinyong evaluate` (公共信用综合评价) and `xinyong export parquet DIR` (fact table snapshot)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from xinyong.cli import context as ctx
from xinyong.errors import InvalidInput

export_app = typer.Typer(help="导出数据 / export data.", no_args_is_help=True)


def _models(catalog: Any, model: str | None) -> list[Any]:
    from xinyong import evaluation  # noqa: PLC0415

    models = evaluation.models_for(catalog)
    return [models.get(model)] if model else list(models.models.values())


def evaluate(
    model: Annotated[str | None, typer.Option("--model", help="评价模型 / model id")] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="评价基准日 YYYY-MM-DD / as-of date")
    ] = None,
    engine: Annotated[str, typer.Option("--engine", help="embedded | spark")] = "embedded",
    spark_master: Annotated[
        str | None, typer.Option("--spark-master", help="Spark master URL, e.g. local[2]")
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="JSON 输出 / JSON output")] = False,
) -> None:
    """评价全部主体并保存结果 / grade every subject a model covers and store the results.

    --json prints {"model","version","as_of","subjects","grades","seconds"} for one model
    (--model), or a JSON array of those objects when every model runs.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress  # noqa: PLC0415

    from xinyong.evaluation import engine as engines  # noqa: PLC0415

    if engine not in ("embedded", "spark"):
        raise InvalidInput("--engine 只能是 embedded 或 spark")
    day = _day(as_of)
    catalog = ctx.load_catalog()
    summaries = []
    for loaded in _models(catalog, model):
        with Progress(
            *Progress.get_default_columns()[:1],
            BarColumn(),
            MofNCompleteColumn(),
            console=ctx.err,
            transient=True,
        ) as bar:
            task = bar.add_task(f"评价 {loaded.model.title}", total=None)

            def tick(done: int, total: int, task: Any = task, bar: Any = bar) -> None:
                bar.update(task, completed=done, total=total)

            with ctx.db() as session:
                if engine == "spark":
                    from xinyong.evaluation import spark as spark_engine  # noqa: PLC0415

                    summary = spark_engine.run_spark(
                        session,
                        loaded,
                        catalog=catalog,
                        as_of=day,
                        actor=ctx.operator(),
                        master=spark_master,
                        progress=tick,
                    )
                else:
                    summary = engines.run_embedded(
                        session,
                        loaded,
                        catalog=catalog,
                        as_of=day,
                        actor=ctx.operator(),
                        progress=tick,
                    )
        summaries.append(summary)
        if not json_out:
            shown = "，".join(f"{g} {n}" for g, n in summary.grades.items())
            ctx.err.print(
                f"{loaded.model.title}（{summary.version}）{summary.as_of}：主体 "
                f"{summary.subjects} 个，{shown}；用时 {summary.seconds:.2f} 秒"
            )
    if json_out:
        items = [s.as_json() for s in summaries]
        ctx.print_json(items[0] if model else items)


def _day(text: str | None) -> date:
    if text is None:
        return ctx.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"日期格式应为 YYYY-MM-DD：{text}") from None


@export_app.command("parquet")
def export_parquet(
    directory: Annotated[Path, typer.Argument(help="输出目录 / output directory")],
    as_of: Annotated[str | None, typer.Option("--as-of", help="基准日 / as-of date")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="JSON 输出 / JSON output")] = False,
) -> None:
    """导出评价用事实表（Parquet）/ write the evaluation fact table snapshot as Parquet."""
    from xinyong.evaluation import snapshot  # noqa: PLC0415

    day = _day(as_of)
    catalog = ctx.load_catalog()
    with ctx.db() as session:
        written = snapshot.export(session, directory, catalog=catalog, as_of=day)
    if json_out:
        ctx.print_json(written)
    else:
        ctx.err.print(
            f"已导出 {written['subjects']} 个主体、{written['facts']} 条事实到 {directory}"
        )


def register(app: typer.Typer) -> None:
    app.command("evaluate")(evaluate)
    app.add_typer(export_app, name="export")
