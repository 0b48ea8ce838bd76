"""Phase timers of one import, per thread: wall and CPU seconds of each phase.

The pipeline (batches.py on the calling thread, writer.py's thread) times what it does —
validate, link, probe, hand over (waiting for room in the writer's queue), and in the writer
idle (waiting for a chunk), records, batch rows, commit — so that a run shows how far end to end
is from storing alone and why. CPU is the thread's own (`time.thread_time`), so the two threads'
figures add up to the process's Python work; PostgreSQL's CPU for each thread's connection is its
phase "server" (read from /proc when the server runs on the same machine, as in the benchmark),
split by phase as "server: <phase>"; Polars' own threads (where expressions, CSV reading and
writing run) are the thread "pool".

Cheap enough to be always on (two clock reads per phase per chunk). `xinyong collect` writes them
as JSON to the file named by `XINYONG_COLLECT_PHASES` when it is set (bench/collect.py).
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ENV = "XINYONG_COLLECT_PHASES"


class Phases:
    """Seconds per (thread, phase): {"wall": …, "cpu": …}; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.table: dict[str, dict[str, dict[str, float]]] = {}
        self.started = time.perf_counter()
        self._backend = threading.local()  # this thread's PostgreSQL backend (server())

    @contextmanager
    def time(self, phase: str) -> Iterator[None]:
        pid = getattr(self._backend, "pid", None)
        server = backend_cpu(pid) if pid else None
        wall, cpu = time.perf_counter(), time.thread_time()
        try:
            yield
        finally:
            self.add(phase, time.perf_counter() - wall, time.thread_time() - cpu)
            after = backend_cpu(pid) if pid else None
            if server is not None and after is not None:  # the backend's share of the phase
                self.add(f"server: {phase}", 0.0, after - server)

    def add(self, phase: str, wall: float, cpu: float) -> None:
        thread = "writer" if threading.current_thread().name == WRITER_THREAD else "main"
        with self._lock:
            slot = self.table.setdefault(thread, {}).setdefault(phase, {"wall": 0.0, "cpu": 0.0})
            slot["wall"] += wall
            slot["cpu"] += cpu

    @contextmanager
    def server(self, raw: Any) -> Iterator[None]:
        """The CPU the PostgreSQL backend of `raw` (a psycopg connection) spends meanwhile, as
        the phase "server" of this thread — when the server runs on this machine (/proc)."""
        pid = getattr(getattr(raw, "info", None), "backend_pid", None)
        before = backend_cpu(pid) if pid else None
        self._backend.pid = pid
        try:
            yield
        finally:
            self._backend.pid = None
            after = backend_cpu(pid) if pid else None
            if before is not None and after is not None:
                self.add("server", 0.0, after - before)

    @contextmanager
    def pool(self) -> Iterator[None]:
        """The CPU of Polars' own threads meanwhile (the pipeline's expressions and CSV writing run
        there, not on the calling thread), as the phase "polars threads" of the thread "pool"."""
        before = pool_cpu()
        try:
            yield
        finally:
            with self._lock:
                slot = self.table.setdefault("pool", {}).setdefault(
                    "polars threads", {"wall": 0.0, "cpu": 0.0}
                )
                slot["cpu"] += pool_cpu() - before

    def as_dict(self) -> dict[str, object]:
        with self._lock:
            return {
                "wall": time.perf_counter() - self.started,
                "threads": {t: {p: dict(s) for p, s in ps.items()} for t, ps in self.table.items()},
            }

    def write_if_asked(self) -> None:
        """Write the figures to `$XINYONG_COLLECT_PHASES` (nothing when it is not set)."""
        if target := os.environ.get(ENV):
            Path(target).write_text(json.dumps(self.as_dict(), indent=1), encoding="utf-8")


WRITER_THREAD = "collection-writer"


def pool_cpu() -> float:
    """utime + stime of this process's Polars threads so far (seconds; 0 without /proc)."""
    total = 0
    for task in Path("/proc/self/task").glob("*"):
        try:
            if not (task / "comm").read_text().startswith("polars"):
                continue
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def backend_cpu(pid: int) -> float | None:
    """utime + stime of a local process (seconds), None when it is not on this machine."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
