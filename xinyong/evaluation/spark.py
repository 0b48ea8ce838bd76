"""The Spark engine: the same plan over a Parquet snapshot, on `local[*]` or a cluster.

1. `snapshot.export` writes the fact table (step 1 of the plan, built by the same code as the
   embedded engine) to Parquet;
2. Spark reads it, joins it to the graded subjects (a subject without facts is graded too),
   partitions the rows by subject and applies the same vectorised plan (`plan.score_frame`,
   whose equality with the pure `scoring.score` tests/evaluation/test_plan.py proves) to each
   partition on the executors;
3. the executors write the results as Parquet; the driver reads them with Polars and stores
   them like an embedded run.
Only step 2 runs on the cluster; nothing about a rule is restated in Spark SQL, so the two
engines cannot disagree (tests/evaluation/test_engines_agree.py). pyspark is the `spark` extra.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy.orm import Session

from xinyong.audit import Actor
from xinyong.catalog import Catalog
from xinyong.errors import ConfigurationError
from xinyong.evaluation import snapshot
from xinyong.evaluation.engine import (
    RESULT_COLUMNS,
    Progress,
    RunSummary,
    finish_run,
    score_chunk_vectorised,
    start_run,
    write_results,
)
from xinyong.evaluation.fact_table import FACT_SCHEMA
from xinyong.evaluation.models import LoadedModel

BATCH = 100_000


def _session(master: str | None) -> Any:
    try:
        from pyspark.sql import SparkSession  # noqa: PLC0415
    except ImportError:
        raise ConfigurationError(
            "未安装 Spark 引擎（pyspark）。请安装可选组件 xinyong[spark]，并安装 Java 17"
        ) from None
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    builder = SparkSession.builder.appName("xinyong-evaluate").master(master or "local[*]")
    builder = builder.config("spark.ui.enabled", "false").config(
        "spark.sql.session.timeZone", "UTC"
    )
    return builder.getOrCreate()


def _grade_partition(
    rows: Iterable[Any], loaded: LoadedModel, as_of: date
) -> Iterator[tuple[int, float, str, str, str]]:
    """One partition (all rows of its subjects): the plan over its fact table."""
    items = [r.asDict() for r in rows]
    if not items:
        return
    ids = sorted({r["subject_id"] for r in items})
    facts = pl.DataFrame([r for r in items if r.get("ref") is not None], schema=FACT_SCHEMA)
    scored = score_chunk_vectorised(loaded, ids, facts, as_of)
    yield from scored.select(*RESULT_COLUMNS).iter_rows()


PARTITION_ROWS = 200_000  # fact rows a partition holds at most (each becomes Python rows)


def partitions_for(rows: int, parallelism: int) -> int:
    """How many partitions the fact table is cut into: at least two per core, and enough that no
    partition holds more than `PARTITION_ROWS` rows. A partition's rows become Python objects in
    one executor's Python worker (`_grade_partition`): four partitions of 2.5 million rows each ran
    a `local[2]` JVM out of heap at 10 million records (bench/RESULTS.md, stop 24)."""
    return max(2, parallelism * 2, -(-rows // PARTITION_ROWS))


def score_snapshot(
    directory: Path, loaded: LoadedModel, as_of: date, master: str | None
) -> pl.DataFrame:
    """Step 2 of the plan on Spark: partition the fact table by subject, apply the plan. The
    executors write the results as Parquet beside the snapshot and the driver reads them with
    Polars — nothing is collected through the driver's JVM (a million results did not fit its
    default heap)."""
    spark = _session(master)
    kinds = [k.value for k in loaded.model.subject_kinds]
    subjects = spark.read.parquet(str(directory / "subjects.parquet"))
    subjects = subjects.where(subjects.kind.isin(kinds)).select("subject_id")
    facts = spark.read.parquet(str(directory / "facts.parquet"))
    joined = subjects.join(facts, on="subject_id", how="left")
    parts = partitions_for(facts.count(), spark.sparkContext.defaultParallelism)
    graded = joined.repartition(parts, "subject_id").rdd.mapPartitions(
        lambda it: _grade_partition(it, loaded, as_of)
    )
    out = directory / "results.parquet"
    spark.createDataFrame(graded, _RESULT_SCHEMA).write.mode("overwrite").parquet(str(out))
    schema = dict(
        zip(RESULT_COLUMNS, (pl.Int64, pl.Float64, pl.Utf8, pl.Utf8, pl.Utf8), strict=True)
    )
    found = sorted(out.glob("*.parquet"))
    if not found:
        return pl.DataFrame(schema=schema)
    return pl.read_parquet(found).cast(schema).select(*RESULT_COLUMNS).sort("subject_id")  # type: ignore[arg-type]


_RESULT_SCHEMA = (
    f"{RESULT_COLUMNS[0]} long, {RESULT_COLUMNS[1]} double, {RESULT_COLUMNS[2]} string, "
    f"{RESULT_COLUMNS[3]} string, {RESULT_COLUMNS[4]} string"
)


def run_spark(
    session: Session,
    loaded: LoadedModel,
    *,
    catalog: Catalog,
    as_of: date,
    actor: Actor,
    master: str | None = None,
    progress: Progress | None = None,
) -> RunSummary:
    started = time.perf_counter()
    run = start_run(session, loaded, as_of=as_of, engine="spark", actor=actor)
    with tempfile.TemporaryDirectory(prefix="xinyong-snapshot-") as tmp:
        snapshot.export(session, Path(tmp), catalog=catalog, as_of=as_of)
        results = score_snapshot(Path(tmp), loaded, as_of, master)
    grades: Counter[str] = Counter()
    known: dict[str, int] = {}  # explanations stored by this run, by text
    for start in range(0, results.height, BATCH):
        chunk = results.slice(start, BATCH)
        write_results(session, chunk, run, known)
        grades.update(dict(chunk["grade"].value_counts().iter_rows()))
        if progress is not None:
            progress(start + chunk.height, results.height)
    return finish_run(session, run, grades, started, loaded)
