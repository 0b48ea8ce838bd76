"""Per-client rate limits with the `limits` library (moving window, in process memory).

A limit is written in the `limits` notation ("120/minute", "10/second"). Each API client has its
own; a hit over the limit is refused with 429 and the time to wait.
"""

from __future__ import annotations

from functools import lru_cache

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from xinyong.errors import InvalidInput, XinyongError

_storage = MemoryStorage()
_limiter = MovingWindowRateLimiter(_storage)


class RateLimited(XinyongError):
    code = "auth.rate_limited"
    status = 429


@lru_cache(maxsize=256)
def parse_limit(text: str) -> RateLimitItem:
    """The limit an expression names; a bad one is refused in Chinese with an example."""
    try:
        return parse(text)
    except ValueError as exc:
        raise InvalidInput(
            f"频率限制“{text}”无法识别，应写作如 120/minute、10/second", code="auth.bad_rate_limit"
        ) from exc


def hit(key: str, text: str) -> None:
    """Count one call for `key`; raise RateLimited when the limit is used up."""
    item = parse_limit(text)
    if not _limiter.hit(item, key):
        reset = _limiter.get_window_stats(item, key).reset_time
        raise RateLimited(
            f"调用过于频繁：该接口密钥的频率限制为 {text}，请稍后再试",
            details={"limit": text, "reset_at": int(reset)},
        )


def reset() -> None:
    """Forget every count (tests, and a rotated key starting afresh)."""
    _storage.reset()
