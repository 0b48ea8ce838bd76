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
`--loadgen-nice` set the report processes' backends' and the report clients' niceness;
`--confine-cores off` lets the kernel place report processes and their backends on any core
(settings report_confine_cores; on by default since stop 25). All of these are printed with the
result, and the cores each kind of process may run on before the rounds.
Goals (issue 13): p50 ≤ 150 ms including the signature; /health p99 under report load ≤ 2 × alone.
A round's ratio moves 1.15–2.48 × with the same code in one quiet window, so the default three
rounds are a quick look; `--rounds 10` (300 s of samples a side) measures the goal's figure
(docs/decisions/0016 addendum 6).

SQLite in a temporary folder by default; `XINYONG_BENCH_POSTGRES_URL` uses PostgreSQL instead.
`--write` appends the row to bench/RESULTS.md. Small run: `python bench/report.py --samples 10
--duration 5`.
"""

from __future__ import annotations

import argparse
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
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

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
import report_load
from report_load import (
    CLIENTS,
    SESSIONS,
    Ask,
    Phase,
    Setup,
    backends,
    children,
    client,
    loaded_part,
    one_phase,
    pct,
)
from schedwait import spent_ms, threads_ms

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
        workers, pool = pids()
        print(  # where the kernel may run them (settings report_confine_cores)
            f"cores: server workers {cores_of(workers)}, report processes {cores_of(pool)}, "
            f"their database backends {cores_of(backends(db_url)) if db_url else '-'}"
        )
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


def cores_of(pids: list[int]) -> str:
    """The cores each process may run on (its main thread's), as `taskset -c` lists them."""
    seen = set()
    for pid in pids:
        try:
            seen.add(",".join(map(str, sorted(os.sched_getaffinity(pid)))))
        except OSError:
            continue
    return " / ".join(sorted(seen)) or "-"


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
    parser.add_argument(
        "--confine-cores",
        choices=["on", "off"],
        default="on",
        help="report processes and their backends on the report cores only (settings "
        "report_confine_cores; off: anywhere, as before stop 25)",
    )
    parser.add_argument("--write", action="store_true", help="append the row to RESULTS.md")
    args = parser.parse_args()
    report_load.LOADGEN_NICE = args.loadgen_nice  # read by each report client thread
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
            "XINYONG_REPORT_CONFINE_CORES": str(args.confine_cores == "on").lower(),
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
        f"{backend_nice or 'left'}, load generator {args.loadgen_nice}; report cores "
        f"{'confined' if args.confine_cores == 'on' else 'anywhere'}: "
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
            f"{report_slots} slot(s), report cores {args.confine_cores}; "
            f"{http['reports_per_s']:.1f} reports/s; CPU ms/report: "
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
