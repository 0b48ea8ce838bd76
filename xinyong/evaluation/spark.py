"""The Spark engine: the same plan over a Parquet snapshot, on `local[*]` or a cluster.

1. `snapshot.export` writes the fact table (step 1 of the plan, built by the same code as the
   embedded engine) to Parquet;
2. Spark reads it, joins it to the graded subjects (a subject without facts is graded too),
   groups the rows by subject and applies the same pure `scoring.score` on the executors;
3. the results come back to the driver and are stored like an embedded run.
Only step 2 runs on the cluster; nothing about a rule is restated in Spark SQL, so the two
engines cannot disagree (tests/evaluation/test_engines_agree.py). pyspark is the `spark` extra.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from xinyong.audit import Actor
from xinyong.catalog import Catalog
from xinyong.errors import ConfigurationError
from xinyong.evaluation import snapshot
from xinyong.evaluation.engine import (
    Progress,
    RunSummary,
    fact_of,
    finish_run,
    start_run,
    store,
)
from xinyong.evaluation.models import LoadedModel
from xinyong.evaluation.plan import facts_hash
from xinyong.evaluation.scoring import Evaluation, score

BATCH = 5_000


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


def _grade(item: tuple[int, Any], loaded: LoadedModel, as_of: date) -> tuple[int, Any, str]:
    sid, rows = item
    facts = [fact_of(r) for r in rows if r is not None]
    ev = score(loaded.model, loaded.version, facts, as_of)
    return sid, ev, facts_hash(facts)


def score_snapshot(
    directory: Path, loaded: LoadedModel, as_of: date, master: str | None
) -> list[tuple[int, Evaluation, str]]:
    """Step 2 of the plan on Spark: group the fact table by subject, apply `score`."""
    spark = _session(master)
    kinds = [k.value for k in loaded.model.subject_kinds]
    subjects = spark.read.parquet(str(directory / "subjects.parquet"))
    subjects = subjects.where(subjects.kind.isin(kinds)).select("subject_id")
    facts = spark.read.parquet(str(directory / "facts.parquet"))
    joined = subjects.join(facts, on="subject_id", how="left")

    def pair(row: Any) -> tuple[int, Any]:
        data = row.asDict()
        return data["subject_id"], (data if data.get("ref") is not None else None)

    grouped = joined.rdd.map(pair).groupByKey()
    return grouped.map(lambda item: _grade(item, loaded, as_of)).collect()  # type: ignore[no-any-return]


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
    results.sort(key=lambda r: r[0])
    grades: Counter[str] = Counter()
    for start in range(0, len(results), BATCH):
        chunk = results[start : start + BATCH]
        store(session, loaded, chunk, run)
        grades.update(ev.grade for _sid, ev, _h in chunk)
        if progress is not None:
            progress(start + len(chunk), len(results))
    return finish_run(session, run, grades, started, loaded)
