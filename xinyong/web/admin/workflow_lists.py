"""/admin/repairs and /admin/objections: every application or objection routed to the officer's
department (the credit office: all), decided and answered ones too — the work queue shows only
the open ones — by status, newest first, 100 a page. Each row opens its own page."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from xinyong import objections, repair, subjects
from xinyong.audit import Actor
from xinyong.auth import department_scope
from xinyong.enums import ObjectionStatus, RepairStatus, Role
from xinyong.web.deps import DbSession, require
from xinyong.web.templating import templates

router = APIRouter(prefix="/admin", include_in_schema=False)
Officer = Annotated[Actor, Depends(require(Role.ADMIN, Role.OFFICER, Role.PROVIDER_CLERK))]
PAGE = 100
Status = Annotated[str, Query(max_length=16)]
Before = Annotated[int | None, Query(ge=1, le=2**62)]


def _listing(
    request: Request,
    session: DbSession,
    actor: Actor,
    template: str,
    statuses: type[StrEnum],
    rows_of: Callable[..., list[Any]],
    status: str,
    before: int | None,
    **extra: Any,
) -> HTMLResponse:
    wanted = statuses(status) if status in {s.value for s in statuses} else None
    rows = rows_of(session, department_scope(actor), status=wanted, before=before, limit=PAGE)
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
