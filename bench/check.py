"""Joint-check benchmark: wrk -c64 against POST /api/v1/checks vs the two trivial endpoints —
GET /api/v1/baseline (an `async def` constant: the ratio's denominator, steady between runs) and
GET /api/v1/health (sync, in the threadpool: printed beside it, as before) — on PostgreSQL with
BENCH_SUBJECTS subjects (default 1,000,000) and BENCH_ENTRIES list entries (default 50,000); then
screening of BENCH_SCREEN codes (default 1,000,000). Appends a row to bench/RESULTS.md at full
scale (BENCH_RECORD=1 forces it, 0 suppresses it; small runs only prove the script works).

Bench data is bulk-loaded with COPY (imported list records, platform list entries in their
decided state, and a stored grade for every subject, so that each answer carries its grade and
supervision class) because walking 50k procedures through the actions is not what is measured here.
Needs XINYONG_BENCH_POSTGRES_URL (make bench starts a cluster) and wrk (installed from Debian).
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import date
from pathlib import Path

import psycopg
import wrk
from sqlalchemy import make_url

from xinyong import auth, catalog, clock, demo
from xinyong.audit import Actor
from xinyong.db import migrate
from xinyong.db.session import make_engine, make_sessionmaker, transaction
from xinyong.enums import Role
from xinyong.measures import screening

ROOT = Path(__file__).resolve().parent.parent
N = int(os.environ.get("BENCH_SUBJECTS", "1000000"))
E = int(os.environ.get("BENCH_ENTRIES", "50000"))
S = int(os.environ.get("BENCH_SCREEN", "1000000"))
DURATION = os.environ.get("BENCH_DURATION", "15s")
PORT = int(os.environ.get("BENCH_PORT", "8765"))
TODAY = date(2026, 12, 1)


def database(base: str) -> str:
    name = "xinyong_bench_check"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0")
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    migrate.upgrade(url)
    return url


def load(url: str) -> tuple[list[str], list[str]]:
    rng = random.Random(5)
    codes = list({demo.make_uscc(rng, "9", "1") for _ in range(int(N * 1.01))})[:N]
    t0 = time.perf_counter()
    with psycopg.connect(url) as conn:
        with conn.cursor().copy(
            "COPY subjects (kind, code, code_kind, name, former_names, status, verified) FROM STDIN"
        ) as cp:
            for i, c in enumerate(codes):
                cp.write_row(
                    ("enterprise", c, "uscc", f"示范区基准{i}科技有限公司", "[]", "active", True)
                )
        ids = dict(conn.execute("SELECT code, id FROM subjects").fetchall())
        listed = rng.sample(codes, E)
        platform, imported = listed[: E // 10], listed[E // 10 :]
        with conn.cursor().copy(
            "COPY list_entries (list_type, subject_id, stage, facts, basis, measures, "
            "deciding_authority, catalog_version, proposed_on, decision_number, decided_on, "
            "valid_until, published_on) FROM STDIN"
        ) as cp:
            for i, c in enumerate(platform):
                cp.write_row(("wage_arrears", ids[c], "published", "基准", "[]", "[]", "人社局",
                              "bench", date(2026, 6, 1), f"基准认〔2026〕{i}号", date(2026, 6, 20),
                              date(2029, 6, 19), date(2026, 6, 20)))  # fmt: skip
        with conn.cursor().copy(
            "COPY records (subject_id, info_class, natural_key, version, is_current, status, "
            "decision_number, decision_date, authority_name, catalog_version, content_hash, "
            "data) FROM STDIN"
        ) as cp:
            for i, c in enumerate(imported):
                data = json.dumps({"case_number": f"(2026)示执{i}号"}, ensure_ascii=False)
                cp.write_row((ids[c], "court_defaulter", f"bench-{i}", 1, True, "active",
                              f"(2026)示执{i}号", date(2026, 3, 1), "示范区人民法院", "bench",
                              "x", data))  # fmt: skip
        # every subject graded (issue 12): the check answers with grade and supervision class
        with conn.cursor().copy(
            "COPY evaluation_results (subject_id, model_id, model_version, as_of, score, grade, "
            "trigger, facts_hash, explanation, created_at) FROM STDIN"
        ) as cp:
            now = clock.now()
            for i, c in enumerate(codes):
                grade, score = ("A", 92.0) if i % 10 == 0 else ("B", 80.0) if i % 10 < 8 else (
                    ("C", 65.0) if i % 10 == 8 else ("D", 40.0))  # fmt: skip
                cp.write_row((ids[c], "enterprise", "bench", date(2026, 11, 1), score, grade,
                              "run", "bench", "{}", now))  # fmt: skip
        conn.execute("ANALYZE")
        conn.commit()
    print(f"loaded {N} subjects (graded), {E} entries in {time.perf_counter() - t0:.1f}s")
    return codes, listed


def api_key(url: str) -> str:
    with transaction(make_sessionmaker(make_engine(url))) as session:
        _c, key = auth.create_api_client(session, "基准测试系统", Role.SYSTEM,
                                         actor=Actor.system("bench"))  # fmt: skip
    return key


def serve(url: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "XINYONG_DATABASE_URL": url, "XINYONG_TODAY": TODAY.isoformat(),
           "XINYONG_LOG_LEVEL": "WARNING"}  # fmt: skip
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "xinyong.web.app:create_app", "--factory", "--port",
         str(PORT), "--workers", "2", "--no-access-log", "--log-level", "warning"],
        env=env, cwd=ROOT,
    )  # fmt: skip
    for _ in range(600):  # start-up takes seconds on a busy machine: wait until it answers
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/api/v1/health", timeout=1):
                return proc
        except OSError:
            time.sleep(0.1)
    proc.terminate()
    raise RuntimeError("the server did not start")


def load_test(binary: str, path: str, script: str | None = None) -> wrk.Result:
    done = wrk.run(binary, f"http://127.0.0.1:{PORT}{path}", connections=64, duration=DURATION,
                   script=Path(script) if script else None)  # fmt: skip
    if done.non_2xx:
        print(f"WARNING {path}: {done.non_2xx} non-2xx responses")
    return done


def lua(codes: list[str], listed: list[str], key: str, folder: Path) -> str:
    sample = random.Random(1).sample(codes, min(5000, len(codes))) + listed[:500]
    path = folder / "check.lua"
    items = ",".join(f'"{c}"' for c in sample)
    path.write_text(
        f'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
        f'wrk.headers["X-API-Key"] = "{key}"\nlocal codes = {{{items}}}\n'
        "request = function()\n  local c = codes[math.random(#codes)]\n"
        '  return wrk.format(nil, nil, nil, \'{"code":"\' .. c .. \'","matter":"procurement"}\')\n'
        "end\n",
        encoding="utf-8",
    )
    return str(path)


def bench_screening(url: str, codes: list[str], folder: Path) -> float:
    path = folder / "screen.csv"
    rows = (codes * (S // len(codes) + 1))[:S]
    path.write_text("统一社会信用代码\n" + "\n".join(rows) + "\n", encoding="utf-8")
    cat = catalog.load_catalog(ROOT / "catalogs")
    t0 = time.perf_counter()
    read = screening.read_frame(path)
    t1 = time.perf_counter()
    with transaction(make_sessionmaker(make_engine(url))) as session:
        index = screening.build_index(session, catalog=cat, today=TODAY)
    t2 = time.perf_counter()
    found = screening.screen_frame(read, "procurement", index, catalog=cat, today=TODAY)
    hits = int((found["outcome"] == "hit").sum())
    took = time.perf_counter() - t0
    print(f"screening {S} codes: {took:.1f}s (read {t1 - t0:.1f}s, index {t2 - t1:.1f}s, "
          f"match {time.perf_counter() - t2:.1f}s), {hits} hits")  # fmt: skip
    return took


def log_bytes(url: str) -> tuple[float, float]:
    """Bytes per logged check: the mean row (`pg_column_size`) and the whole table with its
    indexes and TOAST (`pg_total_relation_size`) over the rows."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE checks")
        row, total = conn.execute(
            "SELECT avg(pg_column_size(c.*)), pg_total_relation_size('checks')::float"
            " / greatest(count(*), 1) FROM checks c"
        ).fetchone()  # type: ignore[misc]
    return float(row or 0), float(total)


