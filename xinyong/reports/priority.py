"""How report work gives way on the CPU to interactive requests (docs/decisions/0016, addendum 3).

A report process costs ~40 ms of CPU a report; the server process that serves `/health`, pages
and checks must not wait behind it. Two things decide that on Linux, and a niceness alone is
only one of them:

- **Its own scheduling group.** With autogroup scheduling (`kernel.sched_autogroup_enabled`,
  on by default in Debian's and Ubuntu's kernels) the CPU is shared fairly between *sessions*
  first, and a niceness only counts inside its session. A report process started by a server
  process is in the server's session: its CPU is charged to the group that also holds the event
  loops, and their wake-ups wait for the group's turn — measured on this machine's kernel (6.18)
  as 3 ms p50 / 11–15 ms p99 of wake-up delay beside a nice-19 (or SCHED_IDLE) busy process of
  the same session, against 0.07 ms / 2–4 ms beside the same process in a session of its own.
  So a report process starts its own session (`background`) and lowers that session's group
  weight to `NICE` (`/proc/self/autogroup`, allowed for one's own processes). Without autogroup
  the session changes nothing and the niceness does the work.
- **Its PostgreSQL backend.** The reads a report causes run in a backend of PostgreSQL at normal
  priority. PostgreSQL starts every backend in a session of its own, so the backend is its own
  autogroup too; when the platform may (same OS user, or root — a single-host deployment as
  `scripts/pg.sh` sets up), `lower_backend` gives the report process's backend the same
  niceness and group weight, after checking the pid is that connection's backend on this
  machine. Not permitted, or the database on another machine: the backend is left as it is and
  this is logged once. Settings `report_backend_nice` (0: never).
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import socket
from pathlib import Path
from typing import Any

from xinyong.log import get_logger

__all__ = ["NICE", "backend_of", "background", "lower_backend", "lower_process"]

NICE = 19  # niceness (and autogroup niceness) of report work: the lowest
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
    terminal signals — its pool shuts it down), then the lowest niceness."""
    if own_session:
        with contextlib.suppress(OSError):  # already a session leader
            os.setsid()
    lower_process(os.getpid(), nice)


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


def lower_backend(dbapi_connection: Any, nice: int) -> bool:
    """Give a report process's PostgreSQL backend the niceness `nice` (and its autogroup's
    weight), where it is on this machine and this process may; else leave it (logged once)."""
    if nice <= 0:
        return False
    pid = backend_of(dbapi_connection)
    if pid is None:
        return False
    if not lower_process(pid, nice):
        _tell_once("not permitted (another OS user)", pid=pid)
        return False
    return True
