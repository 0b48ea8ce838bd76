"""/me/consents (grant, see, revoke) and /me/queries (谁查询了我的信用信息) for the subject."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from xinyong import audit, consent, subjects
from xinyong.web.deps import DbSession, Enterprise, OwnSubject, Today
from xinyong.web.inputs import RowId
from xinyong.web.templating import templates

router = APIRouter(prefix="/me", include_in_schema=False)


@router.get("/consents", response_class=HTMLResponse)
def consents_page(
    request: Request, session: DbSession, actor: Enterprise, today: Today
) -> HTMLResponse:
    assert actor.subject_id is not None
    ctx = {
        "actor": actor,
        "subject": subjects.get(session, actor.subject_id),
        "consents": consent.list_for_subject(session, actor.subject_id),
        # never the account itself: a subject authorising its own login is a choice with no effect
        "parties": [
            p
            for p in consent.grantable_parties(session)
            if not (p.kind == "user" and p.id == actor.id)
        ],
        "scopes": list(consent.Scope),
        "scope_labels": {s.value: s.label for s in consent.Scope},
        "state": consent.state,
        "today": today,
    }
    return templates.TemplateResponse(request, "me/consents.html", ctx)


@router.post("/consents")
def grant_consent(
    session: DbSession,
    actor: Enterprise,
    subject: OwnSubject,
    today: Today,
    grantee: Annotated[str, Form()],
    purpose: Annotated[str, Form()],
    valid_until: Annotated[date, Form()],
    scopes: Annotated[list[str], Form()],
) -> Response:
    party = consent.parse_grantee(session, grantee)
    consent.grant(
        session,
        subject,
        party,
        purpose=purpose,
        scopes=scopes,
        valid_from=today,
        valid_until=valid_until,
        actor=actor,
        today=today,
    )
    return RedirectResponse("/me/consents", status_code=303)


@router.post("/consents/{consent_id}/revoke")
def revoke_consent(
    session: DbSession,
    actor: Enterprise,
    consent_id: RowId,
    reason: Annotated[str | None, Form()] = None,
) -> Response:
    consent.revoke(session, consent_id, actor=actor, reason=reason)
    return RedirectResponse("/me/consents", status_code=303)


QUERIES_PER_PAGE = 50


@router.get("/queries", response_class=HTMLResponse)
def queries_page(
    request: Request,
    session: DbSession,
    actor: Enterprise,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> HTMLResponse:
    assert actor.subject_id is not None
    reads, total = audit.reads_of_subject(
        session, actor.subject_id, page=page, per_page=QUERIES_PER_PAGE
    )
    ctx = {
        "actor": actor,
        "subject": subjects.get(session, actor.subject_id),
        "queries": reads,
        "total": total,
        "page": page,
        "pages": max(1, -(-total // QUERIES_PER_PAGE)),
        "bases": consent.BASIS_LABELS,
    }
    return templates.TemplateResponse(request, "me/queries.html", ctx)
