"""How `records` is laid out on PostgreSQL: one table, LIST by info class, or class then year.

Builds N synthetic records once (classes and decision dates spread like a region's archive: 45 %
penalties, 45 % licences, the rest five smaller classes; decisions over ten years; 1 in 8 records
superseded by a later version) and copies them into three layouts of the same columns and the
production indexes, then reports for each: index sizes, and for the queries the platform runs on
`records` the partitions touched, the shared buffers touched (hit + read) and the time.
On a shared machine compare pages and partitions, not milliseconds (docs/decisions/0012).

    .venv/bin/python bench/partitions.py --rows 1000000 --postgres-url postgresql://…/postgres
"""

from __future__ import annotations

import argparse
import json
import os
import time
from typing import Any

import psycopg

LAYOUTS = ("single", "by_class", "by_class_year")
CLASSES = ("penalty", "licence", "honour", "serious_list", "court_defaulter",
           "abnormal_operation", "commitment_breach")  # fmt: skip
YEARS = range(2016, 2028)
TODAY = "2026-11-23"
COLUMNS = """
    id bigint NOT NULL, subject_id bigint NOT NULL, info_class varchar(40) NOT NULL,
    natural_key varchar(500) COLLATE "C" NOT NULL, version integer NOT NULL,
    is_current boolean NOT NULL, status varchar(16) NOT NULL, decision_number varchar(200),
    decision_date date, valid_until date, severity varchar(16), authority_name varchar(200),
    provider_id bigint, data json NOT NULL
"""
STAGE = """
CREATE UNLOGGED TABLE stage AS
SELECT g AS id, 1 + (hashint4(g) & 2147483647) %% %(subjects)s AS subject_id,
       (ARRAY['penalty','penalty','penalty','penalty','licence','licence','licence','licence',
              'honour','serious_list','court_defaulter','abnormal_operation','commitment_breach',
              'penalty','licence','honour'])[1 + (g %% 16)] AS info_class,
       'K' || (g / 8) || '-' || (g %% 8 %% 7) AS natural_key,
       1 + (g %% 8 / 7) AS version, (g %% 8) <> 6 AS is_current, 'active' AS status,
       '示罚〔' || (g %% 997) || '〕' || g || '号' AS decision_number,
       DATE '2016-12-01' + (hashint4(g + 7) & 2147483647) %% 3650 AS decision_date,
       NULL::date AS valid_until, NULL::varchar AS severity,
       '示范区第' || (g %% 60) || '局' AS authority_name, 1 + g %% 300 AS provider_id,
       json_build_object('decision_number', g, 'penalty_kinds', json_build_array('罚款'),
                         'fine_amount', (g %% 500)::text, 'content', repeat('违法事实', 20))
         AS data
FROM generate_series(1, %(rows)s) g
"""
INDEXES = (
    "CREATE {unique} INDEX ON {t} (info_class, natural_key, version)",
    "CREATE INDEX ON {t} (subject_id, is_current)",
    "CREATE INDEX ON {t} (info_class, decision_date)",
)
CUTOFF = "2023-11-23"  # penalties: the longest window (36 months) as of TODAY
QUERIES = {
    "listing page 1": f"""SELECT * FROM {{t}} WHERE info_class = 'penalty' AND is_current
        AND status = 'active' AND decision_date BETWEEN '{CUTOFF}' AND '{TODAY}'
        ORDER BY decision_date DESC, id DESC LIMIT 200""",
    "listing, one authority": f"""SELECT * FROM {{t}} WHERE info_class = 'penalty' AND is_current
        AND status = 'active' AND authority_name = '示范区第7局'
        AND decision_date BETWEEN '{CUTOFF}' AND '{TODAY}'
        ORDER BY decision_date DESC, id DESC LIMIT 200""",
    "subject page": """SELECT * FROM {t} WHERE subject_id = 4242 AND is_current
        ORDER BY decision_date DESC, id DESC""",
    "current-version probe (10k keys)": """SELECT natural_key, id, version FROM {t}
        WHERE info_class = 'penalty' AND is_current AND natural_key = ANY(ARRAY(
        SELECT 'K' || (g * 2) || '-0' FROM generate_series(1, 10000) g))""",
    "supersede 1k by id": """UPDATE {t} SET is_current = false WHERE id = ANY(ARRAY(
        SELECT g * 16 FROM generate_series(1, 1000) g))""",
    "supersede 1k by id + class": """UPDATE {t} SET is_current = false WHERE id = ANY(ARRAY(
        SELECT g * 16 FROM generate_series(1, 1000) g)) AND info_class = 'penalty'""",
    "record by id": "SELECT * FROM {t} WHERE id = 123457",
}


