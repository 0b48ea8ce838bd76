"""Bytes per stored record, lean (`records.data` without the fields the columns and the natural
key hold, docs/decisions/0013) against the full row every record used to keep in `data`.

N penalty rows in the national layout (bench/collect.py's file) are collected into a fresh
PostgreSQL database at head (the lean record); the sizes are read after `VACUUM FULL`; then
migration 17a is downgraded (every record's `data` becomes its full source row again, as before
issue 17), `VACUUM FULL` again, and the same sizes are read. Sizes do not depend on machine load.

    .venv/bin/python bench/record_size.py --scale 0.01 --postgres-url postgresql://…/db

Prints one markdown table row for bench/RESULTS.md and the figures on stderr.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
from pathlib import Path

from alembic import command
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).parent))
from collect import fresh_postgres, generate, run_collect

from xinyong import clock
from xinyong.db import migrate
from xinyong.db.session import make_engine

BEFORE = "fa5d9d5d511b"  # the head before the lean record (migration 17a)
SIZES = """
SELECT count(*), avg(pg_column_size(data)), avg(octet_length(data::text)),
       pg_relation_size('records'), pg_total_relation_size('records')
FROM records
"""


def sizes(url: str) -> tuple[int, float, float, float, float]:
    """(records, avg pg_column_size(data), avg data text bytes, heap bytes / record,
    table + indexes + TOAST bytes / record), after VACUUM FULL."""
    engine = make_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("VACUUM FULL ANALYZE records"))
        n, column, body, heap, total = conn.execute(text(SIZES)).one()
    engine.dispose()
    return int(n), float(column), float(body), heap / n, total / n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--scale", type=float, help="N = scale × 1,000,000 rows (overrides --rows)")
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument("--postgres-url", default=os.environ.get("XINYONG_BENCH_POSTGRES_URL"))
    opts = parser.parse_args()
    if not opts.postgres_url:
        parser.error("--postgres-url (or XINYONG_BENCH_POSTGRES_URL) is required")
    if opts.scale:
        opts.rows = max(1, round(opts.scale * 1_000_000))
    machine = f"{platform.node()} {os.cpu_count()} cores, Python {platform.python_version()}"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "penalties.csv"
        generate(path, opts.rows, opts.seed)
        source = path.stat().st_size / opts.rows
        url = fresh_postgres(opts.postgres_url)
        run_collect(url, path, opts.rows)
    lean = sizes(url)
    command.downgrade(migrate.alembic_config(url), BEFORE)  # every record's data: the full row
    full = sizes(url)
    for label, (n, column, body, heap, total) in (("full", full), ("lean", lean)):
        print(f"# {label}: {n} records, data {column:.0f} B (text {body:.0f} B), heap "
              f"{heap:.0f} B/record, with indexes and TOAST {total:.0f} B/record; "
              f"source row {source:.0f} B", file=sys.stderr)  # fmt: skip
    print(f"| {clock.today()} | {machine}, PostgreSQL | record size N={opts.rows} penalties "
          f"(bench/record_size.py), bytes per record | lean: data {lean[1]:.0f} B, heap "
          f"{lean[3]:.0f} B ({lean[3] / source:.1f} × source row), table + indexes + TOAST "
          f"{lean[4]:.0f} B | full row in data (before issue 17): data {full[1]:.0f} B, heap "
          f"{full[3]:.0f} B ({full[3] / source:.1f} ×), table + indexes + TOAST {full[4]:.0f} B; "
          f"source row {source:.0f} B | data {lean[1] / full[1]:.2f} ×, heap "
          f"{lean[3] / full[3]:.2f} × | each source field stored once |")  # fmt: skip


if __name__ == "__main__":
    main()
