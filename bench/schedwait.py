"""Per-thread CPU and run-queue wait from /proc/<pid>/task/<tid>/schedstat (bench/report.py).

schedstat holds three numbers per thread: nanoseconds on a CPU, nanoseconds waiting on a run
queue (runnable, but another task had the CPU), and the number of times it ran. The wait is what
a request loses to other work on the machine — the figure that says whose wait a latency is.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Sched:
    """CPU (ms), run-queue wait (ms) and runs of one thread or a sum of threads."""

    cpu: float = 0.0
    wait: float = 0.0
    runs: int = 0

    def __add__(self, other: Sched) -> Sched:
        return Sched(self.cpu + other.cpu, self.wait + other.wait, self.runs + other.runs)

    def __sub__(self, other: Sched) -> Sched:
        return Sched(self.cpu - other.cpu, self.wait - other.wait, self.runs - other.runs)

    @property
    def wait_per_run(self) -> float:
        """Mean run-queue wait (ms) each time the thread became runnable and ran."""
        return self.wait / max(self.runs, 1)


def parse(text: str) -> Sched:
    run, wait, runs = text.split()[:3]
    return Sched(int(run) / 1e6, int(wait) / 1e6, int(runs))


def own_thread() -> Sched:
    """The calling thread's figures (Linux: /proc/thread-self)."""
    with contextlib.suppress(OSError, ValueError):
        return parse(Path("/proc/thread-self/schedstat").read_text())
    return Sched()


def threads(pids: list[int], *, main_only: bool = False) -> dict[int, Sched]:
    """Every thread of the processes `pids` by thread id (only each main thread: `main_only`).
    At ~1 ms per report the 10 ms ticks of /proc/<pid>/stat say little; schedstat is in ns."""
    found: dict[int, Sched] = {}
    for pid in pids:
        with contextlib.suppress(OSError):
            for task in Path(f"/proc/{pid}/task").iterdir():
                if main_only and task.name != str(pid):
                    continue
                with contextlib.suppress(OSError, ValueError, IndexError):
                    found[int(task.name)] = parse((task / "schedstat").read_text())
    return found


def spent(before: dict[int, Sched], after: dict[int, Sched]) -> Sched:
    """What the threads spent between two readings (a new thread: all of it; one that ended in
    between — an idle pool thread — only loses what it spent after the first reading)."""
    total = Sched()
    for tid, now in after.items():
        total = total + (now - before.get(tid, Sched()))
    return total


def threads_ms(pids: list[int]) -> dict[int, float]:
    """CPU (ms) of every thread of the processes `pids`, by thread id."""
    return {tid: s.cpu for tid, s in threads(pids).items()}


def spent_ms(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU the threads spent between two readings (see `spent`)."""
    return sum(ms - before.get(tid, 0.0) for tid, ms in after.items())
