"""Where a whole evaluation run spends its CPU: phase timers of `engine.run_embedded`, in CPU
seconds of this process (every thread: Polars' too) and of its PostgreSQL backend (/proc), on
bench/evaluate.py's data. Wall time means nothing on a shared machine; CPU seconds do.

Phases: reading (`run_totals`: records, windows, tallies), scoring (`plan.score_totals`),
storing (`write_results`, the COPY into evaluation_results with its indexes) and the commit.
Every measured run starts from an empty results table (as bench/evaluate.py's (b) does).

Usage (the server must run on this machine: scripts/pg.sh):
  XINYONG_BENCH_POSTGRES_URL=… python bench/evaluate_phases.py --scale 0.25          # load, run 3×
  XINYONG_BENCH_POSTGRES_URL=… python bench/evaluate_phases.py --scale 0.25 --reuse  # data kept
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import make_url, text

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import evaluate as bench
from procstats import cpu_seconds

from xinyong import catalog, evaluation
from xinyong.audit import Actor
from xinyong.db import migrate
from xinyong.db.session import make_engine, make_sessionmaker
from xinyong.evaluation import engine, plan

ROOT = Path(__file__).resolve().parent.parent
SPENT: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])  # phase → [client, server]


def timed(name: str, fn: Callable[..., Any], backend: Callable[[], float]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        c0, s0 = time.process_time(), backend()
        try:
            return fn(*args, **kwargs)
        finally:
            SPENT[name][0] += time.process_time() - c0
            SPENT[name][1] += backend() - s0

    return wrapper


def existing(base: str) -> str:
    url = make_url(base).set(database="xinyong_bench_evaluate").render_as_string(False)
    migrate.upgrade(url)  # a changed schema (this branch's migration) applies to the kept data
    return url


def one_run(url: str, cat: Any) -> dict[str, list[float]]:
    SPENT.clear()
    with psycopg.connect(url) as conn:
        conn.execute("TRUNCATE evaluation_results, evaluation_runs")
        for name in ("evaluation_explanations",):  # this branch's table, when there
            if conn.execute("SELECT to_regclass(%s)", (name,)).fetchone()[0]:  # type: ignore[index]
                conn.execute(f"TRUNCATE {name}")
        conn.commit()
    factory = make_sessionmaker(make_engine(url.replace("postgresql://", "postgresql+psycopg://")))
    session = factory()
    pid = session.execute(text("SELECT pg_backend_pid()")).scalar_one()

    def backend() -> float:
        return cpu_seconds(pid)

    originals = (engine.run_totals, plan.score_totals, engine.write_results)
    engine.run_totals = timed("reading (run_totals)", engine.run_totals, backend)
    plan.score_totals = timed("scoring (score_totals)", plan.score_totals, backend)
    engine.write_results = timed("storing (write_results)", engine.write_results, backend)
    try:
        loaded = evaluation.models_for(cat).get("enterprise")
        c0, s0 = time.process_time(), backend()
        engine.run_embedded(
            session, loaded, catalog=cat, as_of=bench.TODAY, actor=Actor.system("bench")
        )
        t = time.process_time()
        session.commit()
        SPENT["commit"] = [time.process_time() - t, 0.0]
        SPENT["run in all"] = [time.process_time() - c0, backend() - s0]
    finally:
        engine.run_totals, plan.score_totals, engine.write_results = originals
        session.close()
    return {k: list(v) for k, v in SPENT.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=0.25)
    parser.add_argument("--reuse", action="store_true", help="keep the loaded database")
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    base = os.environ["XINYONG_BENCH_POSTGRES_URL"]
    if options.reuse:
        url = existing(base)
    else:
        url = bench.database(base)
        bench.load(url, int(1_000_000 * options.scale), int(10_000_000 * options.scale))
    url = url.replace("postgresql+psycopg://", "postgresql://")
    cat = catalog.load_catalog(ROOT / "catalogs")
    runs = [one_run(url, cat) for _ in range(options.runs)]
    print(f"| phase (CPU s, client + PostgreSQL backend; {options.runs} runs: median) | client | "
          f"PostgreSQL |\n|---|---|---|")  # fmt: skip
    for phase in runs[0]:
        client = sorted(r[phase][0] for r in runs)[len(runs) // 2]
        server = sorted(r[phase][1] for r in runs)[len(runs) // 2]
        print(f"| {phase} | {client:.2f} | {server:.2f} |")
    with psycopg.connect(url) as conn:
        for name, size in conn.execute(
            "SELECT relname, pg_total_relation_size(oid) FROM pg_class WHERE relname IN "
            "('evaluation_results', 'evaluation_explanations') ORDER BY relname"
        ):
            print(f"# {name}: {size / 1e6:.1f} MB with indexes and TOAST")


if __name__ == "__main__":
    main()
