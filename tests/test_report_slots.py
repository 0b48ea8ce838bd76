"""Machine-wide report slots (`reports.slots`): a count shared by every process on the machine.

A slot is a `flock` the kernel keeps, so holders in other processes (each server process's report
pool) and other threads count alike; a report that finds none within its time is refused `Busy`
(503, Retry-After); a slot is free again when its holder leaves the block or dies.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from xinyong.config import Settings
from xinyong.reports import slots, worker


def test_the_default_leaves_a_core_for_interactive_requests(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1})
    assert slots.default_count() == 1
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0})
    assert slots.default_count() == 1
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: set(range(8)))
    assert slots.default_count() == 7
    assert slots.Slots(Path("x")).count == 7
    assert slots.Slots(Path("x"), 0).count == 1  # never none at all
    settings = Settings(data_dir=Path("/srv/xinyong"), report_slots=3)
    made = worker.machine_slots(settings)
    assert (made.folder, made.count) == (Path("/srv/xinyong/run/report-slots"), 3)


def test_a_taken_slot_makes_the_next_report_wait_then_refuses_it(tmp_path: Path) -> None:
    gate = slots.Slots(tmp_path, 1)
    inside = threading.Event()
    leave = threading.Event()
    order: list[str] = []

    def holder() -> None:
        with gate.held(1.0):
            order.append("first in")
            inside.set()
            leave.wait(5)
            order.append("first out")  # still holding: after the block the next may be first

    t = threading.Thread(target=holder)
    t.start()
    inside.wait(5)
    start = time.monotonic()
    with pytest.raises(slots.Busy) as refused, gate.held(0.2):  # main thread: blocks in flock
        order.append("second in")
    assert 0.2 <= time.monotonic() - start < 2.0
    assert refused.value.status == 503
    assert "秒后重试" in refused.value.message

    def late() -> None:
        time.sleep(0.1)
        leave.set()

    threading.Thread(target=late).start()
    with gate.held(5.0):  # given as soon as the holder leaves
        order.append("second in")
    t.join()
    assert order == ["first in", "first out", "second in"]


def test_two_slots_admit_two_at_once_and_a_thread_waits_for_a_third(tmp_path: Path) -> None:
    gate = slots.Slots(tmp_path, 2)
    with gate.held(1.0), gate.held(1.0):
        refused: list[BaseException] = []

        def third() -> None:  # not the main thread: looks every POLL seconds
            try:
                with gate.held(0.1):
                    pass
            except slots.Busy as exc:
                refused.append(exc)

        t = threading.Thread(target=third)
        t.start()
        t.join()
        assert len(refused) == 1
    with gate.held(0.1), gate.held(0.1):  # both given back
        pass


HOLD = """
import sys, time
from pathlib import Path
from xinyong.reports import slots
with slots.Slots(Path(sys.argv[1]), 1).held(5.0):
    print("held", flush=True)
    time.sleep(60)
"""


def test_a_slot_is_shared_with_other_processes_and_freed_when_its_holder_dies(
    tmp_path: Path,
) -> None:
    other = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert other.stdout is not None
        assert other.stdout.readline().strip() == "held"
        gate = slots.Slots(tmp_path, 1)
        with pytest.raises(slots.Busy), gate.held(0.1):
            pass
    finally:
        other.kill()
        other.wait()
    with slots.Slots(tmp_path, 1).held(2.0):  # the kernel released the dead holder's lock
        pass
