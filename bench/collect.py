"""Collection benchmark: N penalty rows in the national layout (deterministic seed, severity MIX),
(a) raw COPY of the same file into an unindexed table of the same columns (PostgreSQL baseline),
(b) `xinyong collect` end to end (validate, link, store with the production indexes),
(c) storing alone: COPY of exactly the `records` rows (b) wrote into an empty copy of `records`
(production indexes), the way the collection writer stores them (straight into the class's
partition after its reference query; since issue 17, before it: into the parent and its
reference trigger), no Python — the ceiling for (b); with (b)'s phase timers per thread and the
PostgreSQL server's CPU (collection/phases.py, bench/procstats.py) as a markdown table;
then, with `--grow` (PostgreSQL): the 双公示 listing and subject page figures (bench/pages.py:
200 timed requests a page after a warm-up, p50/p95/p99, statements and buffers a page) on the
archive as (b) left it and graded by `xinyong evaluate` (as a nightly run would), the archive
grown to `--grow` × N records (copies of (b)'s records under other natural keys and earlier
decision dates, pure SQL; the records of `CONTROL` subjects are not copied), another file of N
rows collected into it (rows/s against (b)'s, the empty-archive rate), graded again, and the
page figures again, with the ratio after / before per page. Both timed imports start from a
settled database (`settle`: VACUUM (ANALYZE) + CHECKPOINT, as a loader does after a bulk load;
`--no-settle` leaves autovacuum to fall where it falls), and each prints its CPU per row — the
collect process and every PostgreSQL process — and the autovacuums, autoanalyzes and checkpoints
that ran beside it: what grows with the archive (docs/dev/scale.md).

    .venv/bin/python bench/collect.py --scale 1 --grow 10 --postgres-url postgresql://…/db
    .venv/bin/python bench/collect.py --rows 200000 --sqlite
    .venv/bin/python bench/collect.py --scale 0.002 --grow 10 --postgres-url …   # a smoke run

`--scale S` is N = S × 1,000,000 rows (issue 17's run: `--scale 1 --grow 10`, i.e. 10M records
first). Goals printed beside the figures: (c) ≥ 0.3 × (a); (b) ≥ 0.8 × (c); peak RSS ≤ 2 GB;
into the grown archive ≥ 0.8 × (b); listing and subject page p99 no worse than before growing.

Each database is fresh (PostgreSQL: a new database `xinyong_bench_collect`; SQLite: a new file),
migrated to head, with one provider registered through the CLI. Prints (a), (c), (b), both ratios
and the peak RSS on stderr, the phase table and one markdown table row per figure for
bench/RESULTS.md. Peak RSS is the collect process's maximum resident set size.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pages
from procstats import cpu_seconds, high_water_kb, postgres_cpu, print_phases
from sqlalchemy import make_url, text

from xinyong import archive, clock, identifiers
from xinyong.collection.phases import ENV as PHASES_ENV
from xinyong.db import migrate
from xinyong.db.session import make_engine

HEADERS = [
    "行政相对人名称", "行政相对人类别", "行政相对人代码_1(统一社会信用代码)", "法定代表人",
    "证件类型", "证件号码", "行政处罚决定书文号", "违法行为类型", "违法事实", "处罚依据",
    "处罚类别", "处罚内容", "罚款金额（万元）", "处罚决定日期", "处罚有效期", "处罚机关",
    "处罚机关统一社会信用代码", "数据来源单位", "数据来源单位统一社会信用代码",
    "没收违法所得、没收非法财物的金额（万元）", "暂扣或吊销证照名称及编号",
]  # fmt: skip
RECORD_COLUMNS = archive.RECORD_COLUMNS
CHUNK = 10_000  # rows per committed chunk, as xinyong/collection/readers.py
ALPHA = identifiers.USCC_ALPHABET
TODAY = date(2026, 11, 23)
BIN = Path(sys.executable).parent


def uscc(rng: random.Random, prefix: str = "91990100") -> str:
    body = "".join(
        rng.choice(ALPHA[:10] + "ABCDFGH") for _ in range(8)
    )  # no E: "1E5…" reads as a float
    org = prefix + body + identifiers.org_code_check_char(body)
    return org + identifiers.uscc_check_char(org)


# A realistic severity mix under the shipped default table (catalogs/severity/default.yaml): about
# half 轻微 (never disclosed), four in ten 一般 (12 months), one in twelve 严重 (36 months).
# (weight, 处罚类别, 处罚内容, 罚款金额 and 没收金额 in 万元, 暂扣或吊销证照)
MIX = (
    (30, "警告", "警告", "", "", ""),  # minor: reprimand only
    (20, "警告；罚款", "警告并处罚款2000元", "0.2", "", ""),  # minor: simple-procedure fine
    (25, "罚款", "罚款5万元", "5", "", ""),  # general
    (10, "罚款；没收违法所得", "罚款20万元并没收违法所得3万元", "20", "3", ""),  # general
    (7, "暂扣许可证件", "暂扣许可证件三个月", "", "", "食品经营许可证"),  # general
    (5, "罚款", "罚款150万元", "150", "", ""),  # serious: a large fine (organisation, > 100)
    (3, "责令停产停业；罚款", "责令停产停业并处罚款30万元", "30", "", ""),  # serious: heavy kind
)


def generate(path: Path, rows: int, seed: int) -> None:
    """Deterministic rows; one subject per ten rows (departments fine the same firms again);
    penalties drawn from MIX."""
    rng = random.Random(seed)
    kinds = rng.choices(MIX, weights=[m[0] for m in MIX], k=rows)
    authority = uscc(rng, "11990100")
    pool = [uscc(rng) for _ in range(max(1, rows // 10))]
    start = date(2024, 1, 1)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        for i in range(rows):
            code = pool[i % len(pool)]
            decided = start + timedelta(days=rng.randrange(0, 1000))
            writer.writerow([
                f"示范{code[8:16]}有限公司", "法人及非法人组织", code, "王伟", "", "",
                f"示罚〔{decided.year}〕{i}号", "未按规定公示年度报告",
                "经查，当事人未按规定公示年度报告，违反了相关规定。",
                "《中华人民共和国行政处罚法》第九条",
                kinds[i][1], kinds[i][2], kinds[i][3], decided.isoformat(),
                (decided + timedelta(days=365)).isoformat(), "示范区市场监督管理局", authority,
                "示范区市场监督管理局", authority, kinds[i][4], kinds[i][5],
            ])  # fmt: skip


def copy_baseline(url: str, path: Path, *, logged: bool = True) -> float:
    """(a) rows/s of COPY … FROM STDIN (CSV) into an unindexed table of the same columns.

    The baseline is an ordinary (logged) table, as `records` is; `logged=False` measures an
    UNLOGGED one (no WAL, not crash-safe), reported beside it for comparison."""
    import psycopg  # noqa: PLC0415

    columns = ", ".join(f"c{i} text" for i in range(len(HEADERS)))
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_copy")
        conn.execute(f"CREATE {'' if logged else 'UNLOGGED'} TABLE bench_copy ({columns})")
        conn.commit()
        started = time.perf_counter()
        sql = "COPY bench_copy FROM STDIN (FORMAT csv, HEADER)"
        with conn.cursor() as cur, cur.copy(sql) as cp, path.open("rb") as handle:
            while block := handle.read(1 << 20):
                cp.write(block)
        conn.commit()
        elapsed = time.perf_counter() - started
        count = conn.execute("SELECT count(*) FROM bench_copy").fetchone()
        conn.execute("DROP TABLE bench_copy")
    assert count is not None
    return int(count[0]) / elapsed


def store_floor(url: str) -> float:
    """(c) rows/s of COPY of exactly the `records` rows (b) wrote into an empty table shaped like
    `records` (its indexes; on PostgreSQL partitioned by class), stored the way the collection
    writer stores them (`archive.write_versions_pg`): straight into the class's partition after
    the writer's reference check of the chunk's distinct subjects and providers (a one-table
    `records`: into the table, with the reference trigger), in the same 10k-row committed
    statements, with no validation, linking or Python at all: what storing alone costs, the
    ceiling for (b)."""
    import psycopg  # noqa: PLC0415

    columns = ", ".join((*RECORD_COLUMNS, "authority_id"))  # and the id the writer adds
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        buffer = bytearray()
        with (
            conn.cursor() as cur,
            cur.copy(f"COPY (SELECT {columns} FROM records ORDER BY id) TO STDOUT") as cp,
        ):
            for block in cp:
                buffer += block
        conn.execute("DROP TABLE IF EXISTS bench_records")
        kind = conn.execute("SELECT relkind FROM pg_class WHERE relname = 'records'").fetchone()
        target = "bench_records"
        if kind is not None and kind[0] == "p":  # partitioned by class (docs/decisions/0012)
            conn.execute("CREATE TABLE bench_records (LIKE records INCLUDING ALL) "
                         "PARTITION BY LIST (info_class)")  # fmt: skip
            conn.execute("CREATE TABLE bench_records_p PARTITION OF bench_records "
                         "FOR VALUES IN ('penalty')")  # fmt: skip
            target = "bench_records_p"
        else:
            conn.execute("CREATE TABLE bench_records (LIKE records INCLUDING ALL)")
            conn.execute(
                "CREATE TRIGGER bench_refs AFTER INSERT ON bench_records REFERENCING NEW TABLE "
                "AS new_records FOR EACH STATEMENT EXECUTE FUNCTION xinyong_records_refs()"
            )
        conn.commit()
        lines = bytes(buffer).splitlines(keepends=True)
        chunks = [lines[i : i + CHUNK] for i in range(0, len(lines), CHUNK)]
        del buffer, lines
        subject, provider = RECORD_COLUMNS.index("subject_id"), RECORD_COLUMNS.index("provider_id")
        refs = [_distinct_ids(chunk, (subject, provider)) for chunk in chunks]
        blocks = [b"".join(chunk) for chunk in chunks]
        del chunks
        conn.execute("SET work_mem = '64MB'")  # as the collection writer does
        started = time.perf_counter()
        for block, ids in zip(blocks, refs, strict=True):  # one statement and one commit each
            if target != "bench_records":
                conn.execute(archive.CHECK_REFERENCES, ids)
            with conn.cursor() as cur, cur.copy(f"COPY {target} ({columns}) FROM STDIN") as cp:
                cp.write(block)
            conn.commit()
        elapsed = time.perf_counter() - started
        count = conn.execute("SELECT count(*) FROM bench_records").fetchone()
        conn.execute("DROP TABLE bench_records")
        conn.commit()
    assert count is not None
    return int(count[0]) / elapsed


def _distinct_ids(lines: list[bytes], positions: tuple[int, ...]) -> list[list[int]]:
    """The distinct non-null ids in these columns of COPY text lines, one list per column."""
    found: list[set[int]] = [set() for _ in positions]
    for line in lines:
        cells = line.split(b"\t")
        for seen, at in zip(found, positions, strict=True):
            if cells[at] != b"\\N":
                seen.add(int(cells[at]))
    return [sorted(seen) for seen in found]


def fresh_postgres(base: str) -> str:
    url = make_url(base)
    admin = make_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text('DROP DATABASE IF EXISTS "xinyong_bench_collect" WITH (FORCE)'))
        conn.execute(
            text("CREATE DATABASE xinyong_bench_collect ENCODING 'UTF8' TEMPLATE template0")
        )
    admin.dispose()
    return url.set(database="xinyong_bench_collect").render_as_string(hide_password=False)


def run_collect(
    url: str,
    path: Path,
    rows: int,
    *,
    fresh: bool = True,
    phases: dict[str, Any] | None = None,
    settled: bool = False,
) -> tuple[float, float]:
    """(b) rows/s and peak RSS (MB) of `xinyong collect` as a child process (`fresh`: migrate
    and register the provider first). `phases` is filled with the child's phase timers
    (xinyong/collection/phases.py), the PostgreSQL server's CPU seconds during the run
    ("postgres cpu") and the process's own ("process cpu"), and the autovacuums, autoanalyzes
    and checkpoints that ran beside it ("beside"). `settled`: `settle` the database first (after
    the set-up, outside the timing)."""
    timers = Path(tempfile.mkstemp(suffix=".json")[1])
    env = {**os.environ, "XINYONG_DATABASE_URL": url, "XINYONG_TODAY": TODAY.isoformat(),
           PHASES_ENV: str(timers)}  # fmt: skip
    provider = uscc(random.Random(1), "11990100")
    if fresh:
        migrate.upgrade(url)
        subprocess.run([str(BIN / "xinyong"), "providers", "add", provider, "基准测试局"],
                       env=env, check=True, capture_output=True)  # fmt: skip
    if settled:
        settle(url)
    args = [str(BIN / "xinyong"), "collect", str(path), "--class", "penalty",
            "--provider", provider, "--json"]  # fmt: skip
    server = postgres_cpu(url)
    maintenance = maintenance_counts(url) if url.startswith("postgresql") else (0, 0, 0)
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        child = subprocess.Popen(args, env=env, stdout=out, stderr=err)
        peak_kb, own = 0, 0.0
        while child.poll() is None:
            peak_kb = max(peak_kb, high_water_kb(child.pid))
            own = max(own, cpu_seconds(child.pid))
            time.sleep(0.02)
        elapsed = time.perf_counter() - started
        out.seek(0)
        stdout = out.read().decode()
        err.seek(0)
        assert child.returncode == 0, err.read().decode()[-2000:]
    assert f'"accepted": {rows}' in stdout, stdout[:500]
    if phases is not None and timers.stat().st_size:
        phases.update(json.loads(timers.read_text(encoding="utf-8")))
        phases["postgres cpu"] = postgres_cpu(url) - server
        phases["process cpu"] = own
        phases["process wall"] = elapsed
        after = maintenance_counts(url) if url.startswith("postgresql") else (0, 0, 0)
        phases["beside"] = [b - a for a, b in zip(maintenance, after, strict=True)]
    timers.unlink()
    return rows / elapsed, peak_kb / 1024


def grow_archive(url: str, factor: int, control: list[int] | None = None) -> int:
    """Copy the records already stored (factor - 1) times under other natural keys (suffix #g)
    and decision dates g × 37 days earlier, one committed statement per copy; ANALYZE. The
    records of the `control` subjects are not copied (their pages separate the archive's size
    from the subject's). Returns the number of records afterwards."""
    import psycopg  # noqa: PLC0415

    copied = (*RECORD_COLUMNS, "authority_id", "data_overrides")  # and what the writer adds
    columns = ", ".join(copied)
    changed = {
        "natural_key": "natural_key || '#' || %(g)s",
        "decision_number": "decision_number || '#' || %(g)s",
        "decision_date": "decision_date - %(g)s * 37",
        "valid_from": "valid_from - %(g)s * 37",
        "valid_until": "valid_until - %(g)s * 37",
    }
    picked = ", ".join(changed.get(c, c) for c in copied)
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        top = conn.execute("SELECT max(id) FROM records").fetchone()
        assert top is not None
        for g in range(1, factor):
            conn.execute(
                f"INSERT INTO records ({columns}) SELECT {picked} FROM records WHERE id <= %(top)s"
                " AND subject_id <> ALL(%(control)s)",
                {"g": g, "top": top[0], "control": control or []},
            )
            conn.commit()
        conn.execute("ANALYZE records")
        total = conn.execute("SELECT count(*) FROM records").fetchone()
    assert total is not None
    return int(total[0])


def _analyze(url: str) -> None:
    import psycopg  # noqa: PLC0415

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        conn.execute("ANALYZE records")


def settle(url: str) -> None:
    """What a loader does after a bulk load, and the same start for every timed import:
    VACUUM (ANALYZE) `records` (visibility map and hint bits set, statistics current, so
    autovacuum has nothing left to start in the middle of the next import) and a CHECKPOINT (the
    load's dirty pages written before, not during, the next run)."""
    import psycopg  # noqa: PLC0415

    plain = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE) records")
        conn.execute("CHECKPOINT")
        row = conn.execute("SELECT pg_backend_pid()").fetchone()
    assert row is not None
    deadline = time.monotonic() + 10
    while Path(f"/proc/{row[0]}").exists() and time.monotonic() < deadline:
        time.sleep(0.05)  # its CPU reaches the postmaster's when it is reaped: before the run's


def maintenance_counts(url: str) -> tuple[int, int, int]:
    """(autovacuums, autoanalyzes of the `records` partitions, checkpoints) so far: what ran
    beside an import is the difference before and after it."""
    import psycopg  # noqa: PLC0415

    plain = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        row = conn.execute(
            "SELECT coalesce(sum(autovacuum_count), 0), coalesce(sum(autoanalyze_count), 0) "
            "FROM pg_stat_user_tables WHERE relname LIKE 'records%'"
        ).fetchone()
        points = conn.execute(
            "SELECT checkpoints_timed + checkpoints_req FROM pg_stat_bgwriter"
        ).fetchone()
    assert row is not None
    assert points is not None
    return int(row[0]), int(row[1]), int(points[0])


CONTROL = 5  # subjects whose records the growth leaves alone (bench/pages.py's control pages)


def control_subjects(url: str, n: int = CONTROL) -> list[int]:
    """The last `n` organisations holding records: the growth does not copy their records."""
    import psycopg  # noqa: PLC0415

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        return [r[0] for r in conn.execute(
            "SELECT s.id FROM subjects s WHERE s.kind <> 'person' AND EXISTS "
            "(SELECT 1 FROM records r WHERE r.subject_id = s.id) ORDER BY s.id DESC LIMIT %s",
            (n,),
        )]  # fmt: skip


def evaluate(url: str) -> float:
    """`xinyong evaluate` on the benchmark's today, as the nightly run would after a load: the
    subject page shows the stored grade (docs/decisions/0010, addendum); seconds it took."""
    env = {**os.environ, "XINYONG_DATABASE_URL": url, "XINYONG_TODAY": TODAY.isoformat()}
    started = time.perf_counter()
    subprocess.run([str(BIN / "xinyong"), "evaluate", "--as-of", TODAY.isoformat(), "--json"],
                   env=env, check=True, capture_output=True)  # fmt: skip
    return time.perf_counter() - started


def page_p99(
    url: str, requests: int = pages.REQUESTS, control: list[int] | None = None
) -> tuple[float, float, list[pages.PageFigures]]:
    """The listing's and the (grown) subject page's p99 (ms) over `requests` timed requests per
    page after a warm-up, and every page's figures (bench/pages.py: p50/p95/p99, CPU,
    statements, buffers)."""
    figures = pages.measure(url, requests=requests, control=control)
    listing = [ms for f in figures if f.name.startswith("listing") for ms in f.wall_ms]
    grown = [ms for f in figures if f.name.startswith("subject page (grown") for ms in f.wall_ms]
    return _p99(listing), _p99(grown), figures


def _p99(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))] if ordered else 0.0


