"""Officers record 约谈 with dishonest subjects and their follow-up, through the admin pages."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import make_provider, make_subject
from tests.factories.workflows import make_penalty, make_user
from xinyong import interviews
from xinyong.enums import Role


def _log_in(client: TestClient, username: str) -> None:
    client.post("/admin/login", data={"username": username, "password": "password123"})


def test_officer_records_an_interview_and_its_follow_up(
    client: TestClient, session: Session
) -> None:
    provider = make_provider(session)
    subject = make_subject(session, name="示范区约谈对象有限公司")
    make_penalty(session, subject, provider, decision_date=date(2026, 9, 1))
    _, username = make_user(session, Role.OFFICER, provider=provider)
    _log_in(client, username)
    form = {
        "code": subject.code, "held_on": "2026-11-20", "participants": "王局长；企业法定代表人",
        "reason": "罚款逾期未缴", "agreed": "十日内缴清罚款并提交整改报告",
        "follow_up_on": "2026-12-01",
    }  # fmt: skip
    saved = client.post("/admin/interviews", data=form, follow_redirects=True)
    assert saved.status_code == 200
    assert "十日内缴清罚款并提交整改报告" in saved.text
    (interview,) = interviews.list_for_subject(session, subject.id)
    done = client.post(
        f"/admin/interviews/{interview.id}/follow-up",
        data={"note": "已缴清罚款"},
        follow_redirects=True,
    )
    assert "已缴清罚款" in done.text
    assert interview.followed_up_on == date(2026, 11, 23)


def test_interview_with_a_subject_without_dishonesty_is_refused_in_chinese(
    client: TestClient, session: Session
) -> None:
    provider = make_provider(session)
    subject = make_subject(session)
    _, username = make_user(session, Role.OFFICER, provider=provider)
    _log_in(client, username)
    form = {
        "code": subject.code, "held_on": "2026-11-20", "participants": "王局长",
        "reason": "例行", "agreed": "无", "follow_up_on": "2026-12-01",
    }  # fmt: skip
    refused = client.post("/admin/interviews", data=form, headers={"accept": "text/html"})
    assert refused.status_code == 409
    assert "不属于约谈对象" in refused.text


def test_interviews_page_needs_an_officer(client: TestClient, session: Session) -> None:
    _, username = make_user(session, Role.AUDITOR)
    _log_in(client, username)
    assert client.get("/admin/interviews").status_code == 403
