"""Report benchmark: a signed ~3-page public report for a subject with 50 records.

(a) p50 / p99 of `reports.issue` in process (gather + render + SM2 signature + store), `--samples`;
(b) over HTTP: reports per second with `--clients` concurrent clients on POST /api/v1/reports
    while a probe measures GET /api/v1/health, against /health's p99 alone.
Each of `--rounds` alternations measures /health alone and under load, `--duration` seconds each,
in the same run (every other round under load first; compare the ratios, which survive a shared
machine — the goal's figure is the ratio of all rounds' samples pooled, the median of the rounds'
ratios is printed beside it), the run-queue wait (schedstat, bench/schedwait.py) per /health of
the probe and of the server workers' event loops and per report of the report processes, their
database backends and the load generator — whose wait the latency is (ADR 0016 addendum 3) —
and the CPU time (per thread, in ns, from
/proc/<pid>/task/<tid>/schedstat) spent per report by the server workers, the report processes,
(PostgreSQL) the database backends and the load generator itself (the report clients: one
keep-alive connection each, answers read into a reused buffer; `--client urllib` for the old
connection-per-report clients) — the figures that predict the quiet result. (a) also counts the
SQL statements of one report.
Reports run in at most `report_slots` report processes at once machine-wide (settings; default
cores − 1, printed; `--slots N` overrides it for the served app). /health is timed from a process
of its own (`--probe thread`: beside the report clients, sharing their GIL, as before stop 22).
The server and the probe each run in a session of their own (`--sessions shared`: in the bench's,
one scheduling group with the load generator under autogroup, as before stop 24); the report
processes start their own (`--report-session shared` to compare); `--backend-nice`,
`--loadgen-nice` set the report processes' backends' and the report clients' niceness. All of
these are printed with the result.
Goals (issue 13): p50 ≤ 150 ms including the signature; /health p99 under report load ≤ 2 × alone.

SQLite in a temporary folder by default; `XINYONG_BENCH_POSTGRES_URL` uses PostgreSQL instead.
`--write` appends the row to bench/RESULTS.md. Small run: `python bench/report.py --samples 10
--duration 5`.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
from sqlalchemy import event, make_url

from xinyong import archive, catalog, providers, reports, signing, subjects
from xinyong.audit import Actor
from xinyong.config import Settings
from xinyong.db import migrate
from xinyong.db.session import make_engine, make_sessionmaker, transaction
from xinyong.db.tables import Record
from xinyong.demo import make_uscc
from xinyong.enums import SubjectKind
from xinyong.reports import slots
from xinyong.reports.issuer import issuer_for
from xinyong.reports.priority import NICE

sys.path.insert(0, str(Path(__file__).parent))
from schedwait import Sched, own_thread, spent, spent_ms, threads, threads_ms
from schedwait import parse as parse_sched

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 11, 23)
SYSTEM = Actor.system("基准测试")


def database(tmp: Path) -> str:
    base = os.environ.get("XINYONG_BENCH_POSTGRES_URL")
    if not base:
        return f"sqlite:///{tmp / 'bench.db'}"
    name = "xinyong_bench_report"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0")
    return make_url(base).set(database=name).render_as_string(hide_password=False)


def seed(settings: Settings, records: int) -> str:
    import random  # noqa: PLC0415

    rng = random.Random(13)
    migrate.upgrade(settings.database_url)
    signing.ensure_key(settings.signing_key_path)
    cat = catalog.load_catalog(settings.catalog_dir)
    engine = make_engine(settings.database_url)
    with transaction(make_sessionmaker(engine)) as session:
        catalog.record_version(session, cat, actor=SYSTEM)
        provider = providers.add(
            session,
            make_uscc(rng, "1", "1"),
            "示范市市场监督管理局",
            kind="market_regulation",
            actor=SYSTEM,
        )
        new = subjects.NewSubject(
            code=make_uscc(rng, "9", "1"),
            name="示范基准测试建材有限公司",
            kind=SubjectKind.ENTERPRISE,
            legal_rep="王五",
        )
        subject = subjects.register(session, new, actor=SYSTEM, today=TODAY)
        for i in range(records):
            decided = TODAY - timedelta(days=20 + 7 * i)
            data = {
                "subject_name": subject.name,
                "subject_category": "法人及非法人组织",
                "subject_uscc": subject.code,
                "decision_number": f"示市监罚〔2026〕{i + 1}号",
                "penalty_kinds": ["罚款"],
                "content": f"罚款人民币{(i + 1) * 1000}元",
                "decision_date": decided.isoformat(),
                "authority_name": provider.name,
                "authority_uscc": provider.uscc,
            }
            session.add(
                Record(
                    subject_id=subject.id,
                    info_class="penalty",
                    natural_key=f"penalty-bench-{i}",
                    version=1,
                    is_current=True,
                    status="active",
                    decision_number=data["decision_number"],
                    decision_date=decided,
                    authority_name=provider.name,
                    authority_uscc=provider.uscc,
                    provider_id=provider.id,
                    catalog_version=cat.version,
                    content_hash=archive.content_hash(data),
                    data=data,
                )
            )
        code = subject.code
    engine.dispose()
    return code


@dataclass
class InProcess:
    times: list[float]
    pages: int
    size: int
    statements: float  # SQL statements per report


def in_process(settings: Settings, code: str, samples: int) -> InProcess:
    cat = catalog.load_catalog(settings.catalog_dir)
    issuer = issuer_for(settings, cat)
    engine = make_engine(settings.database_url)
    statements = [0]
    event.listen(
        engine, "before_cursor_execute", lambda *_a: statements.__setitem__(0, statements[0] + 1)
    )
    factory = make_sessionmaker(engine)
    times, pages, size = [], 0, 0
    for i in range(samples + 1):
        if i == 1:
            statements[0] = 0
        with transaction(factory) as session:
            subject = subjects.get_by_code(session, code)
            start = time.perf_counter()
            issued = reports.issue(
                session,
                subject,
                reports.Request(reports.ReportKind.PUBLIC),
                actor=SYSTEM,
                issuer=issuer,
                catalog=cat,
                today=TODAY,
            )
            times.append((time.perf_counter() - start) * 1000)
            size = len(issued.data)
            pages = issued.data.count(b"/Type /Page\n")
    engine.dispose()  # the first run loads the font: left out
    return InProcess(times[1:], pages, size, statements[0] / max(samples, 1))


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def probe(url: str, stop: threading.Event, out: list[float]) -> None:
    while not stop.is_set():
        start = time.perf_counter()
        with urllib.request.urlopen(url, timeout=30) as r:
            r.read()
        out.append((time.perf_counter() - start) * 1000)
        time.sleep(0.01)


# The /health probe in a process of its own: as a thread beside the 8 report clients it would
# share their GIL, and its timings would include waiting for the bench's own threads.
# It prints its timings and its own schedstat (CPU ns, run-queue wait ns, runs).
PROBE = """
import json, sys, time, urllib.request
url, until, out = sys.argv[1], time.perf_counter() + float(sys.argv[2]), []
while time.perf_counter() < until:
    start = time.perf_counter()
    with urllib.request.urlopen(url, timeout=30) as r:
        r.read()
    out.append((time.perf_counter() - start) * 1000)
    time.sleep(0.01)