@contextlib.contextmanager
def phase(name: str) -> Iterator[None]:
    """Print how long a phase took (stderr), so a long run shows where its time goes."""
    started = time.perf_counter()
    yield
    print(f"# phase {name}: {time.perf_counter() - started:,.1f} s", file=sys.stderr, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--scale", type=float, help="N = scale × 1,000,000 rows (overrides --rows)")
    grow = "PostgreSQL: grow the archive to GROW × N records, then collect again"
    parser.add_argument("--grow", type=int, default=0, help=grow)
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument("--page-requests", type=int, default=pages.REQUESTS,
                        help="timed requests per page before and after growing")  # fmt: skip
    parser.add_argument("--postgres-url", default=os.environ.get("XINYONG_BENCH_POSTGRES_URL"))
    parser.add_argument("--sqlite", action="store_true", help="also measure on SQLite")
    parser.add_argument("--no-settle", dest="settle", action="store_false",
                        help="no VACUUM (ANALYZE) + CHECKPOINT before each timed import (the "
                        "stop-21 runs: autovacuum may then work on the grown archive during the "
                        "second import)")  # fmt: skip
    opts = parser.parse_args()
    if opts.scale:
        opts.rows = max(1, round(opts.scale * 1_000_000))
    machine = f"{platform.node()} {os.cpu_count()} cores, Python {platform.python_version()}"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "penalties.csv"
        with phase("generate the file"):
            generate(path, opts.rows, opts.seed)
        size = path.stat().st_size / 1e6
        print(f"# {opts.rows} rows, {size:.0f} MB, {machine}", file=sys.stderr)
        if opts.postgres_url:
            url = fresh_postgres(opts.postgres_url)
            with phase("(a) raw COPY, unlogged and logged"):
                unlogged = copy_baseline(url, path, logged=False)
                baseline = copy_baseline(url, path)
            timers: dict[str, Any] = {}
            with phase("(b) collect into the empty archive"):
                speed, peak = run_collect(url, path, opts.rows, phases=timers,
                                          settled=opts.settle)  # fmt: skip
            with phase("(c) storing alone"):
                floor = store_floor(url)
            print(f"# (a) raw COPY {baseline:,.0f} rows/s; (c) storing alone {floor:,.0f} rows/s "
                  f"= {floor / baseline:.2f} × (a); (b) collect {speed:,.0f} rows/s = "
                  f"{speed / floor:.2f} × (c); peak RSS {peak:,.0f} MB; load "
                  f"{os.getloadavg()[0]:.1f}", file=sys.stderr)  # fmt: skip
            print_phases(timers, opts.rows)
            print(f"| {clock.today()} | {machine} | collect PostgreSQL N={opts.rows} | "
                  f"{speed:,.0f} rows/s, peak RSS {peak:,.0f} MB; storing alone (c) "
                  f"{floor:,.0f} rows/s = {floor / baseline:.2f} × COPY | COPY {baseline:,.0f} "
                  f"rows/s (UNLOGGED table {unlogged:,.0f}) | {speed / baseline:.2f} "
                  "| ≥ 0.5, ≤ 2 GB |")  # fmt: skip
            print(f"| {clock.today()} | {machine} | issue 17 goals N={opts.rows} | (c)/(a) "
                  f"{floor / baseline:.2f}, (b)/(c) {speed / floor:.2f}, peak RSS {peak:,.0f} MB "
                  "| — | — | (c) ≥ 0.3 × (a), (b) ≥ 0.8 × (c), ≤ 2 GB |")  # fmt: skip
            if opts.grow > 1:
                _grown(url, Path(tmp), opts, speed, timers, machine)
        if opts.sqlite:
            speed, peak = run_collect(f"sqlite:///{Path(tmp) / 'bench.db'}", path, opts.rows)
            print(f"| {clock.today()} | {machine} | collect SQLite N={opts.rows} | "
                  f"{speed:,.0f} rows/s, "
                  f"peak RSS {peak:,.0f} MB | — | — | — |")  # fmt: skip


def _grown(
    url: str,
    tmp: Path,
    opts: argparse.Namespace,
    empty: float,
    empty_timers: dict[str, Any],
    machine: str,
) -> None:
    """The archive-growth run: p99 before, grow, collect another file, p99 after; then what each
    import cost per row (CPU of the collect process and of PostgreSQL) into the empty and into
    the grown archive, and what maintenance ran beside each."""
    control = control_subjects(url)
    with phase("evaluate at 1× (the nightly run)"):
        evaluate(url)
    with phase("pages at 1×"):
        _analyze(url)  # as autovacuum would after (b)'s million rows: plans with statistics
        listing0, page0, before = page_p99(url, opts.page_requests, control)
    print(pages.table("1×", before))
    with phase(f"grow to {opts.grow}× (INSERT … SELECT copies, ANALYZE)"):
        total = grow_archive(url, opts.grow, control)
    second = tmp / "penalties-2.csv"
    with phase("generate the second file"):
        generate(second, opts.rows, opts.seed + 1)
    timers: dict[str, Any] = {}
    with phase("collect into the grown archive"):
        speed, peak = run_collect(url, second, opts.rows, fresh=False, phases=timers,
                                  settled=opts.settle)  # fmt: skip
    print_phases(timers, opts.rows)
    with phase(f"evaluate at {opts.grow}× (the nightly run)"):
        evaluate(url)
    with phase(f"pages at {opts.grow}×"):
        listing1, page1, after = page_p99(url, opts.page_requests, control)
    print(pages.table(f"{opts.grow}×", after))
    print(pages.flatness(before, after))
    print_growth(empty_timers, timers, opts.rows)
    settled = "settled (VACUUM ANALYZE + CHECKPOINT before each import)" if opts.settle else (
        "not settled")  # fmt: skip
    print(f"| {clock.today()} | {machine} | collect into {total:,} records N={opts.rows}, "
          f"{settled} | {speed:,.0f} rows/s = {speed / empty:.2f} × into the empty archive "
          f"({empty:,.0f} rows/s), peak RSS {peak:,.0f} MB; p99 listing {listing0:.0f} → "
          f"{listing1:.0f} ms, subject page {page0:.0f} → {page1:.0f} ms | — | — | ≥ 0.8 ×, p99 "
          "no worse |")  # fmt: skip


def print_growth(empty: dict[str, Any], grown: dict[str, Any], rows: int) -> None:
    """CPU µs a row of both imports (the collect process; every PostgreSQL process, autovacuum
    included) and the maintenance beside each: what grows with the archive."""
    if not empty or not grown:
        return
    print("| import | process CPU µs a row | PostgreSQL CPU µs a row | wall s | autovacuums, "
          "autoanalyzes, checkpoints beside it |\n|---|---|---|---|---|")  # fmt: skip
    for name, t in (("into the empty archive", empty), ("into the grown archive", grown)):
        beside = ", ".join(str(n) for n in t.get("beside", ()))
        print(
            f"| {name} | {t['process cpu'] / rows * 1e6:.1f} | "
            f"{t['postgres cpu'] / rows * 1e6:.1f} | {t['process wall']:.2f} | {beside} |"
        )
    ratio = (grown["process cpu"] + grown["postgres cpu"]) / (
        empty["process cpu"] + empty["postgres cpu"])  # fmt: skip
    print(f"# CPU a row, grown / empty: {ratio:.2f} × (process + PostgreSQL)", file=sys.stderr)


if __name__ == "__main__":
    main()
