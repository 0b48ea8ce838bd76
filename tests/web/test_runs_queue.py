"""The queue of background runs: two starts of the same job with the same parameters at the same
instant queue ONE run (the database's partial unique index decides, the second is answered with
the first), and a queued run whose starter can no longer act is refused when a runner claims it
(asked of auth: the account active, the role the job needs) — on its page, API and CLI list."""

from __future__ import annotations

import contextlib
import threading
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tests.factories.accounts import signed_in
from tests.factories.runs import execute, run_id_of
from tests.factories.workflows import make_user
from xinyong import clock, runs
from xinyong.audit import Actor, AuditAction
from xinyong.auth import accounts
from xinyong.config import Settings
from xinyong.db.session import make_sessionmaker
from xinyong.db.tables import AuditEntry, JobRun, User
from xinyong.enums import Role, RunStatus
from xinyong.runs import store

SYSTEM = Actor.system("测试")


def _month() -> str:
    """A month no other test (or worker on the same PostgreSQL) queues a dashboard run for."""
    n = uuid.uuid4().int
    return f"{2100 + n % 800}-{n // 800 % 12 + 1:02d}"


def test_two_starts_at_the_same_instant_queue_one_run(
    engine: Engine, made_runs: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both starts are made to find nothing waiting (the race the check alone lost): the unique
    index of the queued runs refuses the second insert, which answers with the first run."""
    factory = make_sessionmaker(engine)
    with factory() as session:
        office = make_user(session, Role.ADMIN)[0]
        session.commit()
    month = _month()  # parameters no other test queues
    barrier = threading.Barrier(2, timeout=3)
    real = store._waiting
    looked: set[int] = set()

    def race(*args: Any) -> JobRun | None:
        me = threading.get_ident()
        if me not in looked:  # the first look of each start: both see nothing waiting
            looked.add(me)
            with contextlib.suppress(threading.BrokenBarrierError):  # SQLite: the other waits
                barrier.wait()  # for the write lock its start takes first
            return None
        return real(*args)

    monkeypatch.setattr(store, "_waiting", race)
    answers: list[tuple[int, bool]] = []
    failed: list[BaseException] = []

    def click() -> None:
        try:
            with factory() as session:
                run, new = runs.start(session, "dashboard", actor=office, now=clock.now(),
                                      params={"month": month})  # fmt: skip
                session.commit()
                answers.append((run.id, new))
        except BaseException as exc:
            failed.append(exc)

    threads = [threading.Thread(target=click) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    made_runs.extend(i for i, _ in answers)
    assert failed == []
    assert len(answers) == 2
    assert answers[0][0] == answers[1][0]  # one run …
    assert sorted(new for _, new in answers) == [False, True]  # … queued once, shown twice
    with factory() as session:
        queued = session.scalars(select(JobRun.id).where(
            JobRun.job == "dashboard", JobRun.status == RunStatus.QUEUED.value,
            JobRun.params_digest == store.params_digest({"month": month}))).all()  # fmt: skip
        assert list(queued) == [answers[0][0]]
        audited = session.scalars(select(AuditEntry.id).where(
            AuditEntry.action == AuditAction.RUN_QUEUED.value,
            AuditEntry.target_id == str(answers[0][0]))).all()  # fmt: skip
        assert len(audited) == 1  # the answer with the existing run queued nothing


def test_the_database_itself_refuses_a_second_queued_twin(session: Session) -> None:
    at = clock.now()
    month = _month()
    digest = store.params_digest({"month": month})

    def twin() -> JobRun:
        return JobRun(job="dashboard", params={"month": month}, params_digest=digest,
                      started_by="测试", actor={}, status=RunStatus.QUEUED.value,
                      queued_at=at)  # fmt: skip

    session.add(twin())
    session.flush()
    nested = session.begin_nested()
    session.add(twin())
    with pytest.raises(IntegrityError):
        session.flush()
    nested.rollback()
    assert session.scalar(select(JobRun.id).where(JobRun.params_digest == digest)) is not None
    done = twin()  # a finished twin is history, not waiting: allowed
    done.status = RunStatus.SUCCEEDED.value
    session.add(done)
    session.flush()


def test_the_api_answers_a_second_start_with_the_waiting_run(
    client: TestClient, session: Session
) -> None:
    signed_in(client, session, Role.ADMIN)
    asked = {"job": "dashboard", "params": {"month": _month()}}
    first = client.post("/api/v1/runs", json=asked)
    again = client.post("/api/v1/runs", json=asked)
    assert (first.status_code, again.status_code) == (202, 200)
    assert again.json()["id"] == first.json()["id"]


def _starter_loses(session: Session, client: TestClient, change: dict[str, Any]) -> int:
    """A credit-office account queues a run, then its account changes (`change`) before a runner
    claims it; another officer looks at the run afterwards."""
    starter, _ = make_user(session, Role.ADMIN)
    run, _new = runs.start(session, "deadlines", actor=starter, now=clock.now(), reason="测试")
    session.execute(update(User).where(User.id == starter.id).values(**change))
    signed_in(client, session, Role.ADMIN)
    return run.id


def test_a_deactivated_starters_queued_run_is_refused(
    client: TestClient, session: Session, settings: Settings
) -> None:
    starter, _ = make_user(session, Role.ADMIN)
    run, _new = runs.start(session, "deadlines", actor=starter, now=clock.now(), reason="测试")
    user = session.get(User, starter.id)
    assert user is not None
    accounts.set_active(session, user, False, "离职", actor=SYSTEM)  # the audited deactivation
    signed_in(client, session, Role.ADMIN)
    ended = execute(session, settings, run.id)
    assert ended.status == RunStatus.REFUSED.value
    assert ended.message is not None
    assert "已被停用" in ended.message
    assert ended.result is None  # nothing was executed
    page = client.get(f"/admin/runs/{run.id}").text
    assert 'id="run-refused-reason"' in page
    assert "已被停用" in page
    assert "未运行" in page
    body = client.get(f"/api/v1/runs/{run.id}").json()
    assert (body["status"], body["active"]) == ("refused", False)
    row = session.scalars(select(AuditEntry).where(
        AuditEntry.action == AuditAction.RUN_REFUSED.value,
        AuditEntry.target_id == str(run.id))).one()  # fmt: skip
    assert row.after is not None
    assert row.after["started_by"] == starter.label
    listed = client.get("/admin/runs", params={"status": "refused"}).text
    assert f'id="run-{run.id}"' in listed


def test_a_starter_who_lost_the_role_has_the_run_refused(
    client: TestClient, session: Session, settings: Settings
) -> None:
    run_id = _starter_loses(session, client, {"role": Role.AUDITOR.value})
    ended = execute(session, settings, run_id)
    assert ended.status == RunStatus.REFUSED.value
    assert ended.message is not None
    assert "角色" in ended.message


def test_an_active_starter_still_runs(
    client: TestClient, session: Session, settings: Settings
) -> None:
    signed_in(client, session, Role.ADMIN)
    run_id = run_id_of(client.post("/admin/jobs/deadlines/run"))
    assert execute(session, settings, run_id).status == RunStatus.SUCCEEDED.value
