"""The web's report pool: report processes, and admission so reports never crowd other requests.

Each server process owns one `RenderPool` (`web/fastpaths.lifespan`) of `workers` processes
(settings `report_workers`, default 1; `spawn`, started on the first report, niced — see
`worker`). A report asked for over the web runs whole in a pool process (`worker.run`: its own
transaction, query log included); the request awaits it on the event loop, holding no thread
and no CPU of the server process.

Admission: at most `workers` reports are in flight per server process; the others wait in an
asyncio queue (no thread, no CPU). A server process refuses a report — `Busy`, HTTP 503 with
`Retry-After: RETRY_AFTER` — when `QUEUE_PER_WORKER` × workers reports are already waiting, or
when one has waited `MAX_WAIT` seconds without a turn: at ~40 ms a report that is a queue of
~0.3 s on a quiet machine, and a refusal only when the machine is far behind. With `workers = 0`
the report runs in the request's session on a threadpool thread, admitted one at a time.

Machine-wide, a report process then takes one of the machine's report slots (`slots`, settings
`report_slots`, default cores − 1) before its transaction, so the pools of all server processes
together never run reports on every core (docs/decisions/0016).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import threading
import weakref
from collections.abc import AsyncIterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import asynccontextmanager

from xinyong import signing
from xinyong.config import Settings
from xinyong.reports import render_pool, worker
from xinyong.reports.content import ReportContent
from xinyong.reports.slots import RETRY_AFTER, Busy

__all__ = ["MAX_WAIT", "QUEUE_PER_WORKER", "RETRY_AFTER", "Busy", "RenderPool"]

QUEUE_PER_WORKER = 8  # reports waiting per report process before new ones are refused
MAX_WAIT = 10.0  # seconds a report may wait for its turn before it is refused


class RenderPool:
    """A lazily started pool of `workers` report processes, with admission (see the module)."""

    def __init__(self, workers: int, settings: Settings | None = None) -> None:
        self.workers = workers
        self.settings = settings
        self._executor: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        # One semaphore per event loop (a server process has one; a test client may run several).
        self._slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
            weakref.WeakKeyDictionary()
        )
        self.waiting = 0

    def _started(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._executor is None:
                self._executor = ProcessPoolExecutor(
                    max_workers=self.workers,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=worker.start,
                    initargs=(self.settings,),
                )
            return self._executor

    @property
    def started(self) -> bool:
        return self._executor is not None

    @property
    def issues(self) -> bool:
        """Whether whole reports go to the pool (else: in the request, one at a time)."""
        return self.workers > 0 and self.settings is not None

    @asynccontextmanager
    async def admitted(self) -> AsyncIterator[None]:
        """A turn among this process's reports in flight, or `Busy` (see the module)."""
        loop = asyncio.get_running_loop()
        slots = self._slots.get(loop)
        if slots is None:
            slots = self._slots[loop] = asyncio.Semaphore(max(self.workers, 1))
        if self.waiting >= QUEUE_PER_WORKER * max(self.workers, 1):
            raise Busy(f"当前申请信用报告的人数较多，请 {RETRY_AFTER} 秒后重试")
        self.waiting += 1
        try:
            await asyncio.wait_for(slots.acquire(), MAX_WAIT)
        except TimeoutError:
            raise Busy(f"信用报告排队时间过长，请 {RETRY_AFTER} 秒后重试") from None
        finally:
            self.waiting -= 1
        try:
            yield
        finally:
            slots.release()

    async def issue(self, job: worker.Job) -> worker.Made:
        """`job`'s report, issued and committed by a report process (call inside `admitted`)."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._started(), worker.run, job)

    def render(self, content: ReportContent, key: signing.SigningKey) -> bytes:
        """Render and sign only (the transaction stays with the caller)."""
        if self.workers <= 0:
            return render_pool.render_here(content, key)
        return self._started().submit(render_pool.render_and_seal, content, key).result()

    def shutdown(self) -> None:
        with self._lock:
            if self._executor is not None:
                self._executor.shutdown(wait=True, cancel_futures=True)
                self._executor = None
