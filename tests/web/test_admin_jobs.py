"""/admin/jobs: each job in Chinese with its last recorded run; 立即运行 queues a background run
(audited) and goes to the run's page, which shows its progress and then its result or the
Chinese error — never a traceback. Runs are executed here as the runner does
(tests/factories/runs.py), in the test's session."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tests.factories.runs import execute, run_id_of
from tests.factories.workflows import make_user
from xinyong import clock, jobs, runs, signing
from xinyong.audit import AuditAction
from xinyong.config import Settings
from xinyong.db.tables import AuditEntry, JobRun
from xinyong.enums import Role, RunStatus

HTML = {"Accept": "text/html"}


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    key = tmp_path / "office.pem"
    signing.ensure_key(key)
    return settings.model_copy(update={"query_log_retention_years": 2, "signing_key": key,
                                       "data_dir": tmp_path})  # fmt: skip


def _login(client: TestClient, session: Session, role: Role = Role.ADMIN) -> None:
    _, username = make_user(session, role)
    client.post("/admin/login", data={"username": username, "password": "password123"})


def _audit(session: Session, action: AuditAction, target_id: str) -> AuditEntry | None:
    return session.execute(select(AuditEntry).where(
        AuditEntry.action == action.value, AuditEntry.target_id == target_id)
        .order_by(AuditEntry.id.desc())).scalars().first()  # fmt: skip


def test_run_now_queues_a_run_and_its_page_follows_it_to_the_end(
    client: TestClient, session: Session, settings: Settings
) -> None:
    _login(client, session)
    page = client.get("/admin/jobs").text
    for title in ("待办期限日报", "重算信用工作看板", "清理超过保存期限的日志", "收发信息交换包"):
        assert title in page
    assert 'id="run-exchange"' in page  # the exchange job has its button
    assert "通常几秒钟" in page
    queued = client.post("/admin/jobs/deadlines/run", data={"reason": "月底核对"})
    assert queued.status_code == 200, queued.text
    run_id = run_id_of(queued)
    assert "排队中" in queued.text
    assert 'src="/static/runs.js"' in queued.text
    assert "<script>" not in queued.text  # no inline script (strict CSP)
    started = _audit(session, AuditAction.RUN_QUEUED, str(run_id))
    assert started is not None
    assert started.after == {"job": "deadlines", "params": {}}
    assert started.reason == "月底核对"
    progress = client.get(f"/admin/runs/{run_id}/progress").json()
    assert progress["status"] == "queued"
    assert progress["active"] is True
    execute(session, settings, run_id)
    done = client.get(f"/admin/runs/{run_id}").text
    assert "已完成" in done
    assert 'id="run-done"' in done
    assert "待办 " in done
    assert "月底核对" in done
    final = client.get(f"/admin/runs/{run_id}/progress").json()
    assert final["status"] == "succeeded"
    assert final["percent"] == 100
    assert final["result"]["waiting"] >= 0
    row = _audit(session, AuditAction.JOB_RUN, "deadlines")  # recorded as `jobs run` records
    assert row is not None
    assert row.after is not None
    assert row.after["summary"].startswith("待办 ")
    assert _audit(session, AuditAction.RUN_FINISHED, str(run_id)) is not None
    again = client.get("/admin/jobs").text
    last = again.split('id="job-deadlines"')[1].split("</tr>")[0]
    assert "成功" in last
    assert f'href="/admin/runs/{run_id}"' in again  # the recent runs


def test_a_second_click_shows_the_run_already_waiting(client: TestClient, session: Session) -> None:
    _login(client, session)
    first = run_id_of(client.post("/admin/jobs/dashboard/run"))
    second = run_id_of(client.post("/admin/jobs/dashboard/run"))
    assert first == second
    assert session.query(JobRun).filter(JobRun.job == "dashboard",
                                        JobRun.status == RunStatus.QUEUED).count() == 1  # fmt: skip


def test_the_exchange_job_has_its_button_and_runs(
    client: TestClient, session: Session, settings: Settings
) -> None:
    _login(client, session)
    run_id = run_id_of(client.post("/admin/jobs/exchange/run"))
    run = execute(session, settings, run_id)
    assert run.status == RunStatus.SUCCEEDED, run.message
    assert run.summary is not None
    assert run.summary.startswith("收到交换包 0 个")
    row = _audit(session, AuditAction.JOB_RUN, "exchange")  # /admin/jobs shows its last run
    assert row is not None
    last = client.get("/admin/jobs").text.split('id="job-exchange"')[1].split("</tr>")[0]
    assert "成功" in last


def test_the_dashboard_job_runs_in_the_background(
    client: TestClient, session: Session, settings: Settings
) -> None:
    _login(client, session)
    run_id = run_id_of(client.post("/admin/jobs/dashboard/run"))
    run = execute(session, settings, run_id)
    assert run.status == RunStatus.SUCCEEDED
    assert "项指标" in client.get(f"/admin/runs/{run_id}").text


def test_a_failing_job_is_shown_in_chinese_and_recorded(
    client: TestClient, session: Session, settings: Settings
) -> None:
    """The module's settings keep logs 2 years, below the legal minimum: refused, recorded."""
    _login(client, session)
    run_id = run_id_of(client.post("/admin/jobs/retention/run", headers=HTML))
    run = execute(session, settings, run_id)
    assert run.status == RunStatus.FAILED
    page = client.get(f"/admin/runs/{run_id}", headers=HTML).text
    assert 'id="run-failed"' in page
    assert "不得少于 5 年" in page
    assert "Traceback" not in page
    assert 'id="run-again"' in page
    assert _audit(session, AuditAction.JOB_FAILED, "retention") is not None
    assert _audit(session, AuditAction.RUN_FAILED, str(run_id)) is not None
    unknown = client.post("/admin/jobs/nothing/run", headers=HTML)
    assert unknown.status_code == 404


