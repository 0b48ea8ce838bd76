"""/admin/audit (the auditor searches the query log and verifies the SM3 audit chain) and
/admin/reports (the credit office revokes a report issued in error, with a reason)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from xinyong import audit, consent, reports, subjects
from xinyong.audit import Actor
from xinyong.audit.titles import ACTION_TITLES, TARGET_TITLES
from xinyong.enums import Role
from xinyong.keyring import office_keyring
from xinyong.web.deps import DbSession, Today, require
from xinyong.web.templating import templates

router = APIRouter(prefix="/admin", include_in_schema=False)
Auditor = Annotated[Actor, Depends(require(Role.AUDITOR, Role.ADMIN))]
Admin = Annotated[Actor, Depends(require(Role.ADMIN))]
BASES = consent.BASIS_LABELS


AUDIT_PAGE = 50
QUERY_PAGE = 100


@dataclass(frozen=True)
class AuditFilters:
    """What the auditor asked for: the query log's filters and page, the audit log's."""

    who: str = ""
    code: str = ""
    basis: str = ""
    q_before: int | None = None
    action: str = ""
    operator: str = ""
    target_type: str = ""
    target_id: str = ""
    before: int | None = None

    def url(self, **changes: object) -> str:
        """This page with some filters changed (the 更早 links keep the others)."""
        values = {**asdict(self), **changes}
        kept = {k: v for k, v in values.items() if v not in ("", None)}
        return "/admin/audit?" + urlencode(kept) if kept else "/admin/audit"


def _audit_page(
    request: Request,
    session: DbSession,
    actor: Actor,
    filters: AuditFilters,
    chain: audit.ChainReport | None = None,
) -> HTMLResponse:
    f = filters
    subject_ids = None
    if f.code.strip():
        found = subjects.find_by_code(session, f.code.strip())
        subject_ids = [found.id] if found else []
    queries = audit.search_queries(
        session, who=f.who.strip() or None, subject_ids=subject_ids, basis=f.basis or None,
        limit=QUERY_PAGE, before=f.q_before,
    )  # fmt: skip
    entries = audit.list_audit(
        session, limit=AUDIT_PAGE, action=f.action or None, who=f.operator.strip() or None,
        target_type=f.target_type or None, target_id=f.target_id.strip() or None,
        before=f.before,
    )  # fmt: skip
    ctx = {
        "actor": actor,
        "queries": queries,
        "whom": _names(session, {q.subject_id for q in queries}),
        "entries": entries,
        "checkpoint": audit.latest_checkpoint(session),
        "f": f,
        "bases": BASES,
        "actions": sorted(ACTION_TITLES.items(), key=lambda kv: kv[0]),
        "targets": sorted(TARGET_TITLES.items(), key=lambda kv: kv[0]),
        "older_queries": f.url(q_before=queries[-1].id) if len(queries) == QUERY_PAGE else None,
        "older_entries": f.url(before=entries[-1].id) if len(entries) == AUDIT_PAGE else None,
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
    q_before: int | None = Query(None, ge=1, le=2**62),
    action: str = Query("", max_length=64),
    operator: str = Query("", max_length=100),
    target_type: str = Query("", max_length=32),
    target_id: str = Query("", max_length=64),
    before: int | None = Query(None, ge=1, le=2**62),
) -> HTMLResponse:
    filters = AuditFilters(
        who=who, code=code, basis=basis, q_before=q_before, action=action, operator=operator,
        target_type=target_type, target_id=target_id, before=before,
    )  # fmt: skip
    return _audit_page(request, session, actor, filters)


@router.post("/audit/verify", response_class=HTMLResponse)
def verify_chain(request: Request, session: DbSession, actor: Auditor) -> HTMLResponse:
    keys = office_keyring(request.app.state.settings)  # each checkpoint with the key it names
    chain = audit.verify_chain(session, keys or None)
    return _audit_page(request, session, actor, AuditFilters(), chain=chain)


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