print(json.dumps([out, open("/proc/self/schedstat").read()]))
"""
# Where the probe and the server run (`--sessions`): "own" starts each in a session of its own,
# as separate machines' clients and a service are; "shared" keeps them in the bench's session,
# one scheduling group with the load generator under autogroup (as before stop 24).
SESSIONS = {"own": True, "shared": False}
LOADGEN_NICE = 0  # niceness of the report clients' threads (`--loadgen-nice`)


def probe_for(
    url: str, seconds: float, out: list[float], *, own_process: bool, own_session: bool = True
) -> Sched:
    """/health timings for `seconds`, from a process of its own (or a thread of this one); the
    probe process's CPU and run-queue wait (a thread: none)."""
    if own_process:
        done = subprocess.run(
            [sys.executable, "-c", PROBE, url, str(seconds)],
            capture_output=True,
            text=True,
            check=True,
            start_new_session=own_session,
        )
        times, sched = json.loads(done.stdout)
        out += times
        return parse_sched(sched)
    stop = threading.Event()
    t = threading.Thread(target=probe, args=(url, stop, out))
    t.start()
    time.sleep(seconds)
    stop.set()
    t.join()
    return Sched()


def loadgen_thread() -> None:
    """A report client thread's niceness (`--loadgen-nice`: the clients stand for other
    machines; 0 leaves them as they are)."""
    if LOADGEN_NICE:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), LOADGEN_NICE)


