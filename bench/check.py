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

Besides req/s (meaningful only on a quiet machine), each endpoint's **server CPU per request** is
printed: utime + stime of the uvicorn worker processes (from /proc) over the wrk run, divided by the
requests wrk completed — steady on a shared machine, where req/s is not. A smoke run:
`python bench/check.py --scale 0.02 --duration 5s --no-screening` (N = 20,000 subjects, 1,000
entries); `--reuse` keeps the loaded database of the previous run (same scale).
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import psycopg
import stored_records
import wrk
from sqlalchemy import make_url

from xinyong import auth, catalog, clock, demo
from xinyong.audit import Actor
from xinyong.db import migrate
from xinyong.db.session import make_engine, make_sessionmaker, transaction
from xinyong.measures import screening, screening_run

ROOT = Path(__file__).resolve().parent.parent
N = int(os.environ.get("BENCH_SUBJECTS", "1000000"))
E = int(os.environ.get("BENCH_ENTRIES", "50000"))
S = int(os.environ.get("BENCH_SCREEN", "1000000"))
DURATION = os.environ.get("BENCH_DURATION", "15s")
PORT = int(os.environ.get("BENCH_PORT", "8765"))
TODAY = date(2026, 12, 1)
TICK = os.sysconf("SC_CLK_TCK")


def database(base: str, *, reuse: bool = False) -> str:
    name = "xinyong_bench_check"
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    if reuse and _loaded(url):
        return url
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0")
    migrate.upgrade(url)
    return url


def _loaded(url: str) -> bool:
    """The database of an earlier run at this scale (`--reuse`)."""
    try:
        with psycopg.connect(url) as conn:
            found = conn.execute("SELECT count(*) FROM subjects").fetchone()
    except psycopg.Error:
        return False
    return found is not None and found[0] == N


def existing(url: str) -> tuple[list[str], list[str]]:
    """The codes and listed codes of a loaded database (`--reuse`)."""
    with psycopg.connect(url) as conn:
        codes = [c for (c,) in conn.execute("SELECT code FROM subjects ORDER BY id")]
        listed = [c for (c,) in conn.execute(
            "SELECT s.code FROM subjects s WHERE s.id IN (SELECT subject_id FROM list_entries"
            " UNION SELECT subject_id FROM records) ORDER BY s.id")]  # fmt: skip
    return codes, listed


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
        court = "示范区人民法院"  # the archive collection writes: lean data, hashes, authority id
        authority = stored_records.authority_ids(conn, "court_defaulter", {court})[court]
        with conn.cursor().copy(
            "COPY records (subject_id, info_class, natural_key, version, is_current, status, "
            f"{stored_records.COPY_COLUMNS}, authority_id, catalog_version, content_hash, data) "
            "FROM STDIN"
        ) as cp:
            for i, c in enumerate(imported):
                case = f"(2026)示执{i}号"
                row = {"case_number": case, "subject_uscc": c, "court": court,
                       "basis_number": case, "published_on": "2026-03-01"}  # fmt: skip
                s = stored_records.stored("court_defaulter", row)
                cp.write_row((ids[c], "court_defaulter", s.natural_key, 1, True, "active",
                              *s.values(), authority, "bench", s.content_hash_copy,
                              s.data))  # fmt: skip
        # every subject graded (issue 12): the check answers with grade and supervision class
        explained = conn.execute(
            "INSERT INTO evaluation_explanations (body) VALUES ('{}') RETURNING id"
        ).fetchone()[0]  # type: ignore[index]  # one shared explanation, as a run stores them
        with conn.cursor().copy(
            "COPY evaluation_results (subject_id, model_id, model_version, as_of, score, grade, "
            "trigger, facts_hash, explanation_id, created_at) FROM STDIN"
        ) as cp:
            now = clock.now()
            for i, c in enumerate(codes):
                grade, score = ("A", 92.0) if i % 10 == 0 else ("B", 80.0) if i % 10 < 8 else (
                    ("C", 65.0) if i % 10 == 8 else ("D", 40.0))  # fmt: skip
                cp.write_row((ids[c], "enterprise", "bench", date(2026, 11, 1), score, grade,
                              "run", "bench", explained, now))  # fmt: skip
        conn.execute("ANALYZE")
        conn.commit()
    print(f"loaded {N} subjects (graded), {E} entries in {time.perf_counter() - t0:.1f}s")
    return codes, listed


