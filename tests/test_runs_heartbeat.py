"""The heartbeat of a run that holds the write lock (ADR 0017 addendum): a procedure running as
one long transaction stays 运行中 past `STALE_AFTER` — on SQLite its beat is kept beside the
database file, which the one status rule reads when the row's heartbeat is stale — and a run
whose runner died is still 中断. Time is an input: the runner's clock is advanced, nobody sleeps
five minutes."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from tests.factories.workflows import make_user
from xinyong import clock, runs
from xinyong.audit import Actor
from xinyong.clock import as_utc
from xinyong.config import Settings
from xinyong.db.session import is_postgres, make_engine, make_sessionmaker
from xinyong.db.tables import JobRun
from xinyong.enums import Role, RunStatus
from xinyong.runs import beats, runner, store


def test_a_run_holding_the_write_lock_past_the_threshold_stays_running(
    engine: Engine, database_url: str, settings: Settings, made_runs: list[int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    plain = make_sessionmaker(engine)
    with plain() as session:
        office = make_user(session, Role.ADMIN)[0]
        run, _ = runs.start(session, "deadlines", actor=office, now=clock.now())
        session.commit()
        made_runs.append(run.id)
    moment = [clock.now()]  # the runner's clock: advanced by the procedure

    seen: dict[str, Any] = {}

    def procedure(session: Session, job: JobRun, actor: Actor, tools: Any, report: Any) -> Any:
        # one transaction that writes: on SQLite it holds the one write lock until it ends
        session.execute(update(JobRun).where(JobRun.id < 0).values(done=None))
        moment[0] += runs.STALE_AFTER + timedelta(minutes=1)  # six minutes later …
        report(1, 2, "长事务进行中")  # … the pulse beats within a second
        deadline = time.monotonic() + 15
        with make_sessionmaker(make_engine(database_url))() as reader:  # the web's view
            while time.monotonic() < deadline:
                row = reader.get(JobRun, job.id)
                assert row is not None
                reader.refresh(row)
                shown = runs.view(row, moment[0])
                if shown["phase"] == "长事务进行中":
                    now = moment[0]
                    listed = runs.recent(reader, now=now, status=RunStatus.RUNNING)
                    lost = runs.recent(reader, now=now, status=RunStatus.INTERRUPTED)
                    seen.update(shown, row_beat=row.heartbeat_at, listed=[r.id for r in listed],
                                lost=[r.id for r in lost])  # fmt: skip
                    break
                reader.rollback()
                time.sleep(0.1)
        return {"n": 1}, "长事务完成"

    monkeypatch.setattr(runner, "execute", procedure)
    factory = make_sessionmaker(runner.engine_for(database_url))  # as `xinyong jobs worker`
    with factory() as session:
        ran = runner.run_next(session, settings, run_id=run.id, factory=factory,
                              now=lambda: moment[0])  # fmt: skip
    assert ran is not None
    assert seen["status"] == RunStatus.RUNNING.value  # not 中断, though the lock was held
    assert (seen["done"], seen["total"]) == (1, 2)  # the progress, too
    assert run.id in seen["listed"]
    assert run.id not in seen["lost"]
    if not is_postgres(engine):  # the row could not be written: the beat beside the file told
        assert as_utc(seen["row_beat"]) < moment[0] - runs.STALE_AFTER
        folder = beats.folder_of(engine)
        assert folder is not None
        assert beats.read(folder, run.id) is None  # removed when the run ended
    with plain() as session:
        row = session.get(JobRun, run.id)
        assert row is not None
        assert row.status == RunStatus.SUCCEEDED.value
        assert row.summary == "长事务完成"


def test_the_beat_beside_the_file_keeps_a_run_only_while_it_is_fresh(session: Session) -> None:
    """One rule: running while the row's or the side beat is within STALE_AFTER before now; a
    beat of another runner, or from before the run started, does not count."""
    t0 = clock.now()
    run = JobRun(job="deadlines", params={}, started_by="测试", actor={}, queued_at=t0,
                 status=RunStatus.RUNNING.value, runner="r1", started_at=t0,
                 heartbeat_at=t0)  # fmt: skip
    session.add(run)
    session.flush()
    folder = beats.folder_of(session.get_bind())
    later = t0 + runs.STALE_AFTER + timedelta(minutes=3)
    assert runs.shown_status(run, later) == RunStatus.INTERRUPTED  # no beat beside the file
    if folder is None:  # PostgreSQL: the row's heartbeat is the only one (never blocked)
        assert is_postgres(session)
        return
    try:
        beats.write(folder, run.id, beats.Beat(t0 + timedelta(minutes=4), "r2"))
        assert runs.shown_status(run, later) == RunStatus.INTERRUPTED  # another runner's
        beats.write(folder, run.id, beats.Beat(t0 - timedelta(minutes=1), "r1"))
        assert runs.shown_status(run, t0 + timedelta(minutes=1)) == RunStatus.RUNNING  # the row
        assert runs.shown_status(run, later) == RunStatus.INTERRUPTED  # before its start
        beats.write(folder, run.id, beats.Beat(t0 + timedelta(minutes=4), "r1", 3, 9, "第三批"))
        assert runs.shown_status(run, later) == RunStatus.RUNNING
        assert runs.view(run, later)["phase"] == "第三批"
        assert runs.shown_status(run, t0 + timedelta(minutes=9, seconds=1)) == (
            RunStatus.INTERRUPTED
        )  # the runner died after its last beat
        assert runs.recent(session, now=later, status=RunStatus.RUNNING)[0].id == run.id
    finally:
        beats.remove(folder, run.id)


def test_the_pulse_writes_the_side_beat_before_the_row(tmp_path: Path) -> None:
    """Pulse.flush: the file first (it never waits for a lock), then the row."""
    order: list[str] = []
    pulse = runner.Pulse(7, "r1", tmp_path)
    pulse.report(2, 5, "第二步")

    class Recorder:
        def execute(self, *_: Any, **__: Any) -> Any:
            order.append("row" if (tmp_path / "7.json").exists() else "row-before-file")
            return type("R", (), {"rowcount": 1})()

        def commit(self) -> None:
            order.append("commit")

    pulse.flush(Recorder(), clock.now())  # type: ignore[arg-type]
    assert order == ["row", "commit"]
    beat = beats.read(tmp_path, 7)
    assert beat is not None
    assert (beat.runner, beat.done, beat.total, beat.phase) == ("r1", 2, 5, "第二步")
    assert runs.STALE_AFTER.total_seconds() / 10 >= store.HEARTBEAT_SECONDS
