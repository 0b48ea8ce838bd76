"""/admin/jobs: each job in Chinese with its last recorded run; the admin runs one now (audited);
a failure is shown in Chinese with nothing changed."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories.workflows import make_user
from xinyong import signing
from xinyong.audit import AuditAction
from xinyong.config import Settings
from xinyong.db.tables import AuditEntry
from xinyong.enums import Role

HTML = {"Accept": "text/html"}


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    key = tmp_path / "office.pem"
    signing.ensure_key(key)
    return settings.model_copy(update={"query_log_retention_years": 2, "signing_key": key})


def _login(client: TestClient, session: Session, role: Role = Role.ADMIN) -> None:
    _, username = make_user(session, role)
    client.post("/admin/login", data={"username": username, "password": "password123"})


def test_the_admin_runs_the_deadlines_job_and_sees_its_last_run(
    client: TestClient, session: Session
) -> None:
    _login(client, session)
    page = client.get("/admin/jobs").text
    for title in ("待办期限日报", "重算信用工作看板", "清理超过保存期限的日志"):
        assert title in page
    assert "通常几秒钟" in page
    ran = client.post("/admin/jobs/deadlines/run")
    assert ran.status_code == 200, ran.text
    assert "“待办期限日报”已运行完成" in ran.text
    row = session.execute(select(AuditEntry).where(
        AuditEntry.action == AuditAction.JOB_RUN.value, AuditEntry.target_id == "deadlines")
        .order_by(AuditEntry.id.desc())).scalars().first()  # fmt: skip
    assert row is not None
    assert row.after is not None
    assert row.after["ok"] is True
    assert row.after["summary"].startswith("待办 ")
    again = client.get("/admin/jobs").text
    last = again.split('id="job-deadlines"')[1].split("</tr>")[0]
    assert "成功" in last
    assert row.after["summary"] in last


def test_the_dashboard_job_runs_from_the_page(client: TestClient, session: Session) -> None:
    _login(client, session)
    ran = client.post("/admin/jobs/dashboard/run")
    assert "“重算信用工作看板”已运行完成" in ran.text
    assert "项指标" in ran.text


def test_a_failing_job_is_shown_in_chinese_and_recorded(
    client: TestClient, session: Session
) -> None:
    """The module's settings keep logs 2 years, below the legal minimum: refused, recorded."""
    _login(client, session)
    ran = client.post("/admin/jobs/retention/run", headers=HTML)
    assert ran.status_code == 200
    assert "运行失败，未作任何修改" in ran.text
    assert "不得少于 5 年" in ran.text, ran.text.split("job-failed")[1][:300]
    assert "Traceback" not in ran.text
    assert session.scalar(select(AuditEntry.id).where(
        AuditEntry.action == AuditAction.JOB_FAILED.value,
        AuditEntry.target_id == "retention")) is not None  # fmt: skip
    unknown = client.post("/admin/jobs/nothing/run", headers=HTML)
    assert unknown.status_code == 404
    assert "未知的任务" in unknown.text


def test_only_the_credit_office_runs_jobs(client: TestClient, session: Session) -> None:
    _login(client, session, Role.AUDITOR)
    assert client.get("/admin/jobs", headers=HTML).status_code == 403
    assert client.post("/admin/jobs/deadlines/run", headers=HTML).status_code == 403
