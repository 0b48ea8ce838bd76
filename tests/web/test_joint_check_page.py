"""/admin/check: an officer's joint check and feedback on a page (no API key, no command line),
through the same actions as `POST /api/v1/checks` and its feedback: logged and audited."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import make_provider, make_subject
from tests.factories.lists import listed
from tests.factories.workflows import make_user
from xinyong import audit
from xinyong.audit import Actor, AuditAction
from xinyong.catalog import Catalog
from xinyong.clock import Calendar
from xinyong.db.tables import Check, CheckFeedback
from xinyong.enums import Role

PROPOSED = date(2026, 10, 12)  # decided and published before the app's today (2026-11-23)


def _officer(client: TestClient, session: Session) -> None:
    _, username = make_user(session, Role.OFFICER, provider=make_provider(session))
    client.post("/admin/login", data={"username": username, "password": "password123"})


def test_an_officer_checks_a_listed_subject_and_feeds_back(
    client: TestClient, session: Session, catalog: Catalog, calendar: Calendar
) -> None:
    subject = make_subject(session, name="页面核查欠薪有限公司")
    deciding = Actor(kind="user", id=77, label="认定人员", role=Role.OFFICER)
    listed(session, subject, "wage_arrears", catalog=catalog, calendar=calendar, actor=deciding,
           proposed_on=PROPOSED)  # fmt: skip
    _officer(client, session)
    assert "核查事项" in client.get("/admin/check").text
    page = client.post("/admin/check", data={"code": subject.code, "matter": "procurement"})
    assert page.status_code == 200, page.text
    assert "页面核查欠薪有限公司" in page.text
    assert "《中华人民共和国政府采购法》第二十二条" in page.text  # each measure with its basis
    assert "（强制性措施）" in page.text
    check = session.execute(select(Check).where(Check.subject_id == subject.id)).scalars().one()
    assert check.matter == "procurement"  # the check is logged: who, whom, for what
    refused = client.post(f"/admin/check/{check.check_id}/feedback", data={})
    assert refused.status_code == 422
    assert 'id="check-error"' in refused.text
    assert "须说明理由" in refused.text
    assert 'id="feedback"' in refused.text  # the form comes back to be completed
    done = client.post(
        f"/admin/check/{check.check_id}/feedback",
        data={
            "applied-procurement_exclusion": "true",
            "reason-wage_arrears_restrictions": "本事项不涉及",
        },
    )
    assert done.status_code == 200, done.text
    assert 'id="feedback-done"' in done.text
    rows = session.execute(
        select(CheckFeedback).where(CheckFeedback.check_id == check.check_id)
    ).scalars()
    applied = {r.measure_id: r.applied for r in rows}
    assert applied == {"procurement_exclusion": True, "wage_arrears_restrictions": False}
    actions = [e.action for e in audit.list_audit(session, limit=5)]
    assert AuditAction.CHECK_FEEDBACK_RECORDED in actions
    again = client.post(f"/admin/check/{check.check_id}/feedback", data={})
    assert again.status_code == 409
    assert "不能重复反馈" in again.text


def test_a_bad_code_is_refused_in_chinese_on_the_page(client: TestClient, session: Session) -> None:
    _officer(client, session)
    page = client.post("/admin/check", data={"code": "not-a-code", "matter": "procurement"})
    assert page.status_code == 422
    assert 'id="check-error"' in page.text
    assert 'value="not-a-code"' in page.text
