"""Evaluation benchmark: BENCH_SCALE × (1,000,000 subjects, 10,000,000 records), PostgreSQL.

In one run (deterministic seed):
(a) the lower bound — the same records read out of PostgreSQL (COPY to Parquet) plus one group-by
    computing the same per-subject counts (DuckDB when installed, else Polars; DuckDB extensions
    cannot be downloaded here, none is needed);
(b) `xinyong evaluate --model enterprise --json` end to end, results stored (the command's wall
time from start-up to exit, beside the run's own `seconds`; peak RSS; the package's bytecode
compiled first, as an installed package has it);
(c) re-evaluating one subject after a change (`evaluation.evaluate_subject`), p50/p99 over 200;
(d) the Spark engine on `local[2]`, when pyspark is installed (`--no-spark` leaves it out);
then (b) by phase (`bench/evaluate_phases.py`, CPU and wall seconds; `--no-phases` leaves it out).
Goals (issue 12): (b) ≤ 3 × (a), peak RSS ≤ 4 GB, (c) p99 ≤ 50 ms. Appends rows to
bench/RESULTS.md. Usage: `XINYONG_BENCH_POSTGRES_URL=… python bench/evaluate.py --scale 0.001`.
DuckDB is the `bench` extra (requirements/bench.txt, installed by scripts/bench.sh); without it
the group-by runs in Polars and the row says so.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import psycopg
import stored_records
from sqlalchemy import make_url, select

from xinyong import catalog, clock, demo, evaluation
from xinyong.db import migrate
from xinyong.db.session import make_engine, make_sessionmaker, transaction
from xinyong.db.tables import Subject
from xinyong.disclosure.stored import classify

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 12, 1)
SEVERITIES = ("minor", "general", "general", "serious")
AUTHORITIES = 12  # deciding departments named by the loaded records


def database(base: str) -> str:
    name = "xinyong_bench_evaluate"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0")
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    migrate.upgrade(url)
    return url


def load(url: str, subjects: int, records: int) -> float:
    """Subjects and records by COPY: penalties (explicit severity), honours and licences, with
    the stored severity collection writes (`disclosure.stored.classify`, issue 17) and the
    lean data, content hash and authority id it writes (`stored_records`)."""
    rng = random.Random(12)
    cat = catalog.load_catalog(ROOT / "catalogs")
    t0 = time.perf_counter()
    with psycopg.connect(url) as conn:
        with conn.cursor().copy(
            "COPY subjects (kind, code, code_kind, name, former_names, status, verified, "
            "industry_code, region_code) FROM STDIN"
        ) as cp:
            seen: set[str] = set()
            codes: list[str] = []
            while len(seen) < subjects:
                code = demo.make_uscc(rng, "9", "1")
                if code in seen:
                    continue
                seen.add(code)
                codes.append(code)
                cp.write_row(
                    (
                        "enterprise",
                        code,
                        "uscc",
                        f"基准{len(seen)}有限公司",
                        "[]",
                        "active",
                        True,
                        rng.choice("CEFGI") + "13",
                        "9901" + f"{rng.randrange(10):02d}",
                    )
                )
        first = conn.execute("SELECT min(id) FROM subjects").fetchone()[0]  # type: ignore[index]
        # the archive collection writes: full rows → lean data, hashes, authority ids
        names = {f"示范区基准{k}局": demo.make_uscc(rng, "1", "1") for k in range(AUTHORITIES)}
        ids = {info: stored_records.authority_ids(conn, info, set(names))
               for info in ("penalty", "licence", "honour")}  # fmt: skip
        with conn.cursor().copy(
            "COPY records (subject_id, info_class, natural_key, version, is_current, status, "
            f"{stored_records.COPY_COLUMNS}, authority_id, severity, catalog_version, "
            "content_hash, data, severity_class, severity_basis) FROM STDIN"
        ) as cp:
            for i in range(records):
                index = rng.randrange(subjects)
                kind = rng.random()
                info = "penalty" if kind < 0.6 else ("licence" if kind < 0.9 else "honour")
                day = TODAY - timedelta(days=rng.randrange(1, 900))
                sev = rng.choice(SEVERITIES) if info == "penalty" else None
                data = {"fine_amount": str(rng.choice((0.1, 1, 5, 150)))} if sev else {}
                authority = f"示范区基准{i % AUTHORITIES}局"
                row = {"decision_number": f"基准〔{i}〕号", "decision_date": day.isoformat(),
                       "authority_name": authority, "authority_uscc": names[authority],
                       "subject_uscc": codes[index], **data}  # fmt: skip
                if info == "licence":
                    row["valid_from"] = row["decision_date"]
                elif info == "honour":
                    row["honour_name"] = f"基准荣誉{i}"  # unique: the name is in the natural key
                s = stored_records.stored(info, row)
                cp.write_row(
                    (first + index, info, s.natural_key, 1, True, "active", *s.values(),
                     ids[info][authority], sev, "bench", s.content_hash_copy, s.data,
                     *classify(cat, info, data, explicit=sev))
                )  # fmt: skip
        conn.execute("ANALYZE")
        conn.commit()
    return time.perf_counter() - t0


def lower_bound(url: str, folder: Path) -> tuple[float, str]:
    """(a): COPY the records the evaluation reads to Parquet, then one group-by per subject."""
    t0 = time.perf_counter()
    csv = folder / "records.csv"
    with (
        psycopg.connect(url) as conn,
        csv.open("wb") as out,
        conn.cursor().copy(
            "COPY (SELECT subject_id, info_class, decision_date, severity FROM records "
            "WHERE is_current) TO STDOUT WITH (FORMAT csv, HEADER)"
        ) as cp,
    ):
        for chunk in cp:
            out.write(chunk)
    pl.read_csv(csv, try_parse_dates=True).write_parquet(folder / "records.parquet")
    try:
        import duckdb  # noqa: PLC0415

        duckdb.sql(
            f"SELECT subject_id, info_class, severity, count(*) FROM "
            f"read_parquet('{folder / 'records.parquet'}') GROUP BY ALL"
        ).fetchall()
        used = "DuckDB"
    except ImportError:
        pl.read_parquet(folder / "records.parquet").group_by(
            ["subject_id", "info_class", "severity"]
        ).len()
        used = "Polars (DuckDB not installed)"
    return time.perf_counter() - t0, used


def bytecode() -> None:
    """The package's modules compiled to bytecode, as an installed package has them (pip
    compiles a wheel's modules when it installs them). `make` exports PYTHONDONTWRITEBYTECODE
    and the package is installed editable, so without this the command compiles the ≈ 130
    modules of the package it imports from source at every start (≈ 0.08 s of CPU;
    docs/dev/scale.md, fourth step)."""
    compileall.compile_dir(ROOT / "xinyong", quiet=1)


def end_to_end(url: str, engine: str = "embedded") -> tuple[dict[str, object], float]:
    bytecode()
    env = {**os.environ, "XINYONG_DATABASE_URL": url, "XINYONG_TODAY": TODAY.isoformat()}
    args = [
        sys.executable,
        "-m",
        "xinyong",
        "evaluate",
        "--model",
        "enterprise",
        "--json",
        "--engine",
        engine,
    ]
    if engine == "spark":
        args += ["--spark-master", "local[2]"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=True, cwd=ROOT)
    wall = time.perf_counter() - t0  # the command's whole life: start-up, run, commit, exit
    peak = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024  # MB
    return {**json.loads(done.stdout), "wall": wall}, peak


def one_subject(url: str, samples: int = 200) -> tuple[float, float]:
    cat = catalog.load_catalog(ROOT / "catalogs")
    factory = make_sessionmaker(make_engine(url))
    with transaction(factory) as session:
        ids = session.execute(select(Subject.id)).scalars().all()
        picked = random.Random(3).sample(list(ids), min(samples, len(ids)))
        took = []
        for sid in picked:
            subject = session.get(Subject, sid)
            assert subject is not None
            t0 = time.perf_counter()
            evaluation.evaluate_subject(session, subject, catalog=cat, today=TODAY)
            took.append((time.perf_counter() - t0) * 1000)
    took.sort()
    return statistics.median(took), took[max(0, int(len(took) * 0.99) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=float(os.environ.get("BENCH_SCALE", "1")))
    parser.add_argument("--no-spark", action="store_true", help="leave out (d), the Spark run")
    parser.add_argument("--machine", default="2 cores shared", help="the machine, for the row")
    parser.add_argument(
        "--no-phases", action="store_true", help="leave out (b)'s phases (a second run in process)"
    )
    options = parser.parse_args()
    scale = options.scale
    subjects, records = int(1_000_000 * scale), int(10_000_000 * scale)
    url = database(os.environ["XINYONG_BENCH_POSTGRES_URL"])
    loaded = load(url, subjects, records)
    with tempfile.TemporaryDirectory() as tmp:
        a, used = lower_bound(url, Path(tmp))
    summary, peak = end_to_end(url)
    b = float(summary["wall"])  # type: ignore[arg-type]  # the command, not only its run
    run_only = float(summary["seconds"])  # type: ignore[arg-type]
    p50, p99 = one_subject(url)
    spark = "not installed"
    try:
        import pyspark  # noqa: F401, PLC0415

        if options.no_spark:
            spark = "not run (--no-spark)"
        else:
            s_summary, _ = end_to_end(url, "spark")
            spark = f"{float(s_summary['seconds']):.1f} s"  # type: ignore[arg-type]
    except ImportError:
        pass
    per_core = subjects / b / 2 if b else 0.0
    print(
        f"loaded {subjects:,} subjects / {records:,} records in {loaded:.1f}s; (a) {a:.2f}s "
        f"[{used}]; (b) {b:.2f}s (its run {run_only:.2f}s) = {b / a:.1f} × (a), "
        f"peak RSS {peak:.0f} MB; one subject "
        f"p50 {p50:.1f} ms p99 {p99:.1f} ms; spark local[2] {spark}"
    )
    row = (
        f"| {clock.today()} | {options.machine}, PG15, scale {scale:g} | evaluate (N={subjects:,}, "
        f"records={records:,}) | (b) {b:.1f} s end to end, the command's whole life (its run's "
        f"own `seconds` {run_only:.1f} s; {per_core:,.0f} subjects/s/core), "
        f"peak RSS {peak:.0f} MB; one subject p99 {p99:.1f} ms; Spark local[2] {spark} "
        f"| (a) {a:.1f} s ({used}) | {b / a:.1f} × (a) | ≤ 3 × (a), ≤ 4 GB, p99 ≤ 50 ms |"
    )
    with (ROOT / "bench" / "RESULTS.md").open("a", encoding="utf-8") as f:
        f.write(row + "\n")
    if not options.no_phases:  # where (b)'s time goes: a second run in process, rolled back
        import evaluate_phases  # noqa: PLC0415  (bench/, beside this script)

        print("(b) by phase (bench/evaluate_phases.py: the run again, in this process):")
        evaluate_phases.report(*evaluate_phases.run_once(url))


if __name__ == "__main__":
    main()
