"""The per-client rate limit: a moving window (n calls in any `period` seconds), O(1) per call."""

from __future__ import annotations

import contextlib

import pytest

from xinyong import ratelimit


@pytest.fixture(autouse=True)
def _fresh() -> None:
    ratelimit.reset()


def test_a_moving_window_refuses_the_call_over_the_limit_until_the_oldest_leaves(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(ratelimit, "_now", lambda: now[0])
    for step in (0.0, 0.4, 0.4):
        now[0] += step
        ratelimit.hit("k", "3/second")
    with pytest.raises(ratelimit.RateLimited) as refused:
        ratelimit.hit("k", "3/second")
    assert refused.value.status == 429
    assert refused.value.details == {"limit": "3/second", "reset_at": 1001}
    now[0] = 1000.99  # the first call is still inside the last second
    with pytest.raises(ratelimit.RateLimited):
        ratelimit.hit("k", "3/second")
    now[0] = 1001.0  # now it has left: one call free again
    ratelimit.hit("k", "3/second")
    ratelimit.hit("other", "3/second")  # each key has its own window


def test_a_key_keeps_at_most_its_limit_of_call_times(monkeypatch):
    now = [0.0]
    monkeypatch.setattr(ratelimit, "_now", lambda: now[0])
    for _ in range(5000):
        now[0] += 0.01  # 100 calls a second against 300/minute: refused calls are not kept
        with contextlib.suppress(ratelimit.RateLimited):
            ratelimit.hit("busy", "300/minute")
    assert len(ratelimit._windows["busy"]) == 300


def test_a_bad_limit_is_refused_in_chinese() -> None:
    with pytest.raises(Exception, match="120/minute"):
        ratelimit.parse_limit("many")