def test_an_unexpected_error_shows_a_chinese_message_and_logs_the_trace(
    client: TestClient, session: Session, settings: Settings, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    def broken(*_: object, **__: object) -> dict[str, object]:
        raise ZeroDivisionError("internal detail")

    monkeypatch.setitem(jobs.JOBS, "deadlines", broken)
    _login(client, session)
    run_id = run_id_of(client.post("/admin/jobs/deadlines/run"))
    execute(session, settings, run_id)
    page = client.get(f"/admin/runs/{run_id}").text
    assert jobs.FAILED_MESSAGE in page
    assert "ZeroDivisionError" not in page
    assert "internal detail" not in page
    body = client.get(f"/api/v1/runs/{run_id}").json()
    assert body["status"] == "failed"
    assert body["message"] == jobs.FAILED_MESSAGE


def test_a_run_whose_runner_died_is_shown_interrupted_and_starts_again(
    client: TestClient, session: Session
) -> None:
    """A runner claimed it and beat last STALE_AFTER and a second before the clock's now (it
    died then): the page computes 中断 from that time and now, no flag set by anyone."""
    _login(client, session)
    run_id = run_id_of(client.post("/admin/jobs/deadlines/run"))
    fresh = runs.claim(session, runner="a-runner", now=clock.now(), run_id=run_id)
    assert fresh is not None
    assert client.get(f"/admin/runs/{run_id}/progress").json()["status"] == "running"
    died = clock.now() - runs.STALE_AFTER - timedelta(seconds=1)
    session.execute(update(JobRun).where(JobRun.id == run_id).values(heartbeat_at=died))
    page = client.get(f"/admin/runs/{run_id}").text
    assert 'id="run-interrupted"' in page
    assert "中断" in page
    listed = client.get("/admin/runs", params={"status": "interrupted"}).text
    assert f'id="run-{run_id}"' in listed
    assert f'id="run-{run_id}"' not in client.get("/admin/runs", params={"status": "running"}).text
    again = client.post(f"/admin/runs/{run_id}/again")
    new_id = run_id_of(again)
    assert new_id != run_id  # an interrupted run no longer blocks a new one
    assert "排队中" in again.text


def test_the_heartbeat_keeps_a_long_run_running(session: Session, operator: object) -> None:
    """Time is an input: the same heartbeat is fresh or stale by the `now` it is read with."""
    at = clock.now()
    run = JobRun(job="deadlines", params={}, started_by="测试", actor={}, queued_at=at,
                 status=RunStatus.RUNNING.value, heartbeat_at=at)  # fmt: skip
    session.add(run)
    session.flush()
    assert runs.shown_status(run, at + runs.STALE_AFTER) == RunStatus.RUNNING
    assert runs.shown_status(run, at + runs.STALE_AFTER + timedelta(seconds=1)) == (
        RunStatus.INTERRUPTED
    )
    session.execute(update(JobRun).where(JobRun.id == run.id).values(status=RunStatus.FAILED))
    session.refresh(run)
    assert runs.shown_status(run, at + timedelta(days=9)) == RunStatus.FAILED


def test_only_the_credit_office_starts_runs(client: TestClient, session: Session) -> None:
    _login(client, session, Role.AUDITOR)
    assert client.post("/admin/jobs/deadlines/run").status_code == 403
    assert client.get("/admin/runs").status_code == 403
