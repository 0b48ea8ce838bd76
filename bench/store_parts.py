"""Where storing alone (issue 17's figure (c)) goes: the records one `xinyong collect` wrote,
copied again into empty tables built up piece by piece — the heap alone (a plain table, through
the partitioned parent, straight into the class partition), then each index and the reference
trigger, then the full table written straight into its partition, then the row and indexes as
they were before issue 17's storing work, then other forms of the row and its indexes — each as
a ratio to a raw COPY of the source file measured in the same run, with the server CPU and the
WAL bytes a row.

    .venv/bin/python bench/store_parts.py --scale 0.2 --postgres-url postgresql://…/postgres

Every variant copies the same rows (with their ids, as the writer does) in the same 10k-row
statements, one commit each, `work_mem` 64 MB (as `collection.writer`); variants run in rounds
(`--rounds`, default 2) so that a burst of load on a shared machine does not land on one of them;
the ratio is rows/s of the variant over rows/s of the raw COPY in the same round, and the best
round is printed. The benchmark file names one deciding authority; a region has ~300, so the
copied rows name `--authorities` (default 300) as real archives do (the authority index compares
names at every level of its btree). Prints markdown rows for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from collect import CHUNK, HEADERS, fresh_postgres, generate, run_collect
from procstats import cpu_seconds

from xinyong import archive

INDEXES = {  # as migration 17e2b9d4a6c8 left them (17x: the two below "17x" replace two of them)
    "pk": "ALTER TABLE {t} ADD PRIMARY KEY (id, info_class)",
    "natural key": "CREATE UNIQUE INDEX ON {t} (natural_key, version, info_class)",
    "subject": "CREATE INDEX ON {t} (subject_id, is_current)",
    "decision date": "CREATE INDEX ON {t} (decision_date)",
    "authority id": "CREATE INDEX ON {t} (authority_id)",  # issue 17, 17w: the id, not the name
    # before 17w (migration 17d5a0c3b2e1): the name, byte-wise
    "authority": 'CREATE INDEX ON {t} (authority_name COLLATE "C")',
    # measured beside them: one index for the date order and the filter, or the id first
    "date, authority id": "CREATE INDEX ON {t} (decision_date, authority_id)",
    "authority id, date": "CREATE INDEX ON {t} (authority_id, decision_date)",
    # 17x (migration 17f3c4d5e6a7): the subject page's and the listing's order in the index
    "subject, date": "CREATE INDEX ON {t} (subject_id, is_current, decision_date, id)",
    "decision date, id": "CREATE INDEX ON {t} (decision_date, id)",
    # before 17s: led by the class, the names compared by the database's locale (strcoll)
    "class, natural key": "CREATE UNIQUE INDEX ON {t} (info_class, natural_key, version)",
    "class, decision date": "CREATE INDEX ON {t} (info_class, decision_date)",
    "class, authority": 'CREATE INDEX ON {t} (info_class, authority_name COLLATE "default")',
}
TRIGGER = (
    "CREATE TRIGGER {name} AFTER INSERT ON {t} REFERENCING NEW TABLE AS new_records "
    "FOR EACH STATEMENT EXECUTE FUNCTION xinyong_records_refs()"
)
# The row as the collection writer sends it today (bytea hash, the authority's id), and the
# other forms measured beside it: (column, the dump's expression or None to leave the column
# out, the target table's change).
COLUMNS = ("id", *archive.RECORD_COLUMNS, "authority_id")
FORMS = {
    "hex hash": ("content_hash", "encode(content_hash, 'hex')",
                 "ALTER TABLE bench_store ALTER content_hash TYPE varchar(64) USING NULL"),
    "no authority id": ("authority_id", None, "ALTER TABLE bench_store DROP COLUMN authority_id"),
    "version": ("catalog_version", "1",  # a smallint reference to a catalog-versions table
                "ALTER TABLE bench_store ALTER catalog_version TYPE smallint USING NULL"),
}  # fmt: skip


def _connect(url: str) -> Any:
    import psycopg  # noqa: PLC0415

    return psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"))


def authorities(count: int) -> list[str]:
    """`count` deciding authorities' names, as a region's departments are named."""
    places = ("示范区", "东城区", "西城区", "南山区", "北湖县",
              "云台县", "龙岗区", "福田区", "宝安区", "罗湖区")  # fmt: skip
    kinds = ("市场监督管理局", "生态环境局", "应急管理局", "税务局",
             "住房和城乡建设局", "交通运输局", "卫生健康委员会",
             "文化广电旅游体育局", "城市管理和综合执法局", "自然资源局")  # fmt: skip
    names = [f"{p}{k}{b}" for b in ("", "第一分局", "第二分局") for p in places for k in kinds]
    return names[: max(1, count)]


def columns(forms: tuple[str, ...]) -> list[str]:
    """The COPY's columns: the writer's, less those the forms leave out."""
    dropped = {FORMS[f][0] for f in forms if FORMS[f][1] is None}
    return [c for c in COLUMNS if c not in dropped]


def dump(conn: Any, forms: tuple[str, ...], names: list[str]) -> list[bytes]:
    """The stored records as COPY text, in 10k-row statements (`forms` of FORMS applied), the
    deciding authority spread over `names` (and its id alike)."""
    exprs = {"authority_name": "(%(names)s::text[])[1 + id %% %(count)s]",
             "authority_id": "1 + id %% %(count)s"}  # fmt: skip
    exprs.update((FORMS[f][0], str(FORMS[f][1])) for f in forms if FORMS[f][1] is not None)
    picked = ", ".join(exprs.get(c, c) for c in columns(forms))
    buffer = bytearray()
    sql = f"COPY (SELECT {picked} FROM records ORDER BY id) TO STDOUT"
    with conn.cursor() as cur, cur.copy(sql, {"names": names, "count": len(names)}) as cp:
        for block in cp:
            buffer += block
    lines = bytes(buffer).splitlines(keepends=True)
    return [b"".join(lines[i : i + CHUNK]) for i in range(0, len(lines), CHUNK)]


def build(conn: Any, *, parts: tuple[str, ...], layout: str, forms: tuple[str, ...] = ()) -> str:
    """Create the empty target and return the table the COPY names. `layout`: plain (one
    table), parent (partitioned, COPY into the parent), partition (COPY into the partition)."""
    conn.execute("DROP TABLE IF EXISTS bench_store")
    if layout == "plain":
        conn.execute("CREATE TABLE bench_store (LIKE records INCLUDING DEFAULTS)")
    else:
        conn.execute("CREATE TABLE bench_store (LIKE records INCLUDING DEFAULTS) "
                     "PARTITION BY LIST (info_class)")  # fmt: skip
        conn.execute("CREATE TABLE bench_store_p PARTITION OF bench_store FOR VALUES IN "
                     "('penalty')")  # fmt: skip
    for form in forms:
        conn.execute(FORMS[form][2])
    for part in parts:
        if part == "trigger":
            conn.execute(TRIGGER.format(name="bench_refs", t="bench_store"))
            if layout == "partition":  # a parent's statement trigger does not see a partition's
                conn.execute(TRIGGER.format(name="bench_refs_p", t="bench_store_p"))
        else:
            conn.execute(INDEXES[part].format(t="bench_store"))
    conn.commit()
    return "bench_store_p" if layout == "partition" else "bench_store"


def _backend_cpu(conn: Any) -> float:
    """CPU seconds of this connection's server process so far (the server runs here)."""
    return cpu_seconds(int(conn.info.backend_pid))


