"""Admin pages for collection: upload a file (clerks), batch report, rejected rows as XLSX,
quality figures per department and month with charts."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from xinyong import collection, providers
from xinyong.audit import Actor
from xinyong.collection import quality
from xinyong.collection.excel import table_xlsx
from xinyong.db.tables import Batch
from xinyong.enums import BatchStatus, Role
from xinyong.web import evaluation as evaluation_web
from xinyong.web.api.batches import WorkSession
from xinyong.web.deps import CurrentCalendar, CurrentCatalog, DbSession, Today, require
from xinyong.web.inputs import RowId
from xinyong.web.templating import templates

router = APIRouter(prefix="/admin", include_in_schema=False)
Clerk = Annotated[Actor, Depends(require(Role.PROVIDER_CLERK, Role.ADMIN))]
Staff = Annotated[Actor, Depends(require(Role.ADMIN, Role.AUDITOR, Role.PROVIDER_CLERK))]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


_MINUTE = 60


def took(batch: Batch) -> str:
    """The batch's processing time in Chinese (“处理中” while it runs, “—” if never kept)."""
    spent = collection.duration(batch)
    if spent is None:
        return "处理中" if batch.status != BatchStatus.DONE else "—"
    seconds = spent.total_seconds()
    if seconds < _MINUTE:
        return f"{seconds:.1f} 秒"
    minutes, rest = divmod(round(seconds), _MINUTE)
    if minutes < _MINUTE:
        return f"{minutes} 分 {rest} 秒"
    return f"{minutes // _MINUTE} 小时 {minutes % _MINUTE} 分"


@router.get("/batches", response_class=HTMLResponse)
def batch_list(
    request: Request, session: DbSession, actor: Clerk, catalog: CurrentCatalog
) -> HTMLResponse:
    own = actor.provider_id if actor.role != Role.ADMIN else None
    ctx = {
        "actor": actor,
        "batches": collection.list_batches(session, provider_id=own),
        "took": took,
        "providers": providers.list_providers(session),
        "classes": list(catalog.info_classes.values()),
        "report": None,
    }
    return templates.TemplateResponse(request, "admin/batches.html", ctx)


@router.post("/batches", response_class=HTMLResponse)
def upload(
    request: Request, session: WorkSession, actor: Clerk, catalog: CurrentCatalog,
    calendar: CurrentCalendar, today: Today, info_class: Annotated[str, Form()],
    file: Annotated[UploadFile, File()], provider: Annotated[str, Form()] = "",
    dry_run: Annotated[bool, Form()] = False,
) -> Response:  # fmt: skip
    uscc = provider or providers.get(session, actor.provider_id or 0).uscc
    sub = collection.Submission(info_class, uscc, data=file.file.read(), file_name=file.filename)
    report = collection.collect(
        session, sub, catalog=catalog, calendar=calendar, dry_run=dry_run, actor=actor, today=today
    )
    evaluation_web.after_batch(session, report.batch_id, catalog=catalog, today=today)
    if report.batch_id is None:
        ctx = {"actor": actor, "report": report, "batch": None}
        return templates.TemplateResponse(request, "admin/batch.html", ctx)
    repeat = "?repeat=1" if report.repeat_of is not None else ""
    return RedirectResponse(f"/admin/batches/{report.batch_id}{repeat}", status_code=303)


@router.get("/batches/{batch_id}", response_class=HTMLResponse)
def batch_page(
    request: Request, session: DbSession, actor: Clerk, catalog: CurrentCatalog, batch_id: RowId,
    repeat: bool = False,
) -> HTMLResponse:  # fmt: skip
    """`?repeat=1`: the page an upload of an already imported file lands on; it says so."""
    batch = collection.get(session, batch_id, actor=actor)
    report = collection.report(
        session, batch, catalog, repeat=repeat and batch.status == BatchStatus.DONE
    )
    ctx = {"actor": actor, "batch": batch, "report": report, "took": took(batch)}
    return templates.TemplateResponse(request, "admin/batch.html", ctx)


@router.get("/batches/templates/{class_id}.xlsx")
def upload_template(actor: Clerk, catalog: CurrentCatalog, class_id: str) -> Response:
    """The empty file a clerk fills in: one column per data item of the class, headed by its
    Chinese label (collection reads labels, codes and aliases alike), in the catalog's order."""
    info_class = catalog.info_class(class_id)
    data = table_xlsx(info_class.title, [f.label for f in info_class.fields], [])
    name = quote(f"{info_class.title}-报送模板.xlsx")
    return Response(
        data,
        media_type=XLSX,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}"},
    )


@router.get("/batches/{batch_id}/rejected.xlsx")
def rejected_xlsx(session: DbSession, actor: Clerk, batch_id: RowId) -> Response:
    batch = collection.get(session, batch_id, actor=actor)
    data = collection.rejected_rows_xlsx(batch, collection.rejected_rows(session, batch.id))
    name = f"batch-{batch.id}-rejected.xlsx"
    return Response(
        data, media_type=XLSX, headers={"Content-Disposition": f"attachment; filename={name}"}
    )


@router.get("/quality", response_class=HTMLResponse)
def quality_page(
    request: Request, session: DbSession, actor: Staff, catalog: CurrentCatalog,
    provider: int | None = None,
) -> HTMLResponse:  # fmt: skip
    scope = actor.provider_id if actor.role == Role.PROVIDER_CLERK else provider
    ctx = {
        "actor": actor,
        "months": quality.monthly(session, provider_id=scope),
        "causes": quality.rejection_causes(session, provider_id=scope),
        "completeness": quality.completeness(session, catalog, provider_id=scope)[:15],
        "providers": providers.list_providers(session),
        "selected": scope,
    }
    return templates.TemplateResponse(request, "admin/quality.html", ctx)
