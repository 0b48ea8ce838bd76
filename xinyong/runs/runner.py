"""The runner: claims queued runs one at a time and executes them outside any request.

`xinyong serve` starts one beside the web workers (`xinyong jobs worker` runs one on its own);
several may run against one database — `store.claim` gives each run to exactly one. While a run
executes, a pulse thread writes its heartbeat and latest progress every `HEARTBEAT_SECONDS`
on its own connection (the procedure's progress hooks only note the values in memory, so a
hook never waits for a lock the procedure's own transaction holds). On SQLite the procedure's
transaction holds the one write lock, so the pulse first writes the beat beside the database
file (`beats`), which the status rule reads when the row's heartbeat is stale. A runner that
dies leaves its run `running` with an old heartbeat: shown 中断 once `STALE_AFTER` has passed.

At claim time the runner asks whether the starter may still act (`store.starter_refusal`: the
account active, the role the job needs): if not, the run ends refused, audited, unexecuted.

A failure is kept as a Chinese message on the run; the traceback goes to the log only.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from xinyong import catalog as catalogs
from xinyong import clock, jobs
from xinyong.config import Settings
from xinyong.db.session import make_engine
from xinyong.db.tables import JobRun
from xinyong.errors import XinyongError
from xinyong.log import get_logger
from xinyong.runs import beats, store
from xinyong.runs.procedures import Tools, execute

log = get_logger(__name__)

Now = Callable[[], datetime]


def engine_for(url: str) -> Engine:
    """The runner's engine: on SQLite each transaction takes the write lock at BEGIN (the
    procedure and the heartbeat thread are two writers of one process)."""
    return make_engine(url, immediate=True)


def runner_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident() % 100000}"


class Pulse:
    """The latest progress of the run in hand; `flush` writes it with the heartbeat."""

    def __init__(self, run_id: int, runner: str, folder: Path | None = None) -> None:
        self.run_id, self.runner, self.folder = run_id, runner, folder
        self.progress = store.Progress()
        self.changed = threading.Event()
        self._lock = threading.Lock()

    def report(self, done: int | None, total: int | None, phase: str) -> None:
        with self._lock:
            self.progress = store.Progress(done, total, phase or self.progress.phase)
        self.changed.set()

    def flush(self, session: Session, now: datetime) -> None:
        """The beat beside the database first (never waits for a lock), then the row."""
        with self._lock:
            progress = store.Progress(self.progress.done, self.progress.total, self.progress.phase)
        if self.folder is not None:
            beat = beats.Beat(now, self.runner, progress.done, progress.total, progress.phase)
            try:
                beats.write(self.folder, self.run_id, beat)
            except OSError:  # a folder that cannot be written: the row is still tried
                log.warning("run heartbeat file not written", run=self.run_id, exc_info=True)
        store.beat(session, self.run_id, progress, runner=self.runner, now=now)
        session.commit()


def _beating(pulse: Pulse, factory: sessionmaker[Session], now: Now, stop: threading.Event) -> None:
    """Write the pulse every HEARTBEAT_SECONDS, or within a second of new progress."""
    waited = 0.0
    while not stop.wait(1.0):
        waited += 1.0
        if not pulse.changed.is_set() and waited < store.HEARTBEAT_SECONDS:
            continue
        pulse.changed.clear()
        waited = 0.0
        try:
            with factory() as session:
                pulse.flush(session, now())
        except Exception:  # a busy database: the next beat tries again
            if pulse.folder is not None:  # SQLite: the run holds the write lock; the file beat
                log.info("run heartbeat kept beside the database only", run=pulse.run_id)
            else:
                log.warning("run heartbeat not written", run=pulse.run_id, exc_info=True)


def _tools(settings: Settings, today: date | None, now: datetime) -> Tools:
    return Tools(
        settings=settings,
        catalog=catalogs.load_catalog(settings.catalog_dir, settings.catalog_override_dir),
        calendar=catalogs.load_calendar(settings.catalog_dir,
                                        override_dir=settings.catalog_override_dir),
        today=today or settings.today or clock.today(), now=now,
    )  # fmt: skip


def work(
    session: Session, run: JobRun, settings: Settings, *, runner: str, now: Now = clock.now,
    factory: sessionmaker[Session] | None = None, today: date | None = None,
) -> JobRun:  # fmt: skip
    """Execute a run this runner has claimed, then record its end (committed). With `factory`,
    a pulse thread writes heartbeat and progress on its own connection as it goes; without
    (tests in one session), the last progress is written with the end."""
    folder = beats.folder_of(session.get_bind())
    pulse = Pulse(run.id, runner, folder)
    stop = threading.Event()
    beating = None
    if factory is not None:
        beating = threading.Thread(target=_beating, args=(pulse, factory, now, stop), daemon=True,
                                   name=f"run-{run.id}-pulse")  # fmt: skip
        beating.start()
    result, summary, message = None, None, None
    try:
        result, summary = execute(session, run, store.actor_of(run),
                                  _tools(settings, today, now()), pulse.report)  # fmt: skip
    except XinyongError as exc:
        message = exc.message
    except Exception:  # the page shows the Chinese message; the log keeps the trace
        log.exception("run failed", run=run.id, job=run.job)
        message = jobs.FAILED_MESSAGE
    finally:
        try:  # end the procedure's transaction first: a beat waiting for its lock goes on
            if message is None:
                session.commit()  # the procedures commit their own work; this ends a read
            else:
                session.rollback()  # what is not committed (committed chunks stay for a re-run)
        finally:
            stop.set()
            if beating is not None:
                beating.join(timeout=store.HEARTBEAT_SECONDS + 5)
    run = store.get(session, run.id)
    if pulse.progress.phase is not None:
        run.done, run.total = pulse.progress.done, pulse.progress.total
    store.finish(session, run, now=now(), result=result, summary=summary, message=message)
    session.commit()
    beats.remove(folder, run.id)  # the row holds the last word
    return run


def run_next(
    session: Session, settings: Settings, *, runner: str | None = None, now: Now = clock.now,
    factory: sessionmaker[Session] | None = None, today: date | None = None,
    run_id: int | None = None,
) -> JobRun | None:  # fmt: skip
    """Claim the oldest queued run (or `run_id`) and execute it; None when nothing waits."""
    name = runner or runner_name()
    run = store.claim(session, runner=name, now=now(), run_id=run_id)
    if run is None:
        return None
    refusal = store.starter_refusal(session, run)
    if refusal is not None:  # the starter was deactivated or lost the role while it waited
        store.refuse(session, run, now=now(), message=refusal)
        session.commit()
        log.info("run refused", run=run.id, job=run.job, runner=name)
        return run
    session.commit()  # end the read (on SQLite: the write lock): the heartbeat may write
    log.info("run started", run=run.id, job=run.job, runner=name)
    return work(session, run, settings, runner=name, now=now, factory=factory, today=today)


def serve(
    factory: sessionmaker[Session], settings: Settings, *, stop: threading.Event,
    poll: float = 2.0, once: bool = False,
) -> int:  # fmt: skip
    """Execute queued runs until `stop` is set (or, `once`, until none waits); how many ran."""
    name = runner_name()
    count = 0
    while not stop.is_set():
        try:
            with factory() as session:
                ran = run_next(session, settings, runner=name, factory=factory)
        except Exception:  # the database is away for a moment: try again after the poll
            log.exception("runner could not claim", runner=name)
            ran = None
        if ran is not None:
            count += 1
            continue
        if once:
            break
        stop.wait(poll)
    return count
