"""The cost of a background run's heartbeat (xinyong/runs/runner.py, ADR 0017 addendum).

(a) CPU per heartbeat: `Pulse.flush` — on SQLite the beat beside the database file, then the
    row's UPDATE and its commit; on PostgreSQL the row only — repeated `--scale` times on a run
    row, `time.process_time()` of this process (the runner's own CPU; a PostgreSQL server's CPU
    for the UPDATE is read from /proc when it runs here, bench/procstats.py).
(b) Writes per minute: the pulse thread (`runner._beating`) run for `--seconds` seconds, once
    idle (no progress: a beat every HEARTBEAT_SECONDS) and once with progress reported every
    0.1 s (a beat within a second of new progress: the bound), counting the beats written;
    each beat is one row UPDATE (+ one file replace on SQLite).

Usage: `.venv/bin/python bench/run_heartbeat.py [--scale 2000] [--seconds 30]`; PostgreSQL too
when `XINYONG_BENCH_POSTGRES_URL` is set (`make bench` sets it).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import delete

from bench.procstats import postgres_cpu
from xinyong import clock
from xinyong.db import migrate
from xinyong.db.session import is_postgres, make_sessionmaker
from xinyong.db.tables import JobRun
from xinyong.enums import RunStatus
from xinyong.runs import beats, runner


def _run_row(factory: object) -> int:
    with factory() as session:  # type: ignore[operator]
        now = clock.now()
        run = JobRun(job="deadlines", params={"bench": time.time_ns()}, started_by="bench",
                     actor={}, status=RunStatus.RUNNING.value, runner="bench", queued_at=now,
                     started_at=now, heartbeat_at=now)  # fmt: skip
        session.add(run)
        session.commit()
        return run.id


def cpu_per_beat(url: str, scale: int) -> dict[str, float]:
    engine = runner.engine_for(url)
    factory = make_sessionmaker(engine)
    run_id = _run_row(factory)
    pulse = runner.Pulse(run_id, "bench", beats.folder_of(engine))
    pg = is_postgres(engine)
    try:
        with factory() as session:
            pulse.report(0, scale, "bench")
            pulse.flush(session, clock.now())  # warm: the statement cache, the folder
            server = postgres_cpu(url) if pg else 0.0
            cpu, wall = time.process_time(), time.perf_counter()
            for i in range(scale):
                pulse.report(i, scale, f"第 {i} 步")
                pulse.flush(session, clock.now())
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            server = (postgres_cpu(url) - server) if pg else 0.0
    finally:
        with factory() as session:
            session.execute(delete(JobRun).where(JobRun.id == run_id))
            session.commit()
        beats.remove(beats.folder_of(engine), run_id)
        engine.dispose()
    return {"cpu_ms": 1000 * cpu / scale, "wall_ms": 1000 * wall / scale,
            "server_cpu_ms": 1000 * server / scale}  # fmt: skip


def beats_per_minute(url: str, seconds: float, *, progress: bool) -> float:
    engine = runner.engine_for(url)
    factory = make_sessionmaker(engine)
    run_id = _run_row(factory)
    pulse = runner.Pulse(run_id, "bench", beats.folder_of(engine))
    written = [0]
    flush = pulse.flush

    def counted(session: object, now: object) -> None:
        flush(session, now)  # type: ignore[arg-type]
        written[0] += 1

    pulse.flush = counted  # type: ignore[method-assign]
    stop = threading.Event()
    thread = threading.Thread(target=runner._beating, args=(pulse, factory, clock.now, stop))
    thread.start()
    ends = time.monotonic() + seconds
    i = 0
    while time.monotonic() < ends:
        if progress:
            i += 1
            pulse.report(i, None, f"第 {i} 步")
        time.sleep(0.1)
    stop.set()
    thread.join()
    with factory() as session:
        session.execute(delete(JobRun).where(JobRun.id == run_id))
        session.commit()
    beats.remove(beats.folder_of(engine), run_id)
    engine.dispose()
    return 60 * written[0] / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=int, default=2000, help="heartbeats timed in (a)")
    parser.add_argument("--seconds", type=float, default=30, help="pulse thread run time in (b)")
    args = parser.parse_args()
    urls = []
    with tempfile.TemporaryDirectory() as tmp:
        sqlite = f"sqlite:///{Path(tmp) / 'bench.db'}"
        migrate.upgrade(sqlite)
        urls.append(("SQLite", sqlite))
        if os.environ.get("XINYONG_BENCH_POSTGRES_URL"):
            pg = os.environ["XINYONG_BENCH_POSTGRES_URL"]
            migrate.upgrade(pg)
            urls.append(("PostgreSQL", pg))
        print("| database | CPU / beat (runner) | server CPU / beat | wall / beat "
              "| beats / min idle | beats / min with progress |")  # fmt: skip
        print("|---|---|---|---|---|---|")
        for name, url in urls:
            cost = cpu_per_beat(url, args.scale)
            idle = beats_per_minute(url, args.seconds, progress=False)
            busy = beats_per_minute(url, args.seconds, progress=True)
            server = f"{cost['server_cpu_ms']:.3f} ms" if name == "PostgreSQL" else "—"
            print(f"| {name} | {cost['cpu_ms']:.3f} ms | {server} | {cost['wall_ms']:.3f} ms "
                  f"| {idle:.1f} | {busy:.1f} |")  # fmt: skip
    print(
        f"\nHEARTBEAT_SECONDS = {runner.store.HEARTBEAT_SECONDS:g}; each beat writes one row "
        "(UPDATE + commit) and, on SQLite, one file replace beside the database."
    )


if __name__ == "__main__":
    main()
