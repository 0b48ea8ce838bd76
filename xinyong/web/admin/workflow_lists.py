"""/admin/repairs, /admin/objections and /admin/commitments: every application, objection or
commitment routed to the officer's department (the credit office: all, or one department it
chooses), decided, answered and verified ones too — the work queue shows only the open ones — by
status, newest first, 100 a page. Each row opens its own page (a commitment's:
/admin/commitments/{id}, its finding and, while it waits, the verification form)."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from xinyong import commitments, objections, providers, repair, subjects
from xinyong.audit import Actor
from xinyong.auth import department_scope
from xinyong.enums import CommitmentStatus, ObjectionStatus, RepairStatus, Role
from xinyong.web.deps import DbSession, require
from xinyong.web.inputs import RowId
from xinyong.web.templating import templates

router = APIRouter(prefix="/admin", include_in_schema=False)
Officer = Annotated[Actor, Depends(require(Role.ADMIN, Role.OFFICER, Role.PROVIDER_CLERK))]
PAGE = 100
Status = Annotated[str, Query(max_length=16)]
Before = Annotated[int | None, Query(ge=1, le=2**62)]
Department = Annotated[int | None, Query(ge=1, le=2**62)]
Verifier = Annotated[Actor, Depends(require(Role.ADMIN, Role.OFFICER))]


def _listing(
    request: Request,
    session: DbSession,
    actor: Actor,
    template: str,
    statuses: type[StrEnum],
    rows_of: Callable[..., list[Any]],
    status: str,
    before: int | None,
    scope: int | None = None,
    **extra: Any,
) -> HTMLResponse:
    wanted = statuses(status) if status in {s.value for s in statuses} else None
    scope = department_scope(actor) if scope is None else scope
    rows = rows_of(session, scope, status=wanted, before=before, limit=PAGE)
    ctx = {
        "actor": actor,
        "rows": rows,
        "names": {s.id: s for s in subjects.by_ids(session, {r.subject_id for r in rows})},
        "statuses": list(statuses),
        "status": wanted.value if wanted else "",
        "before": before,
        "older": rows[-1].id if len(rows) == PAGE else None,
        **extra,
    }
    return templates.TemplateResponse(request, template, ctx)


@router.get("/repairs", response_class=HTMLResponse)
def repairs_page(
    request: Request, session: DbSession, actor: Officer, status: Status = "",
    before: Before = None,
) -> HTMLResponse:  # fmt: skip
    """信用修复 (early exit too); a decided one is found again here, e.g. to revoke it."""
    return _listing(request, session, actor, "admin/workflows/repairs.html", RepairStatus,
                    repair.list_routed, status, before, due=repair.due_date)  # fmt: skip


@router.get("/objections", response_class=HTMLResponse)
def objections_page(
    request: Request, session: DbSession, actor: Officer, status: Status = "",
    before: Before = None,
) -> HTMLResponse:  # fmt: skip
    """异议 against the department's records, answered ones with their outcome."""
    return _listing(request, session, actor, "admin/workflows/objections.html", ObjectionStatus,
                    objections.list_routed, status, before)  # fmt: skip


@router.get("/commitments", response_class=HTMLResponse)
def commitments_page(
    request: Request, session: DbSession, actor: Verifier, status: Status = "",
    before: Before = None, department: Department = None,
) -> HTMLResponse:  # fmt: skip
    """信用承诺 accepted by the department, verified ones with their finding; the credit office
    sees every department's and may choose one."""
    chosen = commitments.scope_for(actor, department)
    office = department_scope(actor) is None
    return _listing(request, session, actor, "admin/workflows/commitments.html", CommitmentStatus,
                    commitments.list_routed, status, before, scope=chosen,
                    departments=providers.list_providers(session) if office else [],
                    department=chosen if office else None,
                    public_ref=subjects.public_ref)  # fmt: skip


@router.get("/commitments/{commitment_id}", response_class=HTMLResponse)
def commitment_page(
    request: Request, session: DbSession, actor: Verifier, commitment_id: RowId
) -> HTMLResponse:
    """One commitment: what was promised, to whom, the verification's finding (and its breach
    record), or the form to record it while it waits."""
    found = commitments.get_for(session, commitment_id, actor=actor)
    unit = found.acceptance_provider_id
    ctx = {
        "actor": actor,
        "c": found,
        "subject": subjects.get(session, found.subject_id),
        "department": providers.get(session, unit) if unit else None,
        "public_ref": subjects.public_ref,
    }
    return templates.TemplateResponse(request, "admin/workflows/commitment.html", ctx)
