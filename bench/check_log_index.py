"""What `ix_checks_subject_at` (谁查询了我的信用信息 reads a subject's checks through it) costs
the check log's writes: the same rows inserted, in batches the size of the fast path's group
commit, into two copies of the `checks` table — with and without the index — and, for each, the
time per row and the bytes per row of table + indexes. Bytes are steady on a shared machine; the
time is not (compare the two copies of one run only).

`python bench/check_log_index.py --scale 0.01` (10,000 rows) against XINYONG_BENCH_POSTGRES_URL
(or --url); `--scale 1` is 1,000,000 rows, for a quiet window.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time
import uuid
from datetime import UTC, datetime, timedelta

import psycopg

COLUMNS = """id bigserial primary key, check_id varchar(32) unique not null,
    at timestamptz not null, actor_kind varchar(16) not null, actor_id bigint,
    actor_label varchar(200) not null, subject_id bigint, matter varchar(64) not null,
    hits int not null, mandatory int not null, catalog_version varchar(16), checked_on date,
    code varchar(32), basis jsonb, digest varchar(64), answer jsonb"""
BATCH = 64  # the fast path's coalesced write is one statement per batch of waiting checks
INSERT = """INSERT INTO {t} (check_id, at, actor_kind, actor_id, actor_label, subject_id, matter,
    hits, mandatory, catalog_version, checked_on, basis, digest)
    SELECT r.check_id, r.at, 'api_client', 9, '接口:政府采购系统', r.subject_id, 'procurement',
           0, 0, 'b176a7c4782cf59a', r.at::date, r.basis, r.digest
    FROM jsonb_to_recordset(%s::jsonb) AS r(check_id text, at timestamptz, subject_id bigint,
                                            basis jsonb, digest text)"""


def _rows(n: int, subjects: int, seed: int = 7) -> list[list[dict[str, object]]]:
    rng = random.Random(seed)
    start = datetime(2026, 11, 1, tzinfo=UTC)
    rows = [{"check_id": uuid.UUID(int=rng.getrandbits(128)).hex,
             "at": (start + timedelta(milliseconds=i)).isoformat(),
             "subject_id": rng.randrange(1, subjects + 1),
             "basis": {"entries": [], "measures": {}}, "digest": f"{rng.getrandbits(256):064x}"}
            for i in range(n)]  # fmt: skip
    return [rows[i : i + BATCH] for i in range(0, n, BATCH)]


def run(url: str, n: int) -> dict[str, dict[str, float]]:
    batches = _rows(n, subjects=max(n // 20, 1))
    out: dict[str, dict[str, float]] = {}
    with psycopg.connect(url, autocommit=True) as conn:
        for name, indexed in (("bench_checks_plain", False), ("bench_checks_by_subject", True)):
            conn.execute(f"DROP TABLE IF EXISTS {name}")
            conn.execute(f"CREATE TABLE {name} ({COLUMNS})")
            conn.execute(f"CREATE INDEX {name}_at ON {name} (at)")
            if indexed:
                conn.execute(f"CREATE INDEX {name}_subject_at ON {name} (subject_id, at)")
            sql = INSERT.format(t=name)
            wall = time.perf_counter()
            for batch in batches:
                conn.execute(sql, (json.dumps(batch),))
            wall = time.perf_counter() - wall
            conn.execute(f"ANALYZE {name}")
            size = conn.execute(f"SELECT pg_total_relation_size('{name}')").fetchone()
            assert size is not None
            out[name] = {"us_per_row": wall / n * 1e6, "bytes_per_row": size[0] / n}
            conn.execute(f"DROP TABLE {name}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("XINYONG_BENCH_POSTGRES_URL"))
    parser.add_argument("--scale", type=float, default=1.0, help="1 = 1,000,000 rows")
    args = parser.parse_args()
    if not args.url:
        parser.error("give --url or XINYONG_BENCH_POSTGRES_URL")
    n = max(int(1_000_000 * args.scale), BATCH)
    got = run(args.url, n)
    plain, indexed = got["bench_checks_plain"], got["bench_checks_by_subject"]
    for name, fig in got.items():
        print(f"{name}: {fig['us_per_row']:.1f} µs/row insert, {fig['bytes_per_row']:.0f} B/row")
    ratio = indexed["us_per_row"] / plain["us_per_row"]
    extra = indexed["bytes_per_row"] - plain["bytes_per_row"]
    print(f"index by subject: {ratio:.2f} × insert time, +{extra:.0f} B/row ({n:,} rows)")


if __name__ == "__main__":
    main()
