"""Report work gives way on the CPU (`reports.priority`, docs/decisions/0016 addendum 3).

A report process starts a session of its own (its own scheduling group under autogroup, so its
CPU is not charged to the server's event loops) at the lowest niceness; the PostgreSQL backend
that serves its reads gets the same niceness where it is this very connection's backend on this
machine and the platform may change it — else it is left alone, and that is logged once.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import make_url, text

from xinyong.config import Settings
from xinyong.db.session import make_engine
from xinyong.reports import priority, worker

# A report process's first step, in a child of the test (a session of its own is for good).
CHILD = """
import json, os
from xinyong.reports import priority
before = os.getsid(0)
priority.background()
print(json.dumps([before, os.getsid(0), os.getpid(), os.getpriority(os.PRIO_PROCESS, 0)]))
"""


def test_a_report_process_leads_a_session_of_its_own_at_the_lowest_niceness() -> None:
    done = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, check=True)
    before, after, pid, nice = json.loads(done.stdout.splitlines()[-1])
    assert before == os.getsid(0)  # it began in the test's session
    assert after == pid  # and leads its own: its own autogroup where the kernel has them
    assert nice == priority.NICE


def test_the_session_stays_when_settings_say_so() -> None:
    settings = Settings(report_own_session=False)
    code = CHILD.replace("priority.background()", "priority.background(own_session=False)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    before, after, _pid, nice = json.loads(done.stdout.splitlines()[-1])
    assert (after, nice) == (before, priority.NICE)
    assert settings.report_own_session is False
    assert Settings().report_own_session is True
    assert Settings().report_backend_nice == priority.NICE


def _dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.mark.postgres
def test_the_backend_of_this_connection_gets_the_niceness(database_url: str) -> None:
    with psycopg.connect(_dsn(database_url)) as conn:
        (pid,) = conn.execute("SELECT pg_backend_pid()").fetchall()[0]
        conn.rollback()
        assert priority.backend_of(conn) == pid
        assert priority.lower_backend(conn, 7)
        assert os.getpriority(os.PRIO_PROCESS, pid) == 7
        assert priority.lower_backend(conn, 3)  # never raised back
        assert os.getpriority(os.PRIO_PROCESS, pid) == 7
        assert not priority.lower_backend(conn, 0)  # 0: never touched


@pytest.mark.postgres
def test_a_report_process_engine_lowers_each_backend_it_opens(database_url: str) -> None:
    engine = make_engine(database_url)
    worker.backend_priority(engine, priority.NICE)
    with engine.connect() as conn:
        pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        assert os.getpriority(os.PRIO_PROCESS, pid) == priority.NICE
        assert conn.execute(text("SELECT 1")).scalar_one() == 1  # the look-up left no transaction
    engine.dispose()
    off = make_engine(database_url)
    worker.backend_priority(off, 0)
    with off.connect() as conn:
        pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        assert os.getpriority(os.PRIO_PROCESS, pid) < priority.NICE  # as PostgreSQL started it
    off.dispose()


class Told:
    """A stand-in for the module's logger: what it was told."""

    def __init__(self) -> None:
        self.lines: list[tuple[str, dict[str, object]]] = []

    def info(self, event: str, **facts: object) -> None:
        self.lines.append((event, facts))


