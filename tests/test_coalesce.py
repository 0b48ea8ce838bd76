"""Coalesced calls: concurrent callers share one batch, and a failed batch fails every caller."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from xinyong.measures.coalesce import Coalescer


def _run(coro: Coroutine[Any, Any, Any]) -> Any:
    """asyncio.run on a thread of its own: a browser test's sync Playwright may have left an
    event loop running on this one (tests run in random order in one worker)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def test_concurrent_callers_share_batches_and_get_their_own_results():
    batches: list[list[int]] = []

    async def double(items: list[int]) -> list[int]:
        batches.append(items)
        await asyncio.sleep(0.01)
        return [2 * i for i in items]

    async def scenario() -> list[int]:
        coalescer = Coalescer(double, max_batch=8)
        coalescer.start()
        try:
            return await asyncio.gather(*(coalescer.submit(i) for i in range(20)))
        finally:
            await coalescer.stop()

    assert _run(scenario()) == [2 * i for i in range(20)]
    assert sorted(i for b in batches for i in b) == list(range(20))
    assert len(batches) < 20
    assert max(len(b) for b in batches) <= 8


def test_a_failed_batch_fails_every_caller_waiting_on_it():
    async def broken(items: list[int]) -> list[int]:
        raise OSError("connection lost")

    async def scenario() -> list[BaseException | int]:
        coalescer = Coalescer(broken, max_batch=8)
        coalescer.start()
        try:
            return await asyncio.gather(*(coalescer.submit(i) for i in range(3)),
                                        return_exceptions=True)  # fmt: skip
        finally:
            await coalescer.stop()

    results = _run(scenario())
    assert len(results) == 3
    assert all(isinstance(r, OSError) for r in results)


def test_stopping_fails_callers_still_waiting():
    started = asyncio.Event()

    async def slow(items: list[int]) -> list[int]:
        started.set()
        await asyncio.sleep(10)
        return items

    async def scenario() -> None:
        coalescer = Coalescer(slow, max_batch=8)
        coalescer.start()
        waiting = asyncio.ensure_future(coalescer.submit(1))
        await started.wait()
        await coalescer.stop()
        with pytest.raises(RuntimeError):
            await waiting

    _run(scenario())
