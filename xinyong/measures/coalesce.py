"""Coalescing of concurrent calls: callers that arrive while a batch runs wait together for the
next one, so N concurrent checks cost one database round trip instead of N (# fast read path).

Used twice by `fast.py`: the read (all subjects and list rows of the waiting checks in one query)
and the group-commit log writer (all waiting log rows in one statement, committed before any of
those checks answers). A failed batch hands its exception to every caller waiting on it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


@dataclass(slots=True)
class _Waiting(Generic[T, R]):
    item: T
    done: asyncio.Future[R]


class Coalescer(Generic[T, R]):
    """`await submit(item)` → the result for `item` of one `run(items)` call over a batch."""

    def __init__(self, run: Callable[[list[T]], Awaitable[list[R]]], max_batch: int) -> None:
        self._run = run
        self._max_batch = max_batch
        self._queue: asyncio.Queue[_Waiting[T, R]] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._forever())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def submit(self, item: T) -> R:
        done: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait(_Waiting(item, done))
        return await done

    async def _forever(self) -> None:
        batch: list[_Waiting[T, R]] = []
        try:
            while True:
                batch = [await self._queue.get()]
                while not self._queue.empty() and len(batch) < self._max_batch:
                    batch.append(self._queue.get_nowait())
                await self._one(batch)
        except asyncio.CancelledError:  # stopping: nobody may wait forever
            while not self._queue.empty():
                batch.append(self._queue.get_nowait())
            _fail(batch, RuntimeError("coalescer stopped"))
            raise

    async def _one(self, batch: list[_Waiting[T, R]]) -> None:
        try:
            results = await self._run([w.item for w in batch])
        except Exception as exc:  # every waiting caller must learn of the failure
            _fail(batch, exc)
            return
        for w, result in zip(batch, results, strict=True):
            if not w.done.done():  # a caller whose client went away
                w.done.set_result(result)


def _fail(batch: list[_Waiting[T, R]], exc: BaseException) -> None:
    for w in batch:
        if not w.done.done():
            w.done.set_exception(exc)
