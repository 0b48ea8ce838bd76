"""Admin: /admin/exchange — what waits to be sent, failed deliveries with their reason, the
delivery timeliness per department (双公示 within 7 working days); the credit office builds and
downloads a signed package (`POST /admin/exchange/export`) and uploads one received from the
provincial / national platform or a national list file (`POST /admin/exchange/import`): the file
is stored and imported by a background run whose page shows what was taken in and what was
refused with the reason (`runs.start_import` → `exchange.manual`, audited)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from xinyong import clock, runs, signing
from xinyong.audit import Actor
from xinyong.catalog import Catalog
from xinyong.clock import Calendar
from xinyong.enums import Role
from xinyong.errors import XinyongError
from xinyong.exchange import delivery, manual, national
from xinyong.web.deps import CurrentCalendar, CurrentCatalog, DbSession, require
from xinyong.web.run_session import RunSession
from xinyong.web.templating import templates

router = APIRouter(prefix="/admin", include_in_schema=False)
Staff = Annotated[Actor, Depends(require(Role.ADMIN, Role.AUDITOR))]
Admin = Annotated[Actor, Depends(require(Role.ADMIN))]


def _targets(settings: Any) -> list[str]:
    """Where `xinyong jobs run exchange` sends packages (the URL without any credentials)."""
    out = []
    if settings.exchange_outbox_folder is not None:
        out.append(f"文件夹 {settings.exchange_outbox_folder}")
    if settings.exchange_outbox_url:
        out.append(f"接口 {settings.exchange_outbox_url.split('?', 1)[0]}")
    return out


def _page(
    request: Request, session: Session, actor: Actor, calendar: Calendar, catalog: Catalog,
    *, status: int = 200, **extra: Any,
) -> HTMLResponse:  # fmt: skip
    settings = request.app.state.settings
    ctx = {
        "actor": actor,
        "pending": delivery.pending(session),
        "cursor": delivery.last_sent_cursor(session),
        "failures": delivery.failures(session),
        "timeliness": delivery.timeliness(session, calendar),
        "days": delivery.TIMELY_WORKING_DAYS,
        "targets": _targets(settings),
        "layouts": national.load_layouts(settings.catalog_dir, catalog),
        "error": None,
        **extra,
    }
    return templates.TemplateResponse(request, "admin/exchange.html", ctx, status)


@router.get("/exchange", response_class=HTMLResponse)
def exchange_page(
    request: Request, session: DbSession, actor: Staff, calendar: CurrentCalendar,
    catalog: CurrentCatalog,
) -> HTMLResponse:  # fmt: skip
    return _page(request, session, actor, calendar, catalog)


@router.post("/exchange/export")
def export(
    request: Request, session: DbSession, actor: Admin, catalog: CurrentCatalog,
    after: Annotated[str, Form(max_length=64)] = "",
) -> Response:  # fmt: skip
    """导出交换包: the changes after the cursor given (none: everything) as a signed zip."""
    key = signing.ensure_key(request.app.state.settings.signing_key_path)
    data, manifest = manual.export_zip(session, after=after.strip() or None, catalog=catalog,
                                       key=key, actor=actor, now=clock.now())  # fmt: skip
    name = f"xinyong-exchange-{manifest['until']}.zip".replace(":", "-")
    return Response(data, media_type="application/zip",
                    headers={"content-disposition": f'attachment; filename="{name}"',
                             "x-exchange-until": str(manifest["until"])})  # fmt: skip


@router.post("/exchange/import", response_model=None)
def import_(
    request: Request, session: RunSession, actor: Admin, catalog: CurrentCatalog,
    calendar: CurrentCalendar, file: Annotated[UploadFile, File()],
    national_list: Annotated[str, Form(max_length=64)] = "",
    provider: Annotated[str, Form(max_length=32)] = "",
) -> HTMLResponse | RedirectResponse:  # fmt: skip
    """导入: a signed package (zip) or a national list file (CSV/XLSX) is stored, then imported by
    a background run (`runs.start_import`); its page shows what was taken in and what was
    refused with the reason. An empty or oversized file is refused here, nothing stored."""
    settings = request.app.state.settings
    try:
        run, _new = runs.start_import(
            session, file.file.read(manual.MAX_UPLOAD_BYTES + 1), file.filename or "",
            data_dir=settings.data_dir, actor=actor, now=clock.now(),
            national_list=national_list or None, provider=provider.strip() or None,
        )  # fmt: skip
    except XinyongError as exc:
        return _page(request, session, actor, calendar, catalog, status=exc.status,
                     error=exc.message)  # fmt: skip
    return RedirectResponse(f"/admin/runs/{run.id}", status_code=303)
