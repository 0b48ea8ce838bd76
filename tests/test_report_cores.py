"""Report work runs on the report cores only (`reports.cores`, docs/decisions/0016 addendum 5).

The first `cores − report_slots` usable cores (at least one) stay free for interactive
requests: a report process confines every thread of it to the last `report_slots` cores, and
its PostgreSQL backend with it where the platform may touch the backend (as its niceness).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import make_url

from xinyong.config import Settings
from xinyong.reports import priority
from xinyong.reports.cores import report_cores, usable


def test_the_last_slots_cores_take_report_work_and_the_first_stays_free() -> None:
    assert report_cores(1, [0, 1]) == frozenset({1})
    assert report_cores(7, list(range(8))) == frozenset(range(1, 8))  # the default: cores − 1
    assert report_cores(1, list(range(8))) == frozenset({7})
    assert report_cores(3, [6, 0, 4, 2]) == frozenset({2, 4, 6})  # in core order
    assert report_cores(0, [0, 1]) == frozenset({1})  # at least one slot
    assert report_cores(2, [0, 1]) is None  # as many slots as cores: nothing to keep free
    assert report_cores(1, [3]) is None  # one core
    assert Settings().report_confine_cores is True


# A process with a thread running before it confines itself (as the parent-watch thread is).
CONFINED = """
import json, os, threading, time
from xinyong.reports import cores
started = threading.Event()
threading.Thread(target=lambda: (started.set(), time.sleep(30)), daemon=True).start()
started.wait()
cores.confine(frozenset({int(os.environ["CORE"])}))
later = []
t = threading.Thread(target=lambda: later.append(sorted(os.sched_getaffinity(0))))
t.start(); t.join()
each = {tid: sorted(os.sched_getaffinity(int(tid))) for tid in os.listdir("/proc/self/task")}
print(json.dumps([each, later[0]]))
"""


def test_every_thread_of_a_confined_process_runs_on_the_report_cores() -> None:
    core = usable()[-1]
    done = subprocess.run(
        [sys.executable, "-c", CONFINED], capture_output=True, text=True, check=True,
        env={**os.environ, "CORE": str(core)},
    )  # fmt: skip
    each, later = json.loads(done.stdout.splitlines()[-1])
    assert len(each) >= 2  # the main thread and the one started before
    assert all(cpus == [core] for cpus in each.values())
    assert later == [core]  # threads started afterwards inherit it


# A report process's initializer, as the report pool runs it, then its cores.
STARTED = """
import json, os
from xinyong.config import Settings
from xinyong.reports import worker
worker.start(Settings())
print(json.dumps(sorted(os.sched_getaffinity(0))))
"""


@pytest.mark.parametrize("confined", [True, False])
def test_a_report_process_starts_on_the_report_cores(tmp_path: Path, confined: bool) -> None:
    env = {
        **os.environ, "XINYONG_DATA_DIR": str(tmp_path), "XINYONG_REPORT_SLOTS": "1",
        "XINYONG_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
        "XINYONG_REPORT_CONFINE_CORES": str(confined).lower(),
    }  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-c", STARTED], capture_output=True, text=True, check=True, env=env
    )
    expected = report_cores(1) if confined else None
    assert json.loads(done.stdout.splitlines()[-1]) == sorted(expected or usable())


@pytest.mark.postgres
def test_the_backend_of_this_connection_is_confined_with_the_report(database_url: str) -> None:
    dsn = make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)
    core = frozenset({usable()[-1]})
    with psycopg.connect(dsn) as conn:
        (pid,) = conn.execute("SELECT pg_backend_pid()").fetchall()[0]
        conn.rollback()
        assert priority.lower_backend(conn, priority.NICE, core)
        assert os.sched_getaffinity(pid) == core
    with psycopg.connect(dsn) as conn:  # 0: the database's processes are never touched
        (pid,) = conn.execute("SELECT pg_backend_pid()").fetchall()[0]
        conn.rollback()
        before = os.sched_getaffinity(pid)
        assert not priority.lower_backend(conn, 0, core)
        assert os.sched_getaffinity(pid) == before
