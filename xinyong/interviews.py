"""Interviews (约谈): an authority's recorded talk with a dishonest subject, and its follow-up.

Owns: who took part, why, what was agreed, the follow-up date and the follow-up itself.
Does not: change the subject's records (a later repair or penalty does that).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong import archive, audit
from xinyong.audit import Actor, AuditAction
from xinyong.auth import require_department, require_role
from xinyong.db.tables import Interview, Subject
from xinyong.enums import RecordStatus, Role
from xinyong.errors import Conflict, DueProcessError, InvalidInput, NotFound

# Classes whose active records make a subject "dishonest" for an interview.
DISHONESTY_CLASSES = (
    "penalty",
    "court_defaulter",
    "abnormal_operation",
    "serious_list",
    "commitment_breach",
)


class InterviewNotFound(NotFound):
    code = "interviews.not_found"


class NotDishonest(DueProcessError):
    code = "interviews.not_dishonest"


class AlreadyFollowedUp(Conflict):
    code = "interviews.already_followed_up"


@dataclass(frozen=True, slots=True)
class NewInterview:
    held_on: date
    participants: str
    reason: str
    agreed: str
    follow_up_on: date


def get(session: Session, interview_id: int) -> Interview:
    found = session.get(Interview, interview_id)
    if found is None:
        raise InterviewNotFound(f"未找到编号为 {interview_id} 的约谈记录")
    return found


def list_for_subject(session: Session, subject_id: int) -> list[Interview]:
    stmt = select(Interview).where(Interview.subject_id == subject_id)
    return list(session.execute(stmt.order_by(Interview.held_on.desc())).scalars())


def list_follow_ups_due(session: Session, provider_id: int | None = None) -> list[Interview]:
    stmt = select(Interview).where(Interview.followed_up_on.is_(None))
    if provider_id is not None:
        stmt = stmt.where(Interview.provider_id == provider_id)
    return list(session.execute(stmt.order_by(Interview.follow_up_on)).scalars())


def record_interview(
    session: Session, subject: Subject, new: NewInterview, *, actor: Actor, today: date
) -> Interview:
    """Record an interview with a subject that has active dishonesty records."""
    require_role(actor, Role.OFFICER, Role.ADMIN)
    for text, label in (
        (new.participants, "参加人员"),
        (new.reason, "约谈事由"),
        (new.agreed, "约谈结果"),
    ):
        if not text.strip():
            raise InvalidInput(f"请填写{label}", code="interviews.incomplete")
    if new.held_on > today:
        raise InvalidInput("约谈日期不能晚于今天（请在约谈后记录）", code="interviews.future")
    if new.follow_up_on < new.held_on:
        raise InvalidInput("跟踪回访日期不能早于约谈日期", code="interviews.bad_follow_up")
    records = [
        r
        for r in archive.current_records(session, subject.id, DISHONESTY_CLASSES)
        if r.status == RecordStatus.ACTIVE
    ]
    if not records:
        raise NotDishonest("该主体没有正在公示的失信信息，不属于约谈对象")
    row = Interview(
        subject_id=subject.id,
        provider_id=actor.provider_id,
        held_on=new.held_on,
        participants=new.participants.strip(),
        reason=new.reason.strip(),
        agreed=new.agreed.strip(),
        record_ids=[r.id for r in records],
        follow_up_on=new.follow_up_on,
        recorded_by=actor.label,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        AuditAction.INTERVIEW_RECORDED,
        target_type="interview",
        target_id=row.id,
        after={
            "subject_id": subject.id,
            "follow_up_on": new.follow_up_on,
            "records": row.record_ids,
        },
    )
    return row


def record_follow_up(
    session: Session, interview: Interview, note: str, *, actor: Actor, today: date
) -> Interview:
    """Record the follow-up once: the department that held the interview, or the credit office."""
    require_role(actor, Role.OFFICER, Role.ADMIN)
    require_department(actor, interview.provider_id, what="约谈")
    if interview.followed_up_on is not None:
        raise AlreadyFollowedUp("该约谈已记录跟踪回访")
    if not note.strip():
        raise InvalidInput("请填写跟踪回访情况", code="interviews.note_required")
    interview.followed_up_on = today
    interview.follow_up_note = note.strip()
    session.flush()
    audit.record(
        session,
        actor,
        AuditAction.INTERVIEW_FOLLOWED_UP,
        target_type="interview",
        target_id=interview.id,
        after={"followed_up_on": today},
        reason=note.strip(),
    )
    return interview
