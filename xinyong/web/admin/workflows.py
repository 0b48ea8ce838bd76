"""Admin pages of the workflows: work queue, repairs, objections, commitments, registrations.

Officers see the items of their own department (provider scope); the credit office sees all.
Materials are served back only with their sniffed type, as attachments, never executable.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from xinyong import (
    archive,
    commitments,
    objections,
    registrations,
    repair,
    subjects,
    workqueue,
)
from xinyong.audit import Actor
from xinyong.db import keyset
from xinyong.enums import ObjectionOutcome, RepairTarget, Role
from xinyong.web.deps import CurrentCalendar, CurrentCatalog, DbSession, Today, require
from xinyong.web.inputs import RowId
from xinyong.web.paging import pager_links
from xinyong.web.templating import templates

router = APIRouter(prefix="/admin", include_in_schema=False)
Officer = Annotated[Actor, Depends(require(Role.ADMIN, Role.OFFICER, Role.PROVIDER_CLERK))]


def _back(path: str) -> Response:
    return RedirectResponse(path, status_code=303)


@router.get("/queue", response_class=HTMLResponse)
def queue(
    request: Request,
    session: DbSession,
    actor: Officer,
    today: Today,
    kind: str = Query("", max_length=32),
    page: int = Query(1, ge=1, le=100_000),
    after: str | None = Query(None, max_length=keyset.MAX_POSITION),
    before: str | None = Query(None, max_length=keyset.MAX_POSITION),
) -> HTMLResponse:
    """The work queue, by deadline: filtered by kind (each with its count, "N+" beyond the
    cap), 100 a page read in the query after the last row's position, each item with its
    subject's name and the page where the clerk acts on it."""
    kind = kind if kind in workqueue.KIND_LABELS else ""
    found = workqueue.queue_page(
        session, today=today, actor=actor, kind=kind or None, page=page,
        after=keyset.decode(after, workqueue.KEY_KINDS),
        before=keyset.decode(before, workqueue.KEY_KINDS),
    )  # fmt: skip
    rows = found.items
    ctx = {
        "actor": actor,
        "today": today,
        "items": rows,
        "found": found,
        "counts": [
            (k, t, n) for k, t in workqueue.KIND_LABELS.items() if (n := found.counts.get(k))
        ],
        "kind": kind,
        "page": page,
        "pager": pager_links("/admin/queue", {"kind": kind}, page, found),
        "names": {s.id: s for s in subjects.by_ids(session, {i.subject_id for i in rows})},
        "timeliness": repair.timeliness(session),
    }
    return templates.TemplateResponse(request, "admin/workflows/queue.html", ctx)


@router.get("/repairs/{repair_id}", response_class=HTMLResponse)
def repair_page(
    request: Request, session: DbSession, actor: Officer, catalog: CurrentCatalog, repair_id: RowId
) -> HTMLResponse:
    app = repair.get(session, repair_id, actor=actor)
    entry = repair.entry_of(session, app) if app.target_kind == RepairTarget.LIST_ENTRY else None
    ctx = {
        "actor": actor,
        "app": app,
        "due": repair.due_date(app),
        "record": repair.current_version(session, app) if entry is None else None,
        "entry": entry,
        "list_type": catalog.list_types.get(entry.list_type) if entry else None,
        "materials": repair.list_materials(session, repair_id),
        "commitment": commitments.get(session, app.commitment_id),
    }
    return templates.TemplateResponse(request, "admin/workflows/repair.html", ctx)


@router.get("/repairs/{repair_id}/materials/{material_id}")
def material(
    request: Request, session: DbSession, actor: Officer, repair_id: RowId, material_id: RowId
) -> Response:
    item = repair.get_material(session, repair_id, material_id, actor=actor)
    content = repair.read_material(item, request.app.state.settings.data_dir)
    headers = {
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(item.filename)}",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "sandbox",
    }
    return Response(content, media_type=item.content_type, headers=headers)


@router.post("/repairs/{repair_id}/accept")
def accept(
    session: DbSession,
    actor: Officer,
    today: Today,
    catalog: CurrentCatalog,
    calendar: CurrentCalendar,
    repair_id: RowId,
) -> Response:
    app = repair.get(session, repair_id, actor=actor)
    repair.accept(session, app, actor=actor, today=today, catalog=catalog, calendar=calendar)
    return _back(f"/admin/repairs/{repair_id}")


