"""Machine-wide admission of report work: at most `count` reports at once on this machine.

Each server process (`xinyong serve --workers N`) owns its own report pool (`reports.pool`).
Without a limit shared by all of them, N report processes — with the PostgreSQL backends that
serve their reads, at normal priority — take every core, and interactive requests (/health,
pages, checks) wait for a core. So a report takes one of `count` slots before its transaction
starts and gives it back once it is committed (docs/decisions/0016).

A slot is an exclusive `flock` on the file `slot-<i>.lock` in `folder` (settings `data_dir` /
run/report-slots): the kernel keeps it, so every process on the machine that serves the same data
folder shares the count, and a slot is free again the moment its holder exits or dies. Each
acquisition opens its own file descriptions, so threads of one process count separately too.

`count` is settings `report_slots`; unset: the usable cores − 1, at least 1 (`default_count`) —
one core stays for interactive requests. A waiting report process blocks in the kernel on one
slot (no CPU), looking at all of them again every `TURN` seconds; a thread other than a main
thread looks every `POLL` seconds. No slot within `timeout`: `Busy` (HTTP 503 with Retry-After).

Only report processes take slots, and before their transaction begins, so nothing waits for a
slot while holding a database lock. Reports issued in the request's own session (CLI, tests,
`report_workers = 0`) take none: that session may already hold SQLite's write lock, which the
holder of a slot could be waiting for.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

from xinyong.errors import XinyongError

RETRY_AFTER = 5  # seconds, told to a refused caller
TURN = 0.05  # seconds a report process blocks on one slot before it looks at all of them again
POLL = 0.005  # seconds between looks where blocking with a timer is not possible


class Busy(XinyongError):
    """Too many reports asked for at once: come back in a moment (503, Retry-After)."""

    code = "reports.busy"
    status = 503


def usable_cores() -> int:
    """How many cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def default_count() -> int:
    """The usable cores − 1, at least 1: report work never takes every core."""
    return max(1, usable_cores() - 1)


class _TurnOver(Exception):
    """Raised by the timer's handler to end a blocking wait."""


def _turn_over(_signum: int, _frame: FrameType | None) -> None:
    raise _TurnOver


class Slots:
    """`count` machine-wide slots as lock files in `folder` (see the module)."""

    def __init__(self, folder: Path, count: int | None = None) -> None:
        self.folder = folder
        self.count = max(1, count if count is not None else default_count())

    def _path(self, i: int) -> Path:
        return self.folder / f"slot-{i}.lock"

    def _open(self, i: int) -> int:
        return os.open(self._path(i), os.O_RDWR | os.O_CREAT, 0o600)

    def _try_all(self) -> int | None:
        """A held slot's descriptor, or None when every slot is taken."""
        first = os.getpid() % self.count
        for k in range(self.count):
            fd = self._open((first + k) % self.count)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            return fd
        return None

    def _block(self, seconds: float) -> int | None:
        """Wait up to `seconds` for this process's own slot (main thread: in the kernel)."""
        if threading.current_thread() is not threading.main_thread():
            time.sleep(min(seconds, POLL))
            return None
        fd = self._open(os.getpid() % self.count)
        previous = signal.signal(signal.SIGALRM, _turn_over)
        try:
            signal.setitimer(signal.ITIMER_REAL, seconds)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
        except _TurnOver:
            os.close(fd)
            return None
        except BaseException:
            os.close(fd)
            raise
        finally:
            signal.signal(signal.SIGALRM, previous)
        return fd

    @contextlib.contextmanager
    def held(self, timeout: float) -> Iterator[None]:
        """Hold one slot for the block, or raise `Busy` after `timeout` seconds without one."""
        self.folder.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + timeout
        fd = self._try_all()
        while fd is None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise Busy(f"信用报告排队时间过长，请 {RETRY_AFTER} 秒后重试")
            fd = self._block(min(left, TURN))
            if fd is None:
                fd = self._try_all()
        try:
            yield
        finally:
            os.close(fd)  # closing the only descriptor of the lock releases it

    def in_use(self) -> int:
        """How many slots a report holds now (for `xinyong doctor` and /admin/system): a slot
        file whose lock cannot be shared is held; files not yet made are free."""
        held = 0
        for i in range(self.count):
            try:
                fd = os.open(self._path(i), os.O_RDONLY)
            except FileNotFoundError:
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                held += 1
            finally:
                os.close(fd)  # a shared lock taken here goes with its only descriptor
        return held


def for_settings(data_dir: Path, count: int | None) -> Slots:
    """The machine's report slots for a data folder (settings `data_dir`, `report_slots`)."""
    return Slots(data_dir / "run" / "report-slots", count)