def main() -> None:
    base = os.environ["XINYONG_BENCH_POSTGRES_URL"]
    binary = wrk.ensure_wrk()
    url = database(base)
    codes, listed = load(url)
    key = api_key(url)
    with tempfile.TemporaryDirectory() as tmp:
        script = lua(codes, listed, key, Path(tmp))
        proc = serve(url)
        try:
            load_test(binary, "/api/v1/baseline")  # warm-up
            baseline = load_test(binary, "/api/v1/baseline")
            health = load_test(binary, "/api/v1/health")
            check = load_test(binary, "/api/v1/checks", script)
            b_rps, b_p99 = baseline.rps, baseline.p99_ms
            h_rps, h_p99 = health.rps, health.p99_ms
            c_rps, c_p99, c_total = check.rps, check.p99_ms, check.requests
        finally:
            proc.terminate()
            proc.wait()
        with psycopg.connect(url) as conn:
            logged = conn.execute("SELECT count(*) FROM checks").fetchone()[0]  # type: ignore[index]
        row_bytes, table_bytes = log_bytes(url)
        took = bench_screening(url, codes, Path(tmp))
    ratio, p99_ratio = c_rps / b_rps, c_p99 / b_p99
    print(f"baseline {b_rps:.0f} req/s p99 {b_p99:.1f} ms; health {h_rps:.0f} req/s "
          f"p99 {h_p99:.1f} ms; check {c_rps:.0f} req/s p99 {c_p99:.1f} ms; "
          f"ratio to baseline {ratio:.2f} (to health {c_rps / h_rps:.2f}); "
          f"p99 ratio {p99_ratio:.1f}; logged {logged}/{c_total}")  # fmt: skip
    print(f"check log: {row_bytes:.0f} bytes per check (row), {table_bytes:.0f} bytes per check "
          "(table with indexes and TOAST)")  # fmt: skip
    if os.environ.get("BENCH_RECORD", "1" if N >= 1_000_000 else "0") != "1":
        return
    day = clock.today()
    rows = [
        f"| {day} | 2 cores shared, PG15, uvicorn --workers 2, wrk -c64 {DURATION} "
        f"| check (N={N:,}, entries={E:,}) | {c_rps:.0f} req/s, p99 {c_p99:.1f} ms, "
        f"{logged:,} logged of {c_total:,} | baseline (async) {b_rps:.0f} req/s, p99 "
        f"{b_p99:.1f} ms; health {h_rps:.0f} req/s, p99 {h_p99:.1f} ms "
        f"| {ratio:.2f} × baseline rps, {p99_ratio:.1f} × p99 | ≥ 0.4 ×, ≤ 5 × p99 |",
        f"| {day} | same | check log size | {row_bytes:.0f} B per check (row), "
        f"{table_bytes:.0f} B per check (table + indexes + TOAST) | — | — | small |",
        f"| {day} | same | screening {S:,} codes (read CSV + index + match) | {took:.1f} s "
        "| — | — | ≤ 10 s |",
    ]
    with (ROOT / "bench" / "RESULTS.md").open("a", encoding="utf-8") as f:
        f.write("\n".join(rows) + "\n")


if __name__ == "__main__":
    main()
