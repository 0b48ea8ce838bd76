"""/admin/audit (the auditor searches the query log and verifies the SM3 audit chain) and
/admin/reports (the credit office revokes a report issued in error, with a reason)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from xinyong import audit, consent, reports, subjects
from xinyong.audit import Actor
from xinyong.enums import Role
from xinyong.reports.issuer import office_public_key_if_any
from xinyong.web.deps import DbSession, Today, require
from xinyong.web.templating import templates

router = APIRouter(prefix="/admin", include_in_schema=False)
Auditor = Annotated[Actor, Depends(require(Role.AUDITOR, Role.ADMIN))]
Admin = Annotated[Actor, Depends(require(Role.ADMIN))]
BASES = consent.BASIS_LABELS


def _audit_page(
    request: Request,
    session: DbSession,
    actor: Actor,
    *,
    who: str,
    code: str,
    basis: str,
    chain: audit.ChainReport | None = None,
) -> HTMLResponse:
    subject_ids = None
    if code.strip():
        found = subjects.find_by_code(session, code.strip())
        subject_ids = [found.id] if found else []
    queries = audit.search_queries(
        session, who=who.strip() or None, subject_ids=subject_ids, basis=basis or None
    )
    ctx = {
        "actor": actor,
        "queries": queries,
        "whom": _names(session, {q.subject_id for q in queries}),
        "entries": audit.list_audit(session, limit=50),
        "checkpoint": audit.latest_checkpoint(session),
        "who": who,
        "code": code,
        "basis": basis,
        "bases": BASES,
        "chain": chain,
    }
    return templates.TemplateResponse(request, "admin/audit.html", ctx)


def _names(session: DbSession, subject_ids: set[int]) -> dict[int, str]:
    """Each subject by name and code (masked for persons), for the auditor's tables."""
    return {
        s.id: f"{s.name}（{subjects.public_code(s)}）"
        for s in subjects.by_ids(session, subject_ids)
    }


@router.get("/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    session: DbSession,
    actor: Auditor,
    who: str = Query("", max_length=100),
    code: str = Query("", max_length=64),
    basis: str = Query("", max_length=16),
) -> HTMLResponse:
    return _audit_page(request, session, actor, who=who, code=code, basis=basis)


@router.post("/audit/verify", response_class=HTMLResponse)
def verify_chain(request: Request, session: DbSession, actor: Auditor) -> HTMLResponse:
    key = office_public_key_if_any(request.app.state.settings)
    chain = audit.verify_chain(session, key)
    return _audit_page(request, session, actor, who="", code="", basis="", chain=chain)


@router.get("/reports", response_class=HTMLResponse)
def reports_page(request: Request, session: DbSession, actor: Admin, today: Today) -> HTMLResponse:
    issued = reports.recent(session, limit=200)
    ctx = {
        "actor": actor,
        "reports": issued,
        "today": today,
        "whom": _names(session, {r.subject_id for r in issued}),
    }
    return templates.TemplateResponse(request, "admin/reports.html", ctx)


@router.post("/reports/{number}/revoke")
def revoke_report(
    session: DbSession, actor: Admin, number: str, reason: Annotated[str, Form(max_length=500)]
) -> Response:
    reports.revoke(session, number, reason=reason, actor=actor)
    return RedirectResponse("/admin/reports", status_code=303)
