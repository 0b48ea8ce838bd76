"""Report pages: ask for a report (/reports/request, /me/reports) and verify one (/reports/verify).

Asking for a report is async: the report is issued by the app's report pool (web/api/reports.
issue_for), so it never blocks other requests. Who may have which report is decided in
reports.issue (consent).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from xinyong import reports, subjects
from xinyong.audit import Actor
from xinyong.enums import Role
from xinyong.keyring import office_keyring
from xinyong.reports.pool import Busy
from xinyong.web.api.reports import (
    MAX_UPLOAD,
    ReportSession,
    busy_response,
    issue_for,
    pdf_response,
)
from xinyong.web.deps import CurrentActor, CurrentCatalog, DbSession, Today, require
from xinyong.web.templating import templates

router = APIRouter(include_in_schema=False)
Enterprise = Annotated[Actor, Depends(require(Role.ENTERPRISE))]


def _form_context(request: Request, catalog: CurrentCatalog, actor: Actor) -> dict[str, object]:
    settings = request.app.state.settings
    config = reports.load_domains(settings.catalog_dir, settings.catalog_override_dir)
    return {"actor": actor, "domains": config.domains, "max_years": config.max_years}


@router.get("/reports/request", response_class=HTMLResponse)
def request_form(
    request: Request,
    session: DbSession,
    actor: CurrentActor,
    catalog: CurrentCatalog,
    code: str = Query("", max_length=64),
) -> HTMLResponse:
    subject = subjects.get_by_ref(session, code) if code else None
    ctx = {
        **_form_context(request, catalog, actor),
        "subject": subject,
        "ref": subjects.public_ref(subject) if subject else code,
    }
    return templates.TemplateResponse(request, "portal/report_request.html", ctx)


@router.post("/reports/request")
async def request_report(
    request: Request,
    session: ReportSession,
    actor: CurrentActor,
    catalog: CurrentCatalog,
    today: Today,
    code: Annotated[str, Form(max_length=64)],
    kind: Annotated[str, Form()] = "public",
    domains: Annotated[list[str] | None, Form()] = None,
    years: Annotated[int | None, Form()] = None,
    purpose: Annotated[str | None, Form(max_length=200)] = None,
) -> Response:
    asked = reports.Request(reports.ReportKind(kind), tuple(domains or ()), years, purpose)
    try:
        made = await issue_for(
            request, session, code, asked, actor=actor, catalog=catalog, today=today
        )
    except Busy as exc:
        return busy_response(request, exc)
    return pdf_response(made)


@router.get("/me/reports", response_class=HTMLResponse)
def my_reports(
    request: Request, session: DbSession, actor: Enterprise, catalog: CurrentCatalog
) -> HTMLResponse:
    assert actor.subject_id is not None
    subject = subjects.get(session, actor.subject_id)
    ctx = {
        **_form_context(request, catalog, actor),
        "subject": subject,
        "ref": subjects.public_ref(subject),
    }
    return templates.TemplateResponse(request, "me/reports.html", ctx)


@router.get("/reports/verify", response_class=HTMLResponse)
def verify_page(
    request: Request, session: DbSession, today: Today, number: str = Query("", max_length=40)
) -> HTMLResponse:
    result = reports.verify_number(session, number.strip(), today=today) if number else None
    ctx = {"result": result, "number": number, "by_file": False}
    return templates.TemplateResponse(request, "portal/report_verify.html", ctx)


@router.post("/reports/verify", response_class=HTMLResponse)
def verify_upload(
    request: Request, session: DbSession, today: Today, file: Annotated[UploadFile, File()]
) -> HTMLResponse:
    data = file.file.read(MAX_UPLOAD + 1)[:MAX_UPLOAD]
    keys = office_keyring(request.app.state.settings)
    result = reports.verify_file(session, data, keys, today=today)
    ctx = {"result": result, "number": result.number or "", "by_file": True}
    return templates.TemplateResponse(request, "portal/report_verify.html", ctx)