def store(
    conn: Any, table: str, chunks: list[bytes], names: list[str]
) -> tuple[float, float, float]:
    """(rows/s, rows per CPU second of the server process, WAL bytes a row) of the chunks copied
    into `table`, one statement and one commit each."""
    conn.execute("SET work_mem = '64MB'")
    rows = 0
    wal = conn.execute("SELECT pg_current_wal_insert_lsn()").fetchone()[0]
    cpu, started = _backend_cpu(conn), time.perf_counter()
    for chunk in chunks:
        sql = f"COPY {table} ({', '.join(names)}) FROM STDIN"
        with conn.cursor() as cur, cur.copy(sql) as cp:
            cp.write(chunk)
        conn.commit()
        rows += chunk.count(b"\n")
    elapsed, cpu = time.perf_counter() - started, _backend_cpu(conn) - cpu
    sql = "SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), %s)"
    wal = float(conn.execute(sql, (wal,)).fetchone()[0])
    conn.execute("DROP TABLE bench_store")
    conn.commit()
    return rows / elapsed, rows / max(cpu, 0.01), wal / max(rows, 1)


def raw_copy(conn: Any, path: Path) -> tuple[float, float]:
    """(a) on this connection: (rows/s, rows per server CPU second) of COPY … (FORMAT csv) of
    the source file into an unindexed logged table of text columns (one per source column)."""
    conn.execute("DROP TABLE IF EXISTS bench_copy")
    columns = ", ".join(f"c{i} text" for i in range(len(HEADERS)))
    conn.execute(f"CREATE TABLE bench_copy ({columns})")
    conn.commit()
    cpu, started = _backend_cpu(conn), time.perf_counter()
    sql = "COPY bench_copy FROM STDIN (FORMAT csv, HEADER)"
    with conn.cursor() as cur, cur.copy(sql) as cp, path.open("rb") as handle:
        while block := handle.read(1 << 20):
            cp.write(block)
    conn.commit()
    elapsed, cpu = time.perf_counter() - started, _backend_cpu(conn) - cpu
    rows = conn.execute("SELECT count(*) FROM bench_copy").fetchone()[0]
    conn.execute("DROP TABLE bench_copy")
    conn.commit()
    return rows / elapsed, rows / max(cpu, 0.01)


