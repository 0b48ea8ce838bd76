"""Background runs (xinyong/runs): a run is claimed by exactly one runner, its progress is
written on the runner's own connection as it goes, its end is recorded and audited; starting is
checked in the domain (who may start which job, which parameters)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from tests.databases import delete_runs
from tests.factories.workflows import make_user
from xinyong import clock, runs
from xinyong.audit import Actor, AuditAction
from xinyong.config import Settings
from xinyong.db.session import make_sessionmaker
from xinyong.db.tables import AuditEntry, JobRun
from xinyong.enums import Role, RunStatus
from xinyong.errors import Forbidden, InvalidInput
from xinyong.runs import runner, store

OFFICE = Actor(kind="user", id=1, label="信用办", role=Role.ADMIN)


@pytest.fixture
def factory(engine: Engine) -> Iterator[sessionmaker[Session]]:
    """Sessions that commit for real (two runners are two connections); their runs are
    deleted afterwards (audit rows, if any, stay: the chain is append-only). `maker.office` is
    a committed, active credit-office account (a runner checks the starter at claim time)."""
    made: list[int] = []
    maker = make_sessionmaker(engine)
    maker.made = made  # type: ignore[attr-defined]
    with maker() as session:
        maker.office = make_user(session, Role.ADMIN)[0]  # type: ignore[attr-defined]
        session.commit()
    yield maker
    delete_runs(engine, made)


def _committed(factory: sessionmaker[Session], job: str = "deadlines") -> int:
    office = factory.office  # type: ignore[attr-defined]
    with factory() as session:
        run = JobRun(job=job, params={}, started_by=office.label, actor=store.actor_data(office),
                     status=RunStatus.QUEUED.value, queued_at=clock.now())  # fmt: skip
        session.add(run)
        session.commit()
        factory.made.append(run.id)  # type: ignore[attr-defined]
        return run.id


def test_two_runners_claim_each_run_once(factory: sessionmaker[Session]) -> None:
    ids = [_committed(factory) for _ in range(6)]
    barrier = threading.Barrier(2)
    taken: dict[str, list[int]] = {"a": [], "b": []}
    failed: list[BaseException] = []

    def take(name: str) -> None:
        try:
            with factory() as session:
                barrier.wait()
                for run_id in ids:  # both race for every run
                    run = store.claim(session, runner=name, now=clock.now(), run_id=run_id)
                    if run is not None:
                        assert run.runner == name
                        taken[name].append(run.id)
        except BaseException as exc:
            failed.append(exc)

    threads = [threading.Thread(target=take, args=(n,)) for n in taken]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert failed == []
    assert sorted(taken["a"] + taken["b"]) == ids  # every run claimed …
    assert set(taken["a"]).isdisjoint(taken["b"])  # … by one runner only
    with factory() as session:
        rows = session.scalars(select(JobRun).where(JobRun.id.in_(ids))).all()
        assert {r.status for r in rows} == {RunStatus.RUNNING.value}
        assert {r.runner for r in rows} <= {"a", "b"}


def test_the_runner_writes_progress_as_it_goes_and_records_the_end(
    factory: sessionmaker[Session], settings: Settings, monkeypatch: pytest.MonkeyPatch,
    database_url: str,
) -> None:  # fmt: skip
    run_id = _committed(factory)
    office = factory.office  # type: ignore[attr-defined]
    factory = make_sessionmaker(runner.engine_for(database_url))  # as `xinyong jobs worker`
    seen: list[Any] = []

    def procedure(session: Session, run: JobRun, actor: Actor, tools: Any, report: Any) -> Any:
        assert actor.label == office.label  # the run acts as who started it
        report(1, 4, "第一步")
        deadline = time.monotonic() + 10  # the pulse thread writes within a second or so
        while time.monotonic() < deadline:
            with factory() as other:  # another connection sees the progress already
                row = other.get(JobRun, run_id)
                if row is not None and row.phase == "第一步":
                    seen.append((row.done, row.total, row.status))
                    break
            time.sleep(0.1)
        report(4, 4, "最后一步")
        return {"n": 4}, "完成了四件事"

    monkeypatch.setattr(runner, "execute", procedure)
    with factory() as session:
        ran = runner.run_next(session, settings, run_id=run_id, factory=factory)
    assert ran is not None
    assert seen == [(1, 4, RunStatus.RUNNING.value)]
    with factory() as session:
        row = session.get(JobRun, run_id)
        assert row is not None
        assert row.status == RunStatus.SUCCEEDED.value
        assert (row.done, row.total, row.summary, row.result) == (4, 4, "完成了四件事", {"n": 4})
        assert row.finished_at is not None
        view = runs.view(row, clock.now())
        assert view["percent"] == 100
        assert view["status_label"] == "已完成"
        assert session.scalar(select(AuditEntry.id).where(
            AuditEntry.action == AuditAction.RUN_FINISHED.value,
            AuditEntry.target_id == str(run_id))) is not None  # fmt: skip


def test_starting_is_checked_in_the_domain(session: Session) -> None:
    officer = Actor(kind="user", id=2, label="部门", role=Role.OFFICER, provider_id=1)
    with pytest.raises(Forbidden):
        runs.start(session, "deadlines", actor=officer, now=clock.now())
    with pytest.raises(InvalidInput, match="不接受参数"):
        runs.start(session, "deadlines", actor=OFFICE, now=clock.now(), params={"x": 1})
    with pytest.raises(InvalidInput, match="YYYY-MM"):
        runs.start(session, "dashboard", actor=OFFICE, now=clock.now(), params={"month": "13"})
    with pytest.raises(InvalidInput, match="上传"):  # a caller never names a server file
        runs.start(session, runs.EXCHANGE_IMPORT, actor=OFFICE, now=clock.now(),
                   params={"path": "/etc/passwd"})  # fmt: skip
    run, new = runs.start(session, "dashboard", actor=OFFICE, now=clock.now(),
                          params={"month": "2026-11"}, reason="复核")  # fmt: skip
    assert new
    assert run.status == RunStatus.QUEUED
    again, new = runs.start(session, "dashboard", actor=OFFICE, now=clock.now(),
                            params={"month": "2026-11"})  # fmt: skip
    assert (again.id, new) == (run.id, False)  # the one waiting, not a second
    other, new = runs.start(session, "dashboard", actor=OFFICE, now=clock.now(),
                            params={"month": "2026-10"})  # fmt: skip
    assert new
    assert other.id != run.id


def test_a_run_acts_as_its_starter_with_the_credit_office_flag_of_its_key() -> None:
    """A run started with the credit office's own API key keeps that key's office rights in the
    runner (`auth.is_credit_office`); a key without the flag stays without them."""
    for flag in (True, False):
        key = Actor("api_client", 7, "接口:信用办", Role.OFFICER, None, credit_office=flag)
        rebuilt = store.actor_of(JobRun(actor=store.actor_data(key), started_by=key.label))
        assert rebuilt == key
        assert rebuilt.credit_office is flag
