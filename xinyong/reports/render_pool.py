"""Rendering and signing reports in worker processes, so no request waits on them.

Laying out the PDF (reportlab) and the SM2 signature are pure-Python CPU work that holds the GIL
for ~100 ms; done in a web worker, every other request of that process (the event loop and the
threadpool alike) waits behind it. A `RenderPool` sends the step to a
`concurrent.futures.ProcessPoolExecutor` instead — the request's thread only waits on the
future, without the GIL — while the database transaction stays in the request (`issue.issue`
gathers, then stores the snapshot row and the query log, in the caller's transaction).

The executor is started on first use (`spawn`: no fork of a threaded server), its workers
register the font once and run at a lower CPU priority (`NICE`): a report may take a little
longer, a page or an API call must not. `shutdown()` is called when the app stops. With
`workers = 0` (settings `report_workers`), or where no pool is given (CLI, tests), the step runs
in the calling thread, one at a time per process.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor

from xinyong import signing
from xinyong.reports import pdf, seal
from xinyong.reports.content import ReportContent

NICE = 19  # niceness added to the render workers (background work beside interactive requests)
# In the calling thread: one render at a time per process, so the event loop keeps its share.
_IN_PROCESS = threading.BoundedSemaphore(1)
# The part of a report that stays in the request (gathering its content through the ORM, ~30 ms
# of CPU): one report at a time per process, so other requests of the process contend for the
# GIL with at most one report thread; the others wait without holding it.
GATHERING = threading.BoundedSemaphore(1)


def render_and_seal(content: ReportContent, key: signing.SigningKey) -> bytes:
    """The PDF of `content`, signed (the step a worker process runs)."""
    return seal.seal(pdf.render(content), key)


def render_here(content: ReportContent, key: signing.SigningKey) -> bytes:
    with _IN_PROCESS:
        return render_and_seal(content, key)


def _start_worker() -> None:
    with contextlib.suppress(OSError):  # not permitted: keep the priority
        os.nice(NICE)
    pdf.warm_up()


class RenderPool:
    """A lazily started process pool of `workers` processes for `render_and_seal`."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._executor: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def _started(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._executor is None:
                self._executor = ProcessPoolExecutor(
                    max_workers=self.workers,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_start_worker,
                )
            return self._executor

    @property
    def started(self) -> bool:
        return self._executor is not None

    def render(self, content: ReportContent, key: signing.SigningKey) -> bytes:
        if self.workers <= 0:
            return render_here(content, key)
        return self._started().submit(render_and_seal, content, key).result()

    def shutdown(self) -> None:
        with self._lock:
            if self._executor is not None:
                self._executor.shutdown(wait=True, cancel_futures=True)
                self._executor = None
