"""CPU seconds of `xinyong evaluate` by phase, client and PostgreSQL apart (issue 12).

Wall time means little on a shared machine; CPU seconds per phase compare before/after in the
same conditions. Runs `engine.run_embedded` in this process on a database `bench/evaluate.py`
loaded (`XINYONG_BENCH_POSTGRES_URL` → its `xinyong_bench_evaluate`), with a timer around each
phase: this process's CPU (`time.process_time`: every thread, Polars' too) and the CPU of every
process of the PostgreSQL cluster (`/proc/<pid>/stat` of the postmaster's children: the run's
backends and any parallel workers), then rolls back (the same data for the next run).

Usage: `python bench/evaluate_phases.py [--runs 2]` after `bench/evaluate.py --scale 0.1`.
"""

from __future__ import annotations

import argparse
import functools
import os
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

from procstats import cpu_seconds
from sqlalchemy import make_url, text

from xinyong import catalog
from xinyong.audit import Actor
from xinyong.db.session import make_engine, make_sessionmaker
from xinyong.evaluation import engine, fact_table, plan
from xinyong.evaluation import facts as facts_mod
from xinyong.evaluation.service import models_for

ROOT = Path(__file__).resolve().parent.parent


def _postmaster(session: Any) -> int:
    backend = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
    fields = Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[1])  # the backend's parent


def _server_cpu(postmaster: int, database: str, seen: dict[int, float]) -> float:
    """CPU of the server processes that work for the run: the backends of `database` and
    parallel workers (autovacuum and the checkpointer are left out: they clean up after earlier
    runs). `seen` keeps each process's last figure, so that one that ended still counts."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) != postmaster:
                continue
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if f" {database} " in command or "parallel worker" in command:
            seen[int(entry.name)] = cpu_seconds(int(entry.name))
    return sum(seen.values())


class Phases:
    """Client and server CPU seconds accumulated per phase name (nested phases excluded)."""

    def __init__(self, postmaster: int, database: str) -> None:
        self.postmaster, self.database, self.seen = postmaster, database, dict[int, float]()
        self.client: dict[str, float] = defaultdict(float)
        self.server: dict[str, float] = defaultdict(float)
        self.wall: dict[str, float] = defaultdict(float)
        self.stack: list[str] = []
        self.mark = self._now()

    def _now(self) -> tuple[float, float, float]:
        server = _server_cpu(self.postmaster, self.database, self.seen)
        return time.process_time(), server, time.perf_counter()

    def _charge(self) -> None:
        now = self._now()
        name = self.stack[-1] if self.stack else "other"
        self.client[name] += now[0] - self.mark[0]
        self.server[name] += now[1] - self.mark[1]
        self.wall[name] += now[2] - self.mark[2]
        self.mark = now

    def enter(self, name: str) -> None:
        self._charge()
        self.stack.append(name)

    def leave(self) -> None:
        self._charge()
        self.stack.pop()

    def wrap(self, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def timed(*args: Any, **kwargs: Any) -> Any:
            self.enter(name)
            try:
                return fn(*args, **kwargs)
            finally:
                self.leave()

        return timed

    def wrap_iter(self, name: str, fn: Callable[..., Iterator[Any]]) -> Callable[..., Any]:
        """A generator: each step to its next item is charged to `name`."""

        @functools.wraps(fn)
        def timed(*args: Any, **kwargs: Any) -> Iterator[Any]:
            it = fn(*args, **kwargs)
            while True:
                self.enter(name)
                try:
                    item = next(it)
                except StopIteration:
                    return
                finally:
                    self.leave()
                yield item

        return timed


PHASES = [  # (module, attribute, phase name, generator?)
    (engine, "graded_subjects", "subjects", False),
    (fact_table, "record_batches", "read (COPY, frames)", True),
    (fact_table, "record_rows", "record rows + windows", False),
    (plan, "record_partial", "tallies + hashes (record_partial)", False),
    (plan, "partial", "tallies + hashes (partial)", False),
    (plan, "combine", "combine", False),
    (facts_mod, "all_hits", "list entries, workflows", False),
    (fact_table, "other_facts", "list entries, workflows", False),
    (plan, "score_shared" if hasattr(plan, "score_shared") else "score_totals", "scoring", False),
    (engine, "write_results", "storing (COPY)", False),
]


def run_once(url: str) -> tuple[Phases, float, int]:
    cat = catalog.load_catalog(ROOT / "catalogs")
    loaded = models_for(cat).models["enterprise"]
    factory = make_sessionmaker(make_engine(url))
    session = factory()
    try:
        phases = Phases(_postmaster(session), make_url(url).database or "")
        saved = [(m, a, getattr(m, a)) for m, a, _n, _g in PHASES]
        for module, attr, name, gen in PHASES:
            fn = getattr(module, attr)
            setattr(module, attr, (phases.wrap_iter if gen else phases.wrap)(name, fn))
        try:
            started = time.perf_counter()
            summary = engine.run_embedded(
                session, loaded, catalog=cat, as_of=_today(), actor=Actor.system("bench")
            )
            phases.enter("end")
            phases.leave()
            return phases, time.perf_counter() - started, summary.subjects
        finally:
            for module, attr, fn in saved:
                setattr(module, attr, fn)
    finally:
        session.rollback()
        session.close()


def _today() -> date:
    return date(2026, 12, 1)  # bench/evaluate.py's TODAY


def report(phases: Phases, wall: float, subjects: int) -> None:
    """The phases' CPU seconds (client: every thread of this process; server: the run's
    PostgreSQL backends) and wall seconds (on a quiet machine: which phase the run waits on)."""
    names = list(dict.fromkeys([n for *_x, n, _g in PHASES] + list(phases.client)))
    print(f"{subjects:,} subjects, wall {wall:.1f} s (shared machine: compare CPU)")
    print(f"{'phase':34} {'client':>8} {'server':>8} {'wall':>8}")
    for name in names:
        if name in phases.client:
            c, s, w = phases.client[name], phases.server[name], phases.wall[name]
            print(f"{name:34} {c:8.2f} {s:8.2f} {w:8.2f}")
    c, s = sum(phases.client.values()), sum(phases.server.values())
    print(f"{'in all':34} {c:8.2f} {s:8.2f} {wall:8.2f}   = {c + s:.2f} CPU s")


def bench_url(base: str) -> str:
    """The database `bench/evaluate.py` loads, on the server of `base`."""
    return make_url(base).set(database="xinyong_bench_evaluate").render_as_string(False)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=1)
    options = parser.parse_args()
    url = bench_url(os.environ["XINYONG_BENCH_POSTGRES_URL"])
    for _ in range(options.runs):
        report(*run_once(url))


if __name__ == "__main__":
    main()
