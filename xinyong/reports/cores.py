"""Which cores report work runs on: the last `report_slots` of the machine's usable cores
(docs/decisions/0016, addendum 5).

The slots (reports/slots.py) already admit at most cores − 1 reports at once so that one core
stays for interactive requests. Admission alone does not keep that core free: the kernel places
a report process, and the PostgreSQL backend that serves its reads, on whichever core is free
at each wake-up — also the one a `/health` or a page is about to need — and every wake-up of an
interactive thread then waits for the core to be taken back. Measured on the 2-core machine
(stop 25): /health's run-queue wait under report load is ≈ 1 ms a request on average and its p99
2.3–2.8 × its p99 alone, while the run-queue waits of the report process stayed small.

So a report process confines itself, every thread of it, to the report cores, and its
PostgreSQL backend is confined with it where the platform may touch the backend at all (the
same rule as its niceness: `report_backend_nice` > 0, this very connection's backend on this
machine, the same OS user). The first `cores − slots` usable cores (at least one) are left to
the server's event loops and everything else; with as many slots as cores nothing is confined.
Setting `report_confine_cores = false` leaves placement to the kernel.
"""

from __future__ import annotations

import contextlib
import os

__all__ = ["confine", "confine_process", "report_cores"]


def usable() -> list[int]:
    """This process's usable cores, in order."""
    return sorted(os.sched_getaffinity(0))


def report_cores(slots: int, cores: list[int] | None = None) -> frozenset[int] | None:
    """The cores report work runs on: the last `slots` of `cores` (default: this process's
    usable cores), leaving at least the first one; None where nothing is to be confined (one
    core, or at least as many slots as cores)."""
    cores = sorted(cores) if cores is not None else usable()
    slots = max(1, slots)
    if slots >= len(cores):  # also: one core
        return None
    return frozenset(cores[len(cores) - slots :])


def confine_process(pid: int, cores: frozenset[int]) -> bool:
    """Every thread of `pid` onto `cores`; False where not permitted (another OS user) or the
    process has gone. A thread started between the listing and the call inherits its starter's
    cores (every thread of a report process is started after it confined itself, but for the
    parent-watch thread)."""
    try:
        tids = [int(t) for t in os.listdir(f"/proc/{pid}/task")]
    except OSError:
        tids = [pid]
    done = False
    for tid in tids:
        with contextlib.suppress(ProcessLookupError):  # a thread that has just ended
            try:
                os.sched_setaffinity(tid, cores)
            except PermissionError:
                return False
            done = True
    return done


def confine(cores: frozenset[int] | None) -> None:
    """This process, every thread of it, onto `cores` (None: as it is)."""
    if cores is not None:
        confine_process(os.getpid(), cores)
