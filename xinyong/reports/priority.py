"""How report work gives way on the CPU to interactive requests (docs/decisions/0016, addendum 3).

A report process costs ~40 ms of CPU a report; the server process that serves `/health`, pages
and checks must not wait behind it. On Linux two things decide that, and a niceness is only one:

- **A scheduling group of its own.** With autogroup scheduling (`kernel.sched_autogroup_enabled`,
  on by default in Debian's and Ubuntu's kernels) the CPU is shared fairly between *sessions*
  first; a niceness (or SCHED_IDLE) only counts inside its session. A report process started by a
  server process is in the server's session: its CPU is charged to the group that also holds the
  event loops, and their wake-ups wait for that group's turn. Measured on this machine's kernel
  (6.18): a sleeper's wake-up is late by 3 ms p50 / 11–15 ms p99 beside a busy nice-19 (or
  SCHED_IDLE) process of its own session, 0.07 ms / 2–4 ms beside the same process in another
  session — as without it. So a report process starts its own session (`background`), then
  takes the lowest niceness (which does the work on kernels without autogroup). The group's own
  weight is left at the default: lowered (`/proc/self/autogroup`), a report starved on a busy
  machine (26 s of run-queue wait a report, every report refused after its 10 s) while holding
  its transaction's locks (SQLite's write lock for the whole report; on PostgreSQL the audit
  chain's lock at its end), which every audited write waits for.
- **Its PostgreSQL backend.** The reads a report causes run in a backend at normal priority.
  `report_backend_nice` (default 19) gives that backend the report's niceness when the platform
  may — the same OS user or root, as in a single-host deployment like `scripts/pg.sh` — after
  checking the pid is this very connection's backend on this machine (its process title shows
  the connection's client port, or `[local]`). Not permitted, or the database elsewhere: the
  backend is left as it is, logged once per process. PostgreSQL starts each backend in a
  session of its own, so under autogroup the backend already has its own group and the niceness
  only matters without autogroup; its group weight is not lowered, for the lock's sake.
"""

from __future__ import annotations

import contextlib
import ipaddress
import multiprocessing
import os
import signal
import socket
import threading
import time
from pathlib import Path
from typing import Any

from xinyong.log import get_logger
from xinyong.reports import cores

__all__ = ["NICE", "backend_of", "background", "lower_backend", "lower_process"]

NICE = 19  # niceness of report work: the lowest
log = get_logger(__name__)
_told: set[str] = set()  # reasons already logged in this process (each once)


def _tell_once(reason: str, **facts: object) -> None:
    if reason not in _told:
        _told.add(reason)
        log.info("report_backend_priority_kept", reason=reason, **facts)


def lower_process(pid: int, nice: int) -> bool:
    """Raise `pid`'s niceness to `nice` (never lower it); False where not permitted. The weight
    of its autogroup is left as it is (see the module)."""
    try:
        os.setpriority(os.PRIO_PROCESS, pid, max(nice, os.getpriority(os.PRIO_PROCESS, pid)))
    except OSError:
        return False
    return True


def background(nice: int = NICE, *, own_session: bool = True) -> None:
    """A report process's first step: a session of its own (its own scheduling group, and no
    terminal signals — its pool shuts it down), then the lowest niceness. Out of the server's
    session, a report process would outlive a server killed outright (its pool's pipes stay
    open in it): it ends itself when its parent has gone."""
    if own_session:
        with contextlib.suppress(OSError):  # already a session leader
            os.setsid()
        _end_with_parent()
    lower_process(os.getpid(), nice)


PARENT_POLL = 1.0  # seconds between a report process's looks at whether its parent still lives


def _end_with_parent() -> None:
    """SIGTERM to this process once its parent has ended (a daemon thread looks every
    `PARENT_POLL` seconds; `PR_SET_PDEATHSIG` would fire when the *thread* that started the
    process ends, which for a pool started from a threadpool thread is any moment)."""
    spawned_by = multiprocessing.parent_process()
    parent = spawned_by.pid if spawned_by is not None else os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_POLL)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _title(pid: int) -> str:
    with contextlib.suppress(OSError):
        return (
            Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        )
    return ""


def backend_of(dbapi_connection: Any) -> int | None:
    """The pid of a psycopg connection's PostgreSQL backend, when that backend runs on this
    machine and this process can see it (else None, with the reason logged once).

    `pg_backend_pid()` is a pid on the database's machine: it is only used after the backend's
    process title (`postgres: user database host(port) …`) shows this very connection — the
    client port of a TCP connection from a loopback address, or `[local]` over a Unix socket."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("SELECT pg_backend_pid(), host(inet_client_addr())")
        pid, client = cursor.fetchone()
    finally:
        cursor.close()
    if client is None:
        expected = "[local]"
    else:
        if not ipaddress.ip_address(client).is_loopback:
            _tell_once("database on another machine", client=client)
            return None
        fd = dbapi_connection.pgconn.socket
        with socket.socket(fileno=os.dup(fd)) as sock:
            expected = f"({sock.getsockname()[1]})"
    title = _title(pid)
    if not title.startswith("postgres") or expected not in title:
        _tell_once("backend not visible from this process", pid=pid)
        return None
    return int(pid)


def lower_backend(
    dbapi_connection: Any, nice: int, report_cores: frozenset[int] | None = None
) -> bool:
    """Give a report process's PostgreSQL backend the niceness `nice`, and confine it to the
    report process's cores (`reports.cores`; None: where it is), where it is on this machine
    and this process may; else leave it (logged once). `nice` 0: never touched."""
    if nice <= 0:
        return False
    pid = backend_of(dbapi_connection)
    if pid is None:
        return False
    if not lower_process(pid, nice):
        _tell_once("not permitted (another OS user)", pid=pid)
        return False
    if report_cores is not None and not cores.confine_process(pid, report_cores):
        _tell_once("cores not permitted", pid=pid)
    return True
