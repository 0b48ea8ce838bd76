#!/usr/bin/env bash
# make bench: every benchmark in bench/ against a throwaway PostgreSQL; figures go to bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
shopt -s nullglob
benches=(bench/*.py)
if [ ${#benches[@]} -eq 0 ]; then echo "no benchmarks yet"; exit 0; fi
PG_DIR="var/bench-pg-$$"
trap 'bash scripts/pg.sh stop "$PG_DIR" || true' EXIT
XINYONG_BENCH_POSTGRES_URL=$(bash scripts/pg.sh start "$PG_DIR")
export XINYONG_BENCH_POSTGRES_URL
for b in "${benches[@]}"; do echo "== $b"; .venv/bin/python "$b"; done
