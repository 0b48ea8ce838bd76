"""Subject search at scale on PostgreSQL, through the HTTP API.

Loads N subjects (default 1,000,000; `--n` or XINYONG_BENCH_SUBJECTS) into a fresh database with
COPY, builds the search indexes of the disclosure search migration after the load, serves the
app with uvicorn (2 workers), and measures p50/p99 latency of 2-, 3- and 4-character name
queries, exact code lookups (`/api/v1/subjects?q=<USCC>`) and two trivial endpoints with wrk at a
fixed number of connections: `/api/v1/baseline` (an `async def` constant, the ratio's
denominator) and `/api/v1/health` (sync, threadpool; printed beside it). Prints a row for
bench/RESULTS.md.

Goal (issue 4): p99 ≤ 100 ms for every query shape; code lookups ≥ 0.3 × the trivial endpoint's
requests/s. Needs XINYONG_BENCH_POSTGRES_URL (make bench starts a cluster).
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psycopg
import wrk
from sqlalchemy import make_url

from xinyong.db import migrate
from xinyong.demo import region

ROOT = Path(__file__).resolve().parent.parent
MIGRATION = ROOT / "xinyong/db/migrations/versions/2026_11_22_1800_disclosure_search_indexes.py"
SUFFIXES = ("有限公司", "股份有限公司", "有限责任公司", "合伙企业（有限合伙）", "个人独资企业")


def _pg_up() -> list[str]:
    spec = importlib.util.spec_from_file_location("search_migration", MIGRATION)
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return list(module.PG_UP)


def _names(rng: random.Random, n: int) -> list[tuple[str, str]]:
    out = []
    for i in range(n):
        brand = "".join(rng.sample(region.BRANDS, 2))
        place = rng.choice(region.SURNAMES) + rng.choice(region.GIVEN)
        industry = rng.choice(region.INDUSTRIES)[0]
        name = f"{place}{brand}{industry}{rng.choice(SUFFIXES)}{i % 97 or ''}"
        out.append((region.make_uscc(rng, "9", "1"), name))
    return out


def load(url: str, n: int) -> list[tuple[str, str]]:
    migrate.upgrade(url)
    rows = _names(random.Random(4), n)
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("DROP INDEX IF EXISTS ix_search_subjects_trgm")
        conn.execute("DROP INDEX IF EXISTS ix_search_subjects_bigram")
        conn.execute("TRUNCATE subjects CASCADE")
        buf = io.StringIO()
        for code, name in rows:
            buf.write(f"enterprise\t{code}\tuscc\t{name}\t[]\tactive\tt\t990100\n")
        with conn.cursor().copy(
            "COPY subjects (kind, code, code_kind, name, former_names, status, verified,"
            " region_code) FROM STDIN"
        ) as copy:
            copy.write(buf.getvalue())
        started = time.perf_counter()
        for statement in _pg_up()[-2:]:
            conn.execute(statement)
        conn.execute("ANALYZE subjects")
        print(f"indexes built in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return rows


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(url: str, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "XINYONG_DATABASE_URL": url, "XINYONG_LOG_LEVEL": "WARNING"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "xinyong.web.app:create_app",
         "--port", str(port), "--workers", "2", "--log-level", "warning", "--no-access-log"],
        env=env,
    )  # fmt: skip
    for _ in range(100):
        try:
            httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1)
            return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--n", type=int, default=int(os.environ.get("XINYONG_BENCH_SUBJECTS", "1000000"))
    )
    parser.add_argument("--requests", type=int, default=2000, help="distinct queries per shape")
    parser.add_argument("--concurrency", type=int, default=16, help="wrk connections")
    parser.add_argument("--duration", default="10s", help="wrk duration per shape")
    parser.add_argument("--port", type=int, default=0, help="0 = a free port")
    args = parser.parse_args()
    base_url = os.environ.get("XINYONG_BENCH_POSTGRES_URL")
    if not base_url:
        sys.exit("XINYONG_BENCH_POSTGRES_URL is required (make bench starts a cluster)")
    url = (
        make_url(base_url)
        .set(database="xinyong_bench_search")
        .render_as_string(hide_password=False)
    )
    admin = make_url(base_url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS xinyong_bench_search WITH (FORCE)")
        conn.execute("CREATE DATABASE xinyong_bench_search ENCODING 'UTF8' TEMPLATE template0")
    rows = load(url, args.n)
    rng = random.Random(5)
    sample = [rng.choice(rows) for _ in range(args.requests)]

    def cut(name: str, k: int) -> str:
        start = rng.randrange(0, 4)  # inside the place + brand part
        return name[start : start + k]

    shapes = {
        "baseline (async)": ["/api/v1/baseline"] * args.requests,
        "trivial /health": ["/api/v1/health"] * args.requests,
        "2-char name": [f"/api/v1/subjects?q={cut(n, 2)}" for _, n in sample],
        "3-char name": [f"/api/v1/subjects?q={cut(n, 3)}" for _, n in sample],
        "4-char name": [f"/api/v1/subjects?q={cut(n, 4)}" for _, n in sample],
        "code lookup": [f"/api/v1/subjects?q={c}" for c, _ in sample],
    }
    port = args.port or _free_port()
    binary = wrk.ensure_wrk()
    proc = serve(url, port)
    results: dict[str, dict[str, float]] = {}
    try:
        with tempfile.TemporaryDirectory() as folder:
            for i, (shape, paths) in enumerate(shapes.items()):
                script = wrk.get_script(paths, Path(folder), f"shape{i}")
                done = wrk.run(binary, f"http://127.0.0.1:{port}", script=script,
                               connections=args.concurrency, duration=args.duration)  # fmt: skip
                if done.non_2xx:
                    sys.exit(f"{shape}: {done.non_2xx} non-2xx responses")
                results[shape] = {"p50_ms": done.p50_ms, "p99_ms": done.p99_ms,
                                  "rps": round(done.rps), "requests": done.requests}  # fmt: skip
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    baseline = results["baseline (async)"]["rps"]
    health = results["trivial /health"]["rps"]
    results["code lookup"]["ratio_to_baseline"] = round(results["code lookup"]["rps"] / baseline, 2)
    results["code lookup"]["ratio_to_health"] = round(results["code lookup"]["rps"] / health, 2)
    print(json.dumps({"n": args.n, "concurrency": args.concurrency, "results": results},
                     ensure_ascii=False, indent=2))  # fmt: skip


if __name__ == "__main__":
    main()