def client(
    url: str,
    body: bytes,
    stop: threading.Event | None,
    done: list[float],
    cpu: list[Sched] | None = None,
) -> None:
    """Ask for reports until `stop` is set (once when it is None); a 503 (busy) counts as -1;
    the thread's own CPU and run-queue wait are appended to `cpu`.

    The load generator is not the platform: it runs on the same cores as the server, so it
    costs as little CPU as it can — one keep-alive connection per client, each answer read into
    one reused buffer (no new connection, parser or 55 KB object per report)."""
    loadgen_thread()
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=60)
    headers = {"content-type": "application/json", "content-length": str(len(body))}
    view = memoryview(bytearray(1 << 20))
    while stop is None or not stop.is_set():
        start = time.perf_counter()
        try:
            conn.request("POST", parts.path, body, headers)
            answer = conn.getresponse()
        except (http.client.RemoteDisconnected, ConnectionError):
            conn.close()  # the server closed the idle connection: open a new one
            continue
        while answer.readinto(view):
            pass
        if answer.status == 503:
            done.append(-1.0)
            time.sleep(float(answer.getheader("Retry-After", "1")))
        elif answer.status != 200:
            raise RuntimeError(f"report answered {answer.status}")
        else:
            done.append((time.perf_counter() - start) * 1000)
        if stop is None:
            break
    conn.close()
    if cpu is not None:
        cpu.append(own_thread())