def build(conn: psycopg.Connection[Any], layout: str) -> float:
    t = f"r_{layout}"
    conn.execute(f"DROP TABLE IF EXISTS {t} CASCADE")
    if layout == "single":
        conn.execute(f"CREATE TABLE {t} ({COLUMNS}, PRIMARY KEY (id))")
    else:
        # a primary key must hold the partition keys of every level: none when class then year
        pk = ", PRIMARY KEY (id, info_class)" if layout == "by_class" else ""
        conn.execute(f"CREATE TABLE {t} ({COLUMNS}{pk}) PARTITION BY LIST (info_class)")
        for c in CLASSES:
            by_year = layout == "by_class_year" and c in ("penalty", "licence")
            sub = " PARTITION BY RANGE (decision_date)" if by_year else ""
            conn.execute(f"CREATE TABLE {t}_{c} PARTITION OF {t} FOR VALUES IN ('{c}'){sub}")
            if by_year:
                for y in YEARS:
                    conn.execute(f"CREATE TABLE {t}_{c}_{y} PARTITION OF {t}_{c} "
                                 f"FOR VALUES FROM ('{y}-01-01') TO ('{y + 1}-01-01')")  # fmt: skip
                conn.execute(f"CREATE TABLE {t}_{c}_default PARTITION OF {t}_{c} DEFAULT")
        conn.execute(f"CREATE TABLE {t}_default PARTITION OF {t} DEFAULT")
    if layout == "by_class_year":
        conn.execute(f"CREATE INDEX ON {t} (id)")
    started = time.perf_counter()
    conn.execute(f"INSERT INTO {t} SELECT * FROM stage")
    unique = "" if layout == "by_class_year" else "UNIQUE"  # natural key: no unique possible
    for index in INDEXES:
        conn.execute(index.format(t=t, unique=unique))
    conn.execute(f"ANALYZE {t}")
    conn.commit()
    return time.perf_counter() - started


def sizes(conn: psycopg.Connection[Any], layout: str) -> dict[str, Any]:
    rows = conn.execute(
        "SELECT c.relname, pg_relation_size(c.oid) FROM pg_class c "
        "WHERE c.relkind = 'i' AND c.relname LIKE %s", (f"r_{layout}%",)
    ).fetchall()  # fmt: skip
    heap = conn.execute(
        "SELECT coalesce(sum(pg_relation_size(c.oid)), 0) FROM pg_class c "
        "WHERE c.relkind = 'r' AND c.relname LIKE %s", (f"r_{layout}%",)
    ).fetchone()  # fmt: skip
    assert heap is not None
    biggest = max((size for _, size in rows), default=0)
    return {"heap_mb": round(int(heap[0]) / 2**20, 1),
            "index_mb": round(sum(int(s) for _, s in rows) / 2**20, 1),
            "largest_index_mb": round(int(biggest) / 2**20, 1), "indexes": len(rows)}  # fmt: skip


def explain(conn: psycopg.Connection[Any], sql: str) -> dict[str, Any]:
    plan = conn.execute(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {sql}").fetchone()
    assert plan is not None
    conn.rollback()  # the UPDATE probes change nothing
    top = plan[0][0]
    scans: list[str] = []
    buffers = 0

    def walk(node: dict[str, Any]) -> None:
        nonlocal buffers
        if "Relation Name" in node:
            scans.append(node["Relation Name"])
        for child in node.get("Plans", []):
            walk(child)

    walk(top["Plan"])
    buffers = top["Plan"].get("Shared Hit Blocks", 0) + top["Plan"].get("Shared Read Blocks", 0)
    return {"relations": len(scans), "buffers": buffers,
            "ms": round(top["Planning Time"] + top["Execution Time"], 1)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--subjects", type=int, default=200_000)
    parser.add_argument("--postgres-url", default=os.environ.get("XINYONG_BENCH_POSTGRES_URL"))
    opts = parser.parse_args()
    assert opts.postgres_url, "--postgres-url or XINYONG_BENCH_POSTGRES_URL"
    url = opts.postgres_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute("DROP DATABASE IF EXISTS xinyong_bench_partitions WITH (FORCE)")
        admin.execute("CREATE DATABASE xinyong_bench_partitions TEMPLATE template0")
    base, _, _ = url.rpartition("/")
    out: dict[str, Any] = {"rows": opts.rows}
    with psycopg.connect(f"{base}/xinyong_bench_partitions") as conn:
        conn.execute(STAGE, {"rows": opts.rows, "subjects": opts.subjects})
        conn.commit()
        for layout in LAYOUTS:
            seconds = build(conn, layout)
            out[layout] = {"load_s": round(seconds, 1), **sizes(conn, layout), "queries": {
                name: explain(conn, sql.format(t=f"r_{layout}"))
                for name, sql in QUERIES.items()}}  # fmt: skip
            print(layout, json.dumps(out[layout], ensure_ascii=False), flush=True)
    print(json.dumps(out, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
