#!/usr/bin/env bash
# make bench: every benchmark in bench/ against a throwaway PostgreSQL; figures go to bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/pip install -q --disable-pip-version-check --require-hashes -r requirements/bench.txt  # DuckDB: evaluate's lower bound
bash scripts/spark.sh || echo "Spark engine not installed: bench/evaluate.py leaves out (d)" >&2
# The benchmarks (bench/wrk.py and bench/procstats.py are helper modules they share, not benchmarks).
benches=(bench/collect.py bench/store_parts.py bench/subject_page.py bench/search.py bench/check.py bench/dashboard.py bench/report.py bench/evaluate.py bench/list_pages.py bench/run_heartbeat.py)
PG_DIR="var/bench-pg-$$"
trap 'bash scripts/pg.sh stop "$PG_DIR" || true' EXIT
XINYONG_BENCH_POSTGRES_URL=$(bash scripts/pg.sh start "$PG_DIR")
export XINYONG_BENCH_POSTGRES_URL
for b in "${benches[@]}"; do echo "== $b"; .venv/bin/python "$b"; done
