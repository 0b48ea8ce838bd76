"""The HTTP side of bench/report.py: the /health probe, the report clients (the load generator),
and one round — /health alone and under report load — with the CPU and run-queue wait of every
thread involved (bench/schedwait.py; ADR 0016 addenda 2 and 3)."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
from sqlalchemy import make_url

sys.path.insert(0, str(Path(__file__).parent))
from schedwait import Sched, own_thread, spent, spent_ms, threads, threads_ms
from schedwait import parse as parse_sched


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