@router.post("/repairs/{repair_id}/not-accept")
def not_accept(
    session: DbSession,
    actor: Officer,
    today: Today,
    repair_id: RowId,
    reason: Annotated[str, Form()],
) -> Response:
    repair.refuse_acceptance(
        session, repair.get(session, repair_id, actor=actor), reason, actor=actor, today=today
    )
    return _back(f"/admin/repairs/{repair_id}")


@router.post("/repairs/{repair_id}/extend")
def extend(
    session: DbSession,
    actor: Officer,
    today: Today,
    catalog: CurrentCatalog,
    calendar: CurrentCalendar,
    repair_id: RowId,
    reason: Annotated[str, Form()],
) -> Response:
    app = repair.get(session, repair_id, actor=actor)
    repair.extend(
        session, app, reason, actor=actor, today=today, catalog=catalog, calendar=calendar
    )
    return _back(f"/admin/repairs/{repair_id}")


@router.post("/repairs/{repair_id}/decide")
def decide(
    session: DbSession,
    actor: Officer,
    today: Today,
    catalog: CurrentCatalog,
    repair_id: RowId,
    approve: Annotated[bool, Form()],
    reason: Annotated[str, Form()] = "",
) -> Response:
    app = repair.get(session, repair_id, actor=actor)
    repair.decide(
        session, app, approve=approve, reason=reason, actor=actor, today=today, catalog=catalog
    )
    return _back(f"/admin/repairs/{repair_id}")


@router.post("/repairs/{repair_id}/revoke")
def revoke(
    session: DbSession,
    actor: Officer,
    today: Today,
    catalog: CurrentCatalog,
    repair_id: RowId,
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """撤销信用修复（提供虚假材料）: `commitments.revoke_for_false_materials` — the repair
    commitment's breach recorded and the repair revoked, audited."""
    app = repair.get(session, repair_id, actor=actor)
    commitments.revoke_for_false_materials(
        session, app, reason, actor=actor, today=today, catalog=catalog
    )
    return _back(f"/admin/repairs/{repair_id}")


@router.get("/objections/{objection_id}", response_class=HTMLResponse)
def objection_page(
    request: Request,
    session: DbSession,
    actor: Officer,
    catalog: CurrentCatalog,
    objection_id: RowId,
) -> HTMLResponse:
    item = objections.get(session, objection_id, actor=actor)
    record = archive.get(session, item.record_id)
    ctx = {
        "actor": actor,
        "objection": item,
        "record": record,
        "info": catalog.info_class(record.info_class),
    }
    return templates.TemplateResponse(request, "admin/workflows/objection.html", ctx)


@router.post("/objections/{objection_id}/answer")
def answer_objection(
    session: DbSession,
    actor: Officer,
    today: Today,
    catalog: CurrentCatalog,
    objection_id: RowId,
    outcome: Annotated[str, Form()],
    answer: Annotated[str, Form()],
    field: Annotated[str, Form()] = "",
    value: Annotated[str, Form()] = "",
) -> Response:
    changes = {field: value} if outcome == ObjectionOutcome.CORRECTED and field else None
    objections.answer_objection(
        session,
        objections.get(session, objection_id, actor=actor),
        outcome,
        answer,
        changes=changes,
        actor=actor,
        today=today,
        catalog=catalog,
    )
    return _back(f"/admin/objections/{objection_id}")


@router.post("/commitments/{commitment_id}/verify")
def verify_commitment(
    session: DbSession,
    actor: Officer,
    today: Today,
    catalog: CurrentCatalog,
    commitment_id: RowId,
    fulfilment: Annotated[str, Form()],
    unperformed: Annotated[str, Form()] = "",
    false_statement: Annotated[bool, Form()] = False,
) -> Response:
    commitments.record_verification(
        session,
        commitments.get(session, commitment_id),
        fulfilment=fulfilment,
        unperformed=unperformed,
        false_statement=false_statement,
        actor=actor,
        today=today,
        catalog=catalog,
    )
    return _back(f"/admin/commitments/{commitment_id}")  # the finding, and its breach record


@router.post("/registrations/{registration_id}/verify")
def verify_registration(
    session: DbSession,
    actor: Officer,
    today: Today,
    registration_id: RowId,
    verified: Annotated[bool, Form()],
    note: Annotated[str, Form()] = "",
) -> Response:
    item = registrations.get(session, registration_id, actor=actor)
    registrations.verify(session, item, verified=verified, note=note, actor=actor, today=today)
    return _back("/admin/queue")
