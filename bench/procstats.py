"""What a benchmark reads of its processes: CPU seconds and peak RSS from /proc, the PostgreSQL
server's CPU (its postmaster and every process it started), and the collection phase timers
(xinyong/collection/phases.py) as a markdown table. Used by bench/collect.py and
bench/store_parts.py; the server must run on this machine (scripts/pg.sh)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any


def cpu_seconds(pid: int, *, reaped: bool = False) -> float:
    """utime + stime of a running process (seconds); `reaped`: with its children that have
    ended (a PostgreSQL backend's CPU goes to its postmaster's when the backend exits)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = sum(int(f) for f in fields[11 : 15 if reaped else 13])
    return ticks / os.sysconf("SC_CLK_TCK")


def postgres_cpu(url: str) -> float:
    """CPU seconds used so far by the server of `url` (its postmaster and every process it
    started: backends, WAL writer, checkpointer …), read from /proc: the server runs here."""
    import psycopg  # noqa: PLC0415

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        row = conn.execute("SELECT current_setting('data_directory')").fetchone()
    assert row is not None
    try:
        postmaster = int((Path(row[0]) / "postmaster.pid").read_text().split()[0])
    except OSError:
        return 0.0
    total = cpu_seconds(postmaster, reaped=True)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) == postmaster:
                total += cpu_seconds(int(entry.name))
    return total


def high_water_kb(pid: int) -> int:
    """VmHWM of a running process: its peak RSS since exec. (getrusage(RUSAGE_CHILDREN) would
    also count the pages the child shared with this process between fork and exec.)"""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def print_phases(timers: dict[str, Any], rows: int) -> None:
    """(b)'s phase timers per thread (collection/phases.py): wall and CPU seconds and µs a row,
    the writer's idle time, the process's and the PostgreSQL server's CPU during the run."""
    if not timers:
        return
    print("| thread | phase | wall s | CPU s | CPU µs a row |\n|---|---|---|---|---|")
    for thread, table in timers["threads"].items():
        for phase, spent in sorted(table.items(), key=lambda kv: -kv[1]["wall"]):
            if spent["wall"] < 0.005 and spent["cpu"] < 0.005:
                continue  # a phase that cost nothing (a server phase of a client-only step)
            print(f"| {thread} | {phase} | {spent['wall']:.2f} | {spent['cpu']:.2f} | "
                  f"{spent['cpu'] / rows * 1e6:.1f} |")  # fmt: skip
    wall = timers["process wall"]
    print(f"| process | whole run (incl. start-up) | {wall:.2f} | {timers['process cpu']:.2f} "
          f"| {timers['process cpu'] / rows * 1e6:.1f} |")  # fmt: skip
    print(f"| PostgreSQL | every server process | — | {timers['postgres cpu']:.2f} | "
          f"{timers['postgres cpu'] / rows * 1e6:.1f} |")  # fmt: skip
    idle = timers["threads"].get("writer", {}).get("idle", {}).get("wall", 0.0)
    print(f"# collect's own timers span {timers['wall']:.2f} s of {wall:.2f} s; writer idle "
          f"{idle:.2f} s", file=sys.stderr)  # fmt: skip
