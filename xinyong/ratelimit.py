"""Per-client rate limits: a moving window in process memory, O(1) per call (amortised).

A limit is written in the `limits` notation ("120/minute", "10/second"; parsed by that library).
Each API client has its own, counted per server process by both routes of an API path (the
joint check's sync route and its fast path count the same calls under the same key). A call is
allowed while fewer than `amount` calls were allowed in the last `period` seconds — the moving
window of `limits.MovingWindowRateLimiter`, kept here as a deque of call times per key: each call
appends one time and drops the times that left the window, so a call costs O(1) amortised
whatever the limit (the library's list insert at the front is O(limit), i.e. milliseconds for
the benchmark's key). A hit over the limit is refused with 429 and the time to wait.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from functools import lru_cache

from limits import parse

from xinyong.errors import InvalidInput, XinyongError

_windows: dict[str, deque[float]] = {}
_lock = threading.Lock()  # the sync routes run in the threadpool
_now = time.time  # epoch seconds: `reset_at` is told to the caller


class RateLimited(XinyongError):
    code = "auth.rate_limited"
    status = 429


@lru_cache(maxsize=256)
def parse_limit(text: str) -> tuple[int, int]:
    """(calls, seconds) of a limit expression; a bad one is refused in Chinese with an example."""
    try:
        item = parse(text)
    except ValueError as exc:
        raise InvalidInput(
            f"频率限制“{text}”无法识别，应写作如 120/minute、10/second", code="auth.bad_rate_limit"
        ) from exc
    return item.amount, item.get_expiry()


def hit(key: str, text: str) -> None:
    """Count one call for `key`; raise RateLimited when the limit is used up."""
    amount, period = parse_limit(text)
    now = _now()
    with _lock:
        window = _windows.get(key)
        if window is None:
            window = _windows[key] = deque()
        start = now - period
        while window and window[0] <= start:
            window.popleft()
        if len(window) < amount:
            window.append(now)
            return
        reset = window[0] + period if window else now + period
    raise RateLimited(
        f"调用过于频繁：该接口密钥的频率限制为 {text}，请稍后再试",
        details={"limit": text, "reset_at": int(reset)},
    )


def reset() -> None:
    """Forget every count (tests, and a rotated key starting afresh)."""
    with _lock:
        _windows.clear()