def api_key(url: str) -> str:
    """A key with the check scope and a limit the benchmark never reaches (the limit is still
    counted on every request, as for any client)."""
    with transaction(make_sessionmaker(make_engine(url))) as session:
        name = f"基准测试系统{time.time_ns()}"
        _c, key = auth.add_client(session, name, "check", rate_limit="100000000/minute",
                                  actor=Actor.system("bench"))  # fmt: skip
    return key


def workers(proc: subprocess.Popen[bytes]) -> list[int]:
    """The uvicorn worker processes (children of the supervisor)."""
    found = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
    return [int(pid) for pid in found]


def cpu_seconds(pids: list[int]) -> float:
    """utime + stime of these processes so far (/proc/<pid>/stat fields 14 and 15)."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / TICK


@dataclass(frozen=True)
class Measured:
    """One wrk run and the server CPU it cost."""

    result: wrk.Result
    cpu_us: float  # worker CPU per completed request, µs

    def line(self, name: str) -> str:
        r = self.result
        return (f"{name} {r.rps:.0f} req/s p99 {r.p99_ms:.1f} ms, {self.cpu_us:.0f} µs worker CPU"
                f" per request ({r.requests} requests)")  # fmt: skip


def serve(url: str) -> subprocess.Popen[bytes]:
    """uvicorn as `xinyong serve` runs it in production: 2 workers, httptools and uvloop (its
    defaults when installed), no access log."""
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


def load_test(binary: str, path: str, script: str | None = None, *,
              pids: list[int] | None = None) -> Measured:  # fmt: skip
    before = cpu_seconds(pids or [])
    done = wrk.run(binary, f"http://127.0.0.1:{PORT}{path}", connections=64, duration=DURATION,
                   script=Path(script) if script else None)  # fmt: skip
    used = cpu_seconds(pids or []) - before
    if done.non_2xx:
        print(f"WARNING {path}: {done.non_2xx} non-2xx responses")
    return Measured(done, used / max(done.requests, 1) * 1e6)


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
    """Screening of S codes as `screening_run.screen` does it — index, match, and the query-log
    rows of the subjects matched, in one transaction — with each phase's wall and CPU time."""
    path = folder / "screen.csv"
    rows = (codes * (S // len(codes) + 1))[:S]
    path.write_text("统一社会信用代码\n" + "\n".join(rows) + "\n", encoding="utf-8")
    cat = catalog.load_catalog(ROOT / "catalogs")
    wall, cpu = [time.perf_counter()], [time.process_time()]

    def lap() -> None:
        wall.append(time.perf_counter())
        cpu.append(time.process_time())

    read = screening.read_frame(path)
    lap()
    with transaction(make_sessionmaker(make_engine(url))) as session:
        index = screening.build_index(session, catalog=cat, today=TODAY)
        lap()
        found = screening.screen_frame(read, "procurement", index, catalog=cat, today=TODAY)
        lap()
        logged = screening_run.log_matches(
            session, found, screening_id="0" * 32, purpose="基准测试", matter="procurement",
            actor=Actor.system("bench"),
        )  # fmt: skip
    lap()  # the commit of the query-log rows included
    hits = int((found["outcome"] == "hit").sum())
    took = wall[-1] - wall[0]
    phases = zip(("read", "index", "match", "log"), range(1, 5), strict=True)
    print(f"screening {S} codes: {took:.1f}s, " + ", ".join(
        f"{name} {wall[i] - wall[i - 1]:.2f}s wall / {cpu[i] - cpu[i - 1]:.2f}s CPU"
        for name, i in phases) + f"; {hits} hits, {logged} subjects logged")  # fmt: skip
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


def http_runs(url: str, binary: str, script: str) -> tuple[Measured, Measured, Measured, int]:
    """baseline, health and check under wrk against one server, and the checks it logged."""
    proc = serve(url)
    try:
        pids = workers(proc)
        load_test(binary, "/api/v1/baseline")  # warm-up
        baseline = load_test(binary, "/api/v1/baseline", pids=pids)
        health = load_test(binary, "/api/v1/health", pids=pids)
        load_test(binary, "/api/v1/checks", script)  # warm-up: pools, caches
        with psycopg.connect(url) as conn:
            start = conn.execute("SELECT count(*) FROM checks").fetchone()[0]  # type: ignore[index]
        check = load_test(binary, "/api/v1/checks", script, pids=pids)
    finally:
        proc.terminate()
        proc.wait()
    with psycopg.connect(url) as conn:
        logged = conn.execute("SELECT count(*) FROM checks").fetchone()[0]  # type: ignore[index]
    return baseline, health, check, logged - start


def record(baseline: Measured, health: Measured, check: Measured, logged: int,
           log_size: tuple[float, float], took: float | None) -> None:  # fmt: skip
    """Append the run's rows to bench/RESULTS.md."""
    b, h, c = baseline.result, health.result, check.result
    day = clock.today()
    rows = [
        f"| {day} | 2 cores shared, PG15, uvicorn --workers 2, wrk -c64 {DURATION} "
        f"| check (N={N:,}, entries={E:,}) | {c.rps:.0f} req/s, p99 {c.p99_ms:.1f} ms, "
        f"{logged:,} logged of {c.requests:,}; worker CPU {check.cpu_us:.0f} µs per check "
        f"| baseline (async) {b.rps:.0f} req/s, p99 {b.p99_ms:.1f} ms, {baseline.cpu_us:.0f} µs; "
        f"health {h.rps:.0f} req/s, p99 {h.p99_ms:.1f} ms, {health.cpu_us:.0f} µs "
        f"| {c.rps / b.rps:.2f} × baseline rps, {c.p99_ms / b.p99_ms:.1f} × p99 "
        "| ≥ 0.5 ×, ≤ 5 × p99 |",
        f"| {day} | same | check log size | {log_size[0]:.0f} B per check (row), "
        f"{log_size[1]:.0f} B per check (table + indexes + TOAST) | — | — | small |",
    ]
    if took is not None:
        rows.append(f"| {day} | same | screening {S:,} codes (read CSV + index + match + "
                    "query log of the subjects matched) "
                    f"| {took:.1f} s | — | — | ≤ 10 s |")  # fmt: skip
    with (ROOT / "bench" / "RESULTS.md").open("a", encoding="utf-8") as f:
        f.write("\n".join(rows) + "\n")


def main() -> None:
    global N, E, S, DURATION  # noqa: PLW0603 - the flags override the environment's defaults
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, help="N = scale × 1,000,000 subjects, entries "
                        "and screened codes scaled alike (default: BENCH_SUBJECTS …)")  # fmt: skip
    parser.add_argument("--duration", default=DURATION, help="wrk duration per endpoint")
    parser.add_argument("--reuse", action="store_true", help="keep an earlier run's database")
    parser.add_argument("--no-screening", action="store_true", help="leave out screening")
    opts = parser.parse_args()
    if opts.scale:
        N, E, S = (max(10, round(opts.scale * n)) for n in (1_000_000, 50_000, 1_000_000))
    DURATION = opts.duration
    base = os.environ["XINYONG_BENCH_POSTGRES_URL"]
    binary = wrk.ensure_wrk()
    reused = opts.reuse and _loaded(make_url(base).set(database="xinyong_bench_check")
                                    .render_as_string(hide_password=False))  # fmt: skip
    url = database(base, reuse=opts.reuse)
    codes, listed = existing(url) if reused else load(url)
    key = api_key(url)
    took = None
    with tempfile.TemporaryDirectory() as tmp:
        script = lua(codes, listed, key, Path(tmp))
        baseline, health, check, logged = http_runs(url, binary, script)
        log_size = log_bytes(url)
        if not opts.no_screening:
            took = bench_screening(url, codes, Path(tmp))
    for name, measured in (("baseline (async)", baseline), ("health", health), ("check", check)):
        print(measured.line(name))
    b, h, c = baseline.result, health.result, check.result
    print(f"check: {c.rps / b.rps:.2f} × baseline req/s ({c.rps / h.rps:.2f} × health); CPU per "
          f"request baseline / check {baseline.cpu_us / check.cpu_us:.2f} (health / check "
          f"{health.cpu_us / check.cpu_us:.2f}); p99 ratio {c.p99_ms / b.p99_ms:.1f}; "
          f"logged {logged}/{c.requests}")  # fmt: skip
    print(f"check log: {log_size[0]:.0f} bytes per check (row), {log_size[1]:.0f} bytes per check "
          "(table with indexes and TOAST)")  # fmt: skip
    if os.environ.get("BENCH_RECORD", "1" if N >= 1_000_000 else "0") == "1":
        record(baseline, health, check, logged, log_size, took)


if __name__ == "__main__":
    main()