ALL = ("pk", "natural key", "subject", "decision date", "authority id", "trigger")
BEFORE_17W = ("pk", "natural key", "subject", "decision date", "authority")
BEFORE_17S = ("pk", "class, natural key", "subject", "class, decision date", "class, authority")
WAS = ("hex hash", "no authority id")  # the row before 17w
BEFORE_17X = ALL[:5]
WITH_17X = ("pk", "natural key", "subject, date", "decision date, id", "authority id")
VARIANTS: list[tuple[str, dict[str, Any]]] = [
    ("heap alone, one plain table", {"parts": (), "layout": "plain"}),
    ("heap alone, COPY into the partitioned parent", {"parts": (), "layout": "parent"}),
    ("heap alone, COPY into the class partition", {"parts": (), "layout": "partition"}),
    ("+ primary key (id, info_class)", {"parts": ALL[:1], "layout": "parent"}),
    ("+ unique natural key (natural_key, version, info_class)",
     {"parts": ALL[:2], "layout": "parent"}),
    ("+ subject index", {"parts": ALL[:3], "layout": "parent"}),
    ("+ decision-date index (decision_date)", {"parts": ALL[:4], "layout": "parent"}),
    ("+ authority index (authority_id)", {"parts": ALL[:5], "layout": "parent"}),
    ("+ reference trigger (COPY into the parent)", {"parts": ALL, "layout": "parent"}),
    ("(c) COPY into the class partition, trigger on the partition",
     {"parts": ALL, "layout": "partition"}),
    ("(c) into the partition, no trigger = the writer before 17x (+ its reference check)",
     {"parts": BEFORE_17X, "layout": "partition"}),
    ("(c) the writer with 17x's indexes: (subject_id, is_current, decision_date, id) and "
     "(decision_date, id)", {"parts": WITH_17X, "layout": "partition"}),
    ("(c) the writer before 17x, but (subject_id, is_current, decision_date, id) only",
     {"parts": ("pk", "natural key", "subject, date", "decision date", "authority id"),
      "layout": "partition"}),
    ("(c) the writer before 17x, but (decision_date, id) only",
     {"parts": ("pk", "natural key", "subject", "decision date, id", "authority id"),
      "layout": "partition"}),
    ("(c) the writer before 17w: hex hash, (authority_name) index",
     {"parts": BEFORE_17W, "layout": "partition", "forms": WAS}),
    ("(c) the writer before 17s: the class first in the natural key, date and authority indexes",
     {"parts": BEFORE_17S, "layout": "partition", "forms": WAS}),
    ("(c) the writer now, but the hash as hex text",
     {"parts": ALL[:5], "layout": "partition", "forms": ("hex hash",)}),
    ("(c) the writer now, but (authority_name) for (authority_id)",
     {"parts": BEFORE_17W, "layout": "partition"}),
    ("(c) the writer now, but one (decision_date, authority_id) for both",
     {"parts": (*ALL[:3], "date, authority id"), "layout": "partition"}),
    ("(c) the writer now, but (authority_id, decision_date) for (authority_id)",
     {"parts": (*ALL[:4], "authority id, date"), "layout": "partition"}),
    ("(c) the writer now, no authority index: (decision_date) alone",
     {"parts": ALL[:4], "layout": "partition", "forms": ("no authority id",)}),
    ("(c) the writer now + smallint catalog version (not done)",
     {"parts": ALL[:5], "layout": "partition", "forms": ("version",)}),
]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--scale", type=float, help="N = scale × 1,000,000 rows (overrides --rows)")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument("--authorities", type=int, default=300, help="deciding authorities")
    parser.add_argument(
        "--only", help="run only the variants whose label contains this (several: separated by |)"
    )
    parser.add_argument("--postgres-url", default=os.environ.get("XINYONG_BENCH_POSTGRES_URL"))
    opts = parser.parse_args()
    if not opts.postgres_url:
        parser.error("--postgres-url (or XINYONG_BENCH_POSTGRES_URL) is required")
    if opts.scale:
        opts.rows = max(1, round(opts.scale * 1_000_000))
    machine = f"{platform.node()} {os.cpu_count()} cores"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "penalties.csv"
        generate(path, opts.rows, opts.seed)
        url = fresh_postgres(opts.postgres_url)
        run_collect(url, path, opts.rows)
        with _connect(url) as conn:
            names = authorities(opts.authorities)
            best: dict[str, tuple[float, float, float]] = {}
            only = opts.only.split("|") if opts.only else [""]
            variants = [v for v in VARIANTS if any(part in v[0] for part in only)]
            shapes = {tuple(spec.get("forms", ())) for _label, spec in variants}
            chunks = {forms: dump(conn, forms, names) for forms in shapes}
            for round_no in range(opts.rounds):
                for label, spec in variants:  # each beside a raw COPY of its own
                    load = os.getloadavg()[0]
                    baseline = raw_copy(conn, path)
                    table = build(conn, **spec)
                    forms = tuple(spec.get("forms", ()))
                    speed = store(conn, table, chunks[forms], columns(forms))
                    wall, cpu = speed[0] / baseline[0], speed[1] / baseline[1]
                    got = best.get(label, (0.0, 0.0, 0.0))
                    best[label] = (max(got[0], wall), max(got[1], cpu), speed[2])
                    print(f"# round {round_no + 1} load {load:.1f} COPY {baseline[0]:,.0f} rows/s "
                          f"({baseline[1]:,.0f} per server CPU s): {label} {wall:.2f} × wall, "
                          f"{cpu:.2f} × CPU ({1e6 / speed[1]:.1f} µs a row), "
                          f"{speed[2]:,.0f} B of WAL a row", file=sys.stderr)  # fmt: skip
    print(f"| what is copied ({opts.rows:,} records, {opts.authorities} authorities, {machine}, "
          f"best of {opts.rounds}) | rows/s ÷ raw COPY's | rows per server CPU second ÷ raw "
          "COPY's | WAL bytes a row |\n|---|---|---|---|")  # fmt: skip
    for label, _spec in variants:
        print(f"| {label} | {best[label][0]:.2f} | {best[label][1]:.2f} | {best[label][2]:,.0f} |")


if __name__ == "__main__":
    main()