@pytest.mark.postgres
def test_a_backend_not_shown_as_this_connection_is_left_and_logged_once(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    told = Told()
    monkeypatch.setattr(priority, "log", told)
    monkeypatch.setattr(priority, "_told", set())
    with psycopg.connect(_dsn(database_url)) as conn:
        (pid,) = conn.execute("SELECT pg_backend_pid()").fetchall()[0]
        conn.rollback()
        start = os.getpriority(os.PRIO_PROCESS, pid)
        # Another machine's pid, or a process this one cannot see: its title is not ours.
        with monkeypatch.context() as m:
            m.setattr(priority, "_title", lambda _pid: "python -m something.else")
            assert priority.backend_of(conn) is None
            assert not priority.lower_backend(conn, priority.NICE)
        assert os.getpriority(os.PRIO_PROCESS, pid) == start

        def refused(*_args: object) -> None:
            raise PermissionError("another OS user")

        with monkeypatch.context() as m:
            m.setattr(os, "setpriority", refused)
            assert not priority.lower_backend(conn, priority.NICE)
            assert not priority.lower_backend(conn, priority.NICE)
    reasons = [facts["reason"] for _event, facts in told.lines]
    # each reason once per process, not per connection
    assert reasons == ["backend not visible from this process", "not permitted (another OS user)"]
    assert {event for event, _facts in told.lines} == {"report_backend_priority_kept"}


def test_a_remote_database_backend_is_never_touched(monkeypatch: pytest.MonkeyPatch) -> None:
    class Cursor:
        def execute(self, _sql: str) -> None: ...

        def fetchone(self) -> tuple[int, str]:
            return os.getpid(), "10.0.0.7"  # a pid number on another machine

        def close(self) -> None: ...

    class Remote:
        def cursor(self) -> Cursor:
            return Cursor()

    monkeypatch.setattr(priority, "_told", set())
    own = os.getpriority(os.PRIO_PROCESS, 0)
    assert priority.backend_of(Remote()) is None
    assert not priority.lower_backend(Remote(), priority.NICE)
    assert os.getpriority(os.PRIO_PROCESS, 0) == own


def test_a_server_process_freezes_its_start_up_heap_once(monkeypatch: pytest.MonkeyPatch) -> None:
    import gc  # noqa: PLC0415

    from xinyong.web import fastpaths  # noqa: PLC0415

    froze: list[int] = []
    monkeypatch.setattr(fastpaths, "_frozen", False)
    monkeypatch.setattr(gc, "freeze", lambda: froze.append(1))
    fastpaths.freeze_startup_heap()
    fastpaths.freeze_startup_heap()  # a test client starting the app again
    assert froze == [1]


FROZEN = """
import gc
from fastapi.testclient import TestClient
from xinyong.web.app import create_app
with TestClient(create_app()) as client:
    client.get("/api/v1/health")
    print(gc.get_freeze_count())
"""


def test_the_served_app_has_its_start_up_objects_out_of_the_collector(tmp_path: Path) -> None:
    env = {**os.environ, "XINYONG_DATA_DIR": str(tmp_path), "XINYONG_DATABASE_URL":
           f"sqlite:///{tmp_path / 'x.db'}"}  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-c", FROZEN], capture_output=True, text=True, check=True, env=env
    )
    assert int(done.stdout.split()[-1]) > 10_000  # the app's routes, tables, catalogs …


# A server process (the child) starting a report process (the grandchild), then killed outright.
ORPHAN = """
import subprocess, sys, time
grand = subprocess.Popen([sys.executable, "-c",
    "from xinyong.reports import priority; priority.background(); print(flush=True); "
    "import time; time.sleep(60)"], stdout=subprocess.PIPE)
grand.stdout.readline()  # it has called background()
print(grand.pid, flush=True)
time.sleep(60)
"""


def test_a_report_process_in_its_own_session_ends_with_its_parent() -> None:
    import signal  # noqa: PLC0415
    import time  # noqa: PLC0415

    parent = subprocess.Popen([sys.executable, "-c", ORPHAN], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    grand = int(parent.stdout.readline())
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    for _ in range(100):
        try:
            os.kill(grand, 0)
        except ProcessLookupError:
            break
        with open(f"/proc/{grand}/stat") as fh:
            if fh.read().split(") ", 1)[1].startswith("Z"):
                break  # ended, not yet reaped
        time.sleep(0.1)
    else:
        os.kill(grand, signal.SIGKILL)
        pytest.fail("the report process outlived its parent")
