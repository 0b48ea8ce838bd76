"""Interviews (约谈) with dishonest subjects, and their follow-up."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from tests.factories import make_provider, make_subject
from tests.factories.workflows import make_officer, make_penalty
from xinyong import interviews
from xinyong.interviews import NewInterview

TALK = NewInterview(
    date(2026, 11, 20),
    "张三（局长）、李四（企业法定代表人）",
    "多次违法排污",
    "十日内完成整改并提交报告",
    date(2026, 12, 4),
)


def test_interview_is_recorded_with_the_dishonesty_records_discussed(
    session: Session, today: date
) -> None:
    provider, subject = make_provider(session), make_subject(session)
    record = make_penalty(session, subject, provider)
    officer = make_officer(session, provider)
    talk = interviews.record_interview(session, subject, TALK, actor=officer, today=today)
    assert talk.record_ids == [record.id]
    assert interviews.list_follow_ups_due(session, provider.id) == [talk]
    interviews.record_follow_up(session, talk, "已整改到位", actor=officer, today=today)
    assert interviews.list_follow_ups_due(session, provider.id) == []
    with pytest.raises(interviews.AlreadyFollowedUp):
        interviews.record_follow_up(session, talk, "再次回访", actor=officer, today=today)


def test_interview_with_a_subject_without_dishonesty_records_is_refused(
    session: Session, today: date
) -> None:
    provider, subject = make_provider(session), make_subject(session)
    with pytest.raises(interviews.NotDishonest):
        interviews.record_interview(
            session, subject, TALK, actor=make_officer(session, provider), today=today
        )
