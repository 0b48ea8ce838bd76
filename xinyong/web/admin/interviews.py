"""Admin pages for 约谈 (interviews): find a subject, record an interview, record the follow-up.

Officers record interviews with subjects that have dishonesty records in force; the domain
(`xinyong.interviews`) checks that and audits each step.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from xinyong import auth, interviews, subjects
from xinyong.audit import Actor
from xinyong.enums import Role
from xinyong.interviews import NewInterview
from xinyong.web.deps import DbSession, Today, require
from xinyong.web.inputs import RowId
from xinyong.web.templating import templates

router = APIRouter(prefix="/admin/interviews", include_in_schema=False)
Officer = Annotated[Actor, Depends(require(Role.ADMIN, Role.OFFICER))]


@router.get("", response_class=HTMLResponse)
def interviews_page(
    request: Request, session: DbSession, actor: Officer, today: Today,
    code: str = Query("", max_length=32),
) -> HTMLResponse:  # fmt: skip
    subject = subjects.find_by_code(session, code) if code.strip() else None
    ctx = {
        "actor": actor,
        "today": today,
        "code": code,
        "subject": subjects.public_view(subject) if subject else None,
        "history": interviews.list_for_subject(session, subject.id) if subject else [],
        "due": interviews.list_follow_ups_due(session, auth.department_scope(actor)),
    }
    return templates.TemplateResponse(request, "admin/interviews.html", ctx)


@router.post("")
def record_interview(
    session: DbSession, actor: Officer, today: Today,
    code: Annotated[str, Form()], held_on: Annotated[date, Form()],
    participants: Annotated[str, Form()], reason: Annotated[str, Form()],
    agreed: Annotated[str, Form()], follow_up_on: Annotated[date, Form()],
) -> Response:  # fmt: skip
    subject = subjects.get_by_code(session, code)
    new = NewInterview(held_on, participants, reason, agreed, follow_up_on)
    interviews.record_interview(session, subject, new, actor=actor, today=today)
    return RedirectResponse(f"/admin/interviews?code={quote(subject.code)}", status_code=303)


@router.post("/{interview_id}/follow-up")
def record_follow_up(
    session: DbSession, actor: Officer, today: Today, interview_id: RowId,
    note: Annotated[str, Form()],
) -> Response:  # fmt: skip
    interview = interviews.get(session, interview_id)
    interviews.record_follow_up(session, interview, note, actor=actor, today=today)
    subject = subjects.get(session, interview.subject_id)
    return RedirectResponse(f"/admin/interviews?code={quote(subject.code)}", status_code=303)
