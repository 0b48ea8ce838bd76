"""Admin pages for lists and checks: procedures in progress, entries, check statistics."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from xinyong import lists, measures, subjects
from xinyong.audit import Actor
from xinyong.enums import Role
from xinyong.web.deps import CurrentCatalog, DbSession, Today, require
from xinyong.web.inputs import RowId
from xinyong.web.templating import templates

router = APIRouter(prefix="/admin", include_in_schema=False)
Staff = Annotated[Actor, Depends(require(Role.ADMIN, Role.AUDITOR, Role.OFFICER))]


@router.get("/lists", response_class=HTMLResponse)
def lists_page(
    request: Request, session: DbSession, actor: Staff, catalog: CurrentCatalog, today: Today
) -> HTMLResponse:
    ctx = {
        "actor": actor,
        "catalog": catalog,
        "today": today,
        "in_progress": lists.in_progress(session),
        "entries": lists.current_entries(session, catalog=catalog, today=today),
        "stage": lists.Stage,
    }
    return templates.TemplateResponse(request, "admin/lists.html", ctx)


@router.get("/lists/{entry_id}", response_class=HTMLResponse)
def entry_page(
    request: Request, session: DbSession, actor: Staff, catalog: CurrentCatalog, entry_id: RowId
) -> HTMLResponse:
    entry = lists.get_entry(session, entry_id)
    ctx = {
        "actor": actor,
        "entry": entry,
        "lt": catalog.list_type(entry.list_type),
        "subject": subjects.public_view(subjects.get(session, entry.subject_id)),
        "steps": lists.entry_history(session, entry_id),
        "stage": lists.Stage,
    }
    return templates.TemplateResponse(request, "admin/list_entry.html", ctx)


@router.get("/checks", response_class=HTMLResponse)
def checks_page(
    request: Request, session: DbSession, actor: Staff, catalog: CurrentCatalog, today: Today
) -> HTMLResponse:
    stats = measures.check_stats(session, today=today)
    peak = max([n for _d, n in stats.per_day] + [1])
    ctx = {"actor": actor, "stats": stats, "peak": peak, "matters": catalog.matters}
    return templates.TemplateResponse(request, "admin/checks.html", ctx)