def client_urllib(
    url: str,
    body: bytes,
    stop: threading.Event | None,
    done: list[float],
    cpu: list[Sched] | None = None,
) -> None:
    """The load generator as it was (`--client urllib`): a new connection per report, and
    urllib's machinery — for comparing what the clients themselves cost."""
    loadgen_thread()
    while stop is None or not stop.is_set():
        start = time.perf_counter()
        req = urllib.request.Request(url, data=body, headers={"content-type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                r.read()
            done.append((time.perf_counter() - start) * 1000)
        except urllib.error.HTTPError as exc:
            if exc.code != 503:
                raise
            done.append(-1.0)
            time.sleep(float(exc.headers.get("Retry-After", "1")))
        if stop is None:
            break
    if cpu is not None:
        cpu.append(own_thread())


Ask = Callable[[str, bytes, threading.Event | None, list[float], list[Sched] | None], None]
CLIENTS: dict[str, Ask] = {"keepalive": client, "urllib": client_urllib}


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):
            found += [int(c) for c in (task / "children").read_text().split()]
    return found


@dataclass
class Phase:
    """One alternation: /health alone and under report load (in either order); CPU and run-queue
    wait (schedstat) of the server workers, report processes, database backends, load generator
    and the probe."""

    alone: list[float] = field(default_factory=list)
    loaded: list[float] = field(default_factory=list)
    reports: list[float] = field(default_factory=list)
    busy: int = 0
    seconds: float = 0.0
    server_cpu_alone: float = 0.0
    server_cpu_loaded: float = 0.0
    pool_cpu_loaded: float = 0.0
    db_cpu_loaded: float = 0.0  # PostgreSQL backends (0 on SQLite)
    load_cpu_loaded: float = 0.0  # the load generator itself (its report clients' threads)
    idle_ms_per_s: float = 0.0  # the server workers' own CPU without requests (subtracted)
    # schedstat sums: the probe process, the server workers' event loops (main threads)
    probe_alone: Sched = field(default_factory=Sched)
    probe_loaded: Sched = field(default_factory=Sched)
    loops_alone: Sched = field(default_factory=Sched)
    loops_loaded: Sched = field(default_factory=Sched)
    pool_loaded: Sched = field(default_factory=Sched)  # the report processes
    db_loaded: Sched = field(default_factory=Sched)  # their PostgreSQL backends
    load_loaded: Sched = field(default_factory=Sched)  # the report clients' threads

    @property
    def ratio(self) -> float:
        return pct(self.loaded, 0.99) / max(pct(self.alone, 0.99), 0.001)

    def server_ms_per_report(self) -> float:
        """Server-worker CPU per report: the loaded phase's, less what its /health probes cost."""
        per_health = self.server_cpu_alone / max(len(self.alone), 1)
        spent = self.server_cpu_loaded - per_health * len(self.loaded)
        return spent / max(len(self.reports), 1)

    def waits(self) -> str:
        """Run-queue wait per /health request (probe, event loops) alone → under load, and per
        report (report processes, backends, load generator)."""
        n_alone, n_loaded, n = max(len(self.alone), 1), max(len(self.loaded), 1), self.reports
        per = max(len(n), 1)
        return (
            f"run-queue wait per /health: probe {self.probe_alone.wait / n_alone:.2f} → "
            f"{self.probe_loaded.wait / n_loaded:.2f} ms, event loops "
            f"{self.loops_alone.wait / n_alone:.2f} → {self.loops_loaded.wait / n_loaded:.2f} ms"
            f" (per run {self.loops_alone.wait_per_run:.3f} → "
            f"{self.loops_loaded.wait_per_run:.3f} ms); the probe's own CPU per /health "
            f"{self.probe_alone.cpu / n_alone:.2f} → {self.probe_loaded.cpu / n_loaded:.2f} ms; "
            f"per report: report processes "
            f"{self.pool_loaded.wait / per:.2f}, database {self.db_loaded.wait / per:.2f}, "
            f"load generator {self.load_loaded.wait / per:.2f} ms"
        )


def backends(url: str | None) -> list[int]:
    """The PostgreSQL backends connected to the bench database (none on SQLite)."""
    if url is None:
        return []
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
    return [pid for (pid,) in rows]


@dataclass(frozen=True)
class Setup:
    """How the rounds run: the server's address, the probe's place, the report clients."""

    base: str
    body: bytes
    clients: int
    pids: Callable[[], tuple[list[int], list[int]]]
    db: str | None
    own_process: bool = True
    own_session: bool = True
    ask: Ask = client


def alone_part(setup: Setup, duration: float, phase: Phase) -> None:
    """/health alone for `duration` seconds."""
    workers, _pool = setup.pids()
    before, loops = threads_ms(workers), threads(workers, main_only=True)
    phase.probe_alone = probe_for(
        setup.base + "/api/v1/health", duration, phase.alone,
        own_process=setup.own_process, own_session=setup.own_session,
    )  # fmt: skip
    phase.server_cpu_alone = spent_ms(before, threads_ms(workers))
    phase.loops_alone = spent(loops, threads(workers, main_only=True))


def loaded_part(setup: Setup, duration: float, phase: Phase, *, probe: bool = True) -> None:
    """Report load for `duration` seconds, with /health timed meanwhile (unless not `probe`)."""
    workers, pool = setup.pids()
    done: list[float] = []
    used: list[Sched] = []  # CPU and wait of each report client (its own thread's)
    stop = threading.Event()
    clients = [
        threading.Thread(
            target=setup.ask, args=(setup.base + "/api/v1/reports", setup.body, stop, done, used)
        )
        for _ in range(setup.clients)
    ]
    before, before_pool = threads(workers), threads(pool)
    loops, before_db = threads(workers, main_only=True), threads(backends(setup.db))
    start = time.perf_counter()
    for w in clients:
        w.start()
    if probe:
        phase.probe_loaded = probe_for(
            setup.base + "/api/v1/health", duration, phase.loaded,
            own_process=setup.own_process, own_session=setup.own_session,
        )  # fmt: skip
    else:
        time.sleep(duration)
    stop.set()
    for w in clients:
        w.join()
    phase.seconds = time.perf_counter() - start
    phase.load_loaded = sum(used, Sched())
    phase.load_cpu_loaded = phase.load_loaded.cpu
    phase.server_cpu_loaded = spent(before, threads(workers)).cpu
    phase.loops_loaded = spent(loops, threads(workers, main_only=True))
    phase.pool_loaded = spent(before_pool, threads(pool))
    phase.pool_cpu_loaded = phase.pool_loaded.cpu
    phase.db_loaded = spent(before_db, threads(backends(setup.db)))
    phase.db_cpu_loaded = phase.db_loaded.cpu
    phase.reports = [d for d in done if d >= 0]
    phase.busy = len(done) - len(phase.reports)


def one_phase(setup: Setup, duration: float, *, loaded_first: bool = False) -> Phase:
    """/health alone and under report load, `duration` seconds each, in the order asked (the
    rounds alternate it, so neither side always follows the other)."""
    phase = Phase()
    if loaded_first:
        loaded_part(setup, duration, phase)
        alone_part(setup, duration, phase)
    else:
        alone_part(setup, duration, phase)
        loaded_part(setup, duration, phase)
    return phase


def over_http(
    env: dict[str, str],
    code: str,
    port: int,
    clients: int,
    duration: float,
    rounds: int,
    *,
    own_process: bool = True,
    own_session: bool = True,
    ask: Ask = client,
) -> tuple[list[Phase], Phase]:
    """The rounds (alternating which part comes first), and a last phase of report load without
    the probe."""
    server = subprocess.Popen(
        [sys.executable, "-m", "xinyong", "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
        start_new_session=own_session,  # a service of its own, not in the bench's session
    )
    base = f"http://127.0.0.1:{port}"

    def pids() -> tuple[list[int], list[int]]:  # the server workers, their render processes
        workers = children(server.pid)
        return workers, [c for w in workers for c in children(w)]

    try:
        for _ in range(600):  # start-up takes long on a busy machine
            try:
                urllib.request.urlopen(base + "/api/v1/health", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        body = json.dumps({"code": code, "kind": "public"}).encode()
        warm = [  # the first report of each server process starts its report pool
            threading.Thread(target=ask, args=(base + "/api/v1/reports", body, None, []))
            for _ in range(4)
        ]
        for w in warm:
            w.start()
        for w in warm:
            w.join()
        db = env["XINYONG_DATABASE_URL"]
        db_url = db if db.startswith("postgresql") else None
        workers, _pool = pids()
        before, idle = threads_ms(workers), 3.0
        time.sleep(idle)  # no requests: what the server workers spend on their own
        idle_ms_per_s = spent_ms(before, threads_ms(workers)) / idle
        setup = Setup(base, body, clients, pids, db_url, own_process, own_session, ask)
        rounds_run = [one_phase(setup, duration, loaded_first=i % 2 == 1) for i in range(rounds)]
        alone = Phase()
        loaded_part(setup, duration / 2, alone, probe=False)
        alone.server_cpu_loaded -= idle_ms_per_s * alone.seconds
        alone.idle_ms_per_s = idle_ms_per_s
        return rounds_run, alone
    finally:
        server.terminate()
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()  # its report processes leave when their pipes close
            server.wait()


def summary(phases: list[Phase]) -> dict[str, float]:
    reports = [r for p in phases for r in p.reports]
    alone = [h for p in phases for h in p.alone]
    loaded = [h for p in phases for h in p.loaded]
    return {
        "reports_per_s": len(reports) / sum(p.seconds for p in phases),
        "report_p50": pct(reports, 0.5),
        "report_p99": pct(reports, 0.99),
        "busy": sum(p.busy for p in phases),
        "health_alone_p99": pct(alone, 0.99),
        "health_loaded_p99": pct(loaded, 0.99),
        "ratio": pct(loaded, 0.99) / max(pct(alone, 0.99), 0.001),
        "median_round_ratio": statistics.median(p.ratio for p in phases),
        "server_ms_per_report": statistics.median(p.server_ms_per_report() for p in phases),
        "pool_ms_per_report": statistics.median(
            p.pool_cpu_loaded / max(len(p.reports), 1) for p in phases
        ),
        "db_ms_per_report": statistics.median(
            p.db_cpu_loaded / max(len(p.reports), 1) for p in phases
        ),
        "load_ms_per_report": statistics.median(
            p.load_cpu_loaded / max(len(p.reports), 1) for p in phases
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=50)
    parser.add_argument("--samples", type=int, default=50)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--duration", type=float, default=15.0, help="seconds of load per round")
    parser.add_argument("--rounds", type=int, default=3, help="alternations alone / under load")
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "8114")))
    parser.add_argument(
        "--slots",
        type=int,
        default=None,
        help="report_slots served (default cores − 1)",
    )
    parser.add_argument(
        "--probe",
        choices=["process", "thread"],
        default="process",
        help="where /health is timed: a process of its own, or a thread beside the clients",
    )
    parser.add_argument(
        "--client",
        choices=list(CLIENTS),
        default="keepalive",
        help="the report clients: keep-alive connections reading into a reused buffer, or "
        "urllib with a connection per report (the load generator as it was, for comparison)",
    )
    parser.add_argument(
        "--sessions",
        choices=list(SESSIONS),
        default="own",
        help="own: the server and the probe each in a session (scheduling group) of their own, "
        "as a service and another machine's client are; shared: all in the bench's session",
    )
    parser.add_argument(
        "--loadgen-nice",
        type=int,
        default=0,
        help="niceness of the report clients' threads (they stand for other machines' clients)",
    )
    parser.add_argument(
        "--report-session",
        choices=["own", "shared"],
        default="own",
        help="report processes in a session of their own (settings report_own_session)",
    )
    parser.add_argument(
        "--backend-nice",
        type=int,
        default=None,
        help="niceness of the report processes' PostgreSQL backends (settings "
        "report_backend_nice, default 19; 0: left alone)",
    )
    parser.add_argument("--write", action="store_true", help="append the row to RESULTS.md")
    args = parser.parse_args()
    global LOADGEN_NICE  # noqa: PLW0603 — read by each report client thread
    LOADGEN_NICE = args.loadgen_nice
    backend_nice = (
        args.backend_nice
        if args.backend_nice is not None
        else Settings.model_fields["report_backend_nice"].default
    )
    report_slots = args.slots if args.slots is not None else slots.default_count()
    with tempfile.TemporaryDirectory() as tmp:
        var = Path(tmp)
        url = database(var)
        settings = Settings(
            database_url=url, data_dir=var, today=TODAY, catalog_dir=ROOT / "catalogs"
        )
        code = seed(settings, args.records)
        made = in_process(settings, code, args.samples)
        pages = made.pages
        p50, p99 = statistics.median(made.times), pct(made.times, 0.99)
        print(
            f"in process: {args.samples} reports, {pages} pages, {made.size / 1024:.0f} KB, "
            f"{made.statements:.0f} SQL statements each: "
            f"p50 {p50:.1f} ms, p99 {p99:.1f} ms (goal p50 ≤ 150 ms)"
        )
        env = {
            **os.environ,
            "XINYONG_DATABASE_URL": url,
            "XINYONG_DATA_DIR": str(var),
            "XINYONG_TODAY": TODAY.isoformat(),
            "XINYONG_REPORT_SLOTS": str(report_slots),
            "XINYONG_REPORT_OWN_SESSION": str(args.report_session == "own").lower(),
            "XINYONG_REPORT_BACKEND_NICE": str(backend_nice),
        }
        phases, unprobed = over_http(
            env, code, args.port, args.clients, args.duration, args.rounds,
            own_process=args.probe == "process", own_session=SESSIONS[args.sessions],
            ask=CLIENTS[args.client],
        )  # fmt: skip
    for i, ph in enumerate(phases, 1):
        print(
            f"  round {i}: /health p99 {pct(ph.alone, 0.99):.1f} ms alone, "
            f"{pct(ph.loaded, 0.99):.1f} ms loaded = {ph.ratio:.2f} ×; "
            f"{len(ph.reports) / ph.seconds:.1f} reports/s, {ph.busy} busy (503); "
            f"CPU ms/report: server {ph.server_ms_per_report():.1f}, "
            f"report processes {ph.pool_cpu_loaded / max(len(ph.reports), 1):.1f}, "
            f"database {ph.db_cpu_loaded / max(len(ph.reports), 1):.1f}, "
            f"load generator {ph.load_cpu_loaded / max(len(ph.reports), 1):.2f}"
            + ("" if i % 2 else " (under load first)")
        )
        print(f"    {ph.waits()}")
    print(
        f"  reports only (no /health probe, {unprobed.seconds:.0f} s): "
        f"{len(unprobed.reports) / unprobed.seconds:.1f} reports/s; CPU ms/report: "
        f"server {unprobed.server_ms_per_report():.2f} (less their idle "
        f"{unprobed.idle_ms_per_s:.1f} ms/s), "
        f"load generator {unprobed.load_cpu_loaded / max(len(unprobed.reports), 1):.2f}"
    )
    http = summary(phases)
    print(
        f"HTTP, {args.clients} clients, {args.rounds} × {args.duration:.0f} s, "
        f"{report_slots} report slot(s) on {os.cpu_count()} cores, probe in a {args.probe}, "
        f"{args.client} clients; sessions: server and probe {args.sessions}, report processes "
        f"{args.report_session}; niceness: report processes {NICE}, their database backends "
        f"{backend_nice or 'left'}, load generator {args.loadgen_nice}: "
        f"{http['reports_per_s']:.1f} reports/s (p50 {http['report_p50']:.0f} ms, "
        f"p99 {http['report_p99']:.0f} ms, {http['busy']:.0f} answered 503); "
        f"/health p99 {http['health_alone_p99']:.1f} ms alone, "
        f"{http['health_loaded_p99']:.1f} ms under load = {http['ratio']:.2f} × "
        f"(the goal's figure, all rounds' samples pooled; median of rounds "
        f"{http['median_round_ratio']:.2f} ×; goal ≤ 2 ×); "
        f"CPU per report: server workers {http['server_ms_per_report']:.1f} ms, "
        f"report processes {http['pool_ms_per_report']:.1f} ms, "
        f"database backends {http['db_ms_per_report']:.1f} ms"
        + ("" if url.startswith("postgresql") else " (SQLite: in the report processes)")
        + f"; load generator (the report clients) {http['load_ms_per_report']:.2f} ms"
    )
    if args.write:
        kind = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
        row = (
            f"| {datetime.now(UTC).date()} | (describe the machine) | bench/report.py {kind}, "
            f"{args.records} records, {pages} pages, {args.samples} samples, "
            f"{args.clients} clients {args.rounds} × {args.duration:.0f} s | p50 {p50:.1f} / "
            f"p99 {p99:.1f} ms in process, {made.statements:.0f} statements; "
            f"{report_slots} slot(s); {http['reports_per_s']:.1f} reports/s; CPU ms/report: "
            f"server {http['server_ms_per_report']:.1f}, report processes "
            f"{http['pool_ms_per_report']:.1f}, database {http['db_ms_per_report']:.1f}, "
            f"load generator {http['load_ms_per_report']:.2f} ({args.client})"
            f" | /health p99 alone "
            f"{http['health_alone_p99']:.1f} ms, under load {http['health_loaded_p99']:.1f} ms"
            f" | {http['ratio']:.2f} × | p50 ≤ 150 ms; ≤ 2 × |\n"
        )
        with (ROOT / "bench" / "RESULTS.md").open("a", encoding="utf-8") as fh:
            fh.write(row)


if __name__ == "__main__":
    main()
