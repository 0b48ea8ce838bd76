"""Enterprise self-service under /me/: the subject's full archive, and every workflow it starts.

Login is /me/login (the login of /admin/login, answered on the enterprise page); an enterprise
account is a user with role `enterprise` bound to its subject. Handlers parse the form and call
one domain action.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from xinyong import (
    archive,
    commitments,
    disclosure,
    objections,
    registrations,
    repair,
)
from xinyong.catalog import Catalog
from xinyong.db.tables import ListEntry, Record
from xinyong.errors import NotFound
from xinyong.web import evaluation as evaluation_web
from xinyong.web import login
from xinyong.web.deps import (
    CurrentCalendar,
    CurrentCatalog,
    DbSession,
    Enterprise,
    OwnSubject,
    Today,
)
from xinyong.web.inputs import RowId
from xinyong.web.templating import templates
from xinyong.web.titles import title_of

router = APIRouter(prefix="/me", include_in_schema=False)


Files = Annotated[list[UploadFile] | None, File()]


def _back(path: str) -> Response:
    return RedirectResponse(path, status_code=303)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> HTMLResponse:
    return templates.TemplateResponse(request, "me/login.html", {"next": "/me/"})


@router.post("/login")
def log_in(
    request: Request,
    session: DbSession,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/me/",
) -> Response:
    """The enterprise login: a wrong password is answered on this page, not the staff one."""
    form = (username, password, next)
    return login.answer(request, session, form, template="me/login.html", default_next="/me/")


async def _uploads(given: dict[str, list[UploadFile] | None]) -> tuple[repair.Upload, ...]:
    return tuple(
        [
            repair.Upload(kind, f.filename or "", await f.read())
            for kind, fs in given.items()
            for f in fs or []
            if f.filename
        ]
    )


@dataclass(frozen=True, slots=True)
class RepairForm:
    """The repair / early-exit application form: statement, declarations, uploaded materials."""

    application: repair.Application
    commitment_affirmed: bool


async def _repair_form(
    statement: Annotated[str, Form()],
    obligations: Annotated[bool, Form()] = False,
    commit: Annotated[bool, Form()] = False,
    performance_proof: Files = None,
    training_certificate: Files = None,
    other: Files = None,
) -> RepairForm:
    uploads = await _uploads(
        {
            "performance_proof": performance_proof,
            "training_certificate": training_certificate,
            "other": other,
        }
    )
    return RepairForm(repair.Application(statement, obligations, uploads), commit)


RepairFormData = Annotated[RepairForm, Depends(_repair_form)]


def _repair_label(session: Session, app: Any, catalog: Catalog) -> str:
    """What a repair is about, as people name it: the list or class and the decision number."""
    if app.target_kind == "list_entry":
        return f"提前移出：{title_of(catalog, 'list_type', app.info_class)} {app.natural_key}"
    record = archive.get(session, app.record_id) if app.record_id else None
    number = record.decision_number if record is not None else None
    return f"{title_of(catalog, 'info_class', app.info_class)} {number or '（无决定文号）'}"


@router.get("/", response_class=HTMLResponse)
def home(
    request: Request,
    session: DbSession,
    actor: Enterprise,
    ctx_subject: OwnSubject,
    catalog: CurrentCatalog,
    today: Today,
) -> HTMLResponse:
    assert actor.subject_id is not None
    records = archive.current_records(session, actor.subject_id)
    repairs = repair.list_for_subject(session, actor.subject_id)
    ctx = {
        "actor": actor,
        "subject": ctx_subject,
        "records": records,
        "entries": repair.early_exit_candidates(
            session, actor.subject_id, catalog=catalog, today=today
        ),
        "flagged": archive.open_objection_record_ids(session, [r.id for r in records]),
        "states": disclosure.record_states(session, records, catalog=catalog, today=today),
        "repairable": {
            r.id
            for r in records
            if repair.check_eligibility(session, r, catalog=catalog, today=today).eligible
        },
        "repairs": repairs,
        "repair_targets": {a.id: _repair_label(session, a, catalog) for a in repairs},
        "due_date": repair.due_date,
        "objections": objections.list_for_subject(session, actor.subject_id),
        "commitments": commitments.list_for_subject(session, actor.subject_id),
        "templates": commitments.templates(catalog, self_service=True),
        "registrations": registrations.list_for_subject(session, actor.subject_id),
        "kinds": registrations.kinds(catalog),
        "catalog": catalog,
        **evaluation_web.me_context(session, ctx_subject, actor, catalog, today),
    }
    return templates.TemplateResponse(request, "me/home.html", ctx)


@router.get("/records/{record_id}", response_class=HTMLResponse)
def record_page(
    request: Request,
    session: DbSession,
    actor: Enterprise,
    catalog: CurrentCatalog,
    today: Today,
    record_id: RowId,
) -> HTMLResponse:
    record = repair.own_record(session, record_id, actor.subject_id)
    ctx = {
        "actor": actor,
        "record": record,
        "row": archive.source_row(record),
        "info": catalog.info_class(record.info_class),
        "versions": archive.history(session, record.info_class, record.natural_key),
        "objections": objections.history(session, record.info_class, record.natural_key),
        "flagged": archive.open_objection_record_ids(session, [record.id]),
        "state": disclosure.record_states(session, [record], catalog=catalog, today=today).get(
            record.id
        ),
        "eligibility": repair.eligibility_of(session, record, catalog=catalog, today=today),
        **_repair_form_ctx(catalog),
    }
    return templates.TemplateResponse(request, "me/record.html", ctx)


def _repair_target(request: Request, session: DbSession, actor: Enterprise) -> Record | ListEntry:
    """The subject's own record (…/records/{id}/repair) or platform list entry (…/early-exit)."""
    params = request.path_params
    key = "record_id" if "record_id" in params else "entry_id"
    if not str(params[key]).isdigit():
        raise NotFound("未找到该信用记录或名单认定", code="repair.target_not_found")
    if key == "record_id":
        return repair.own_record(session, int(params[key]), actor.subject_id)
    return repair.own_entry(session, int(params[key]), actor.subject_id)


OwnTarget = Annotated[Record | ListEntry, Depends(_repair_target)]


def _repair_form_ctx(catalog: Catalog) -> dict[str, Any]:
    """What the repair form shows, alike for both targets."""
    return {
        "materials": catalog.workflows.repair.materials,
        "commitment": catalog.workflows.template(catalog.workflows.repair.commitment_template),
    }


@router.post("/records/{record_id}/repair")
@router.post("/list-entries/{entry_id}/early-exit")
def apply_for_repair(
    request: Request,
    session: DbSession,
    actor: Enterprise,
    catalog: CurrentCatalog,
    calendar: CurrentCalendar,
    today: Today,
    target: OwnTarget,
    form: RepairFormData,
) -> Response:
    """Repair of a record and early exit from a platform list entry: one handler (一口受理)."""
    settings = request.app.state.settings
    commitments.apply_for_repair(
        session, target, form.application, actor=actor, today=today, catalog=catalog,
        calendar=calendar, data_dir=settings.data_dir, region_code=settings.region_code,
        commitment_affirmed=form.commitment_affirmed,
    )  # fmt: skip
    return _back("/me/#repairs")


@router.get("/list-entries/{entry_id}", response_class=HTMLResponse)
def list_entry_page(
    request: Request,
    session: DbSession,
    actor: Enterprise,
    catalog: CurrentCatalog,
    today: Today,
    entry_id: RowId,
) -> HTMLResponse:
    entry = repair.own_entry(session, entry_id, actor.subject_id)
    ctx = {
        "actor": actor,
        "entry": entry,
        "list_type": catalog.list_type(entry.list_type),
        "provider": repair.provider_of(session, entry),
        "eligibility": repair.eligibility_of(session, entry, catalog=catalog, today=today),
        **_repair_form_ctx(catalog),
    }
    return templates.TemplateResponse(request, "me/list_entry.html", ctx)


@router.post("/records/{record_id}/objection")
def file_objection(
    session: DbSession,
    actor: Enterprise,
    catalog: CurrentCatalog,
    calendar: CurrentCalendar,
    today: Today,
    record_id: RowId,
    grounds: Annotated[str, Form()],
) -> Response:
    record = repair.own_record(session, record_id, actor.subject_id)
    objections.file_objection(
        session, record, grounds, actor=actor, today=today, catalog=catalog, calendar=calendar
    )
    return _back("/me/#objections")


@router.post("/commitments")
def sign_commitment(
    request: Request,
    session: DbSession,
    actor: Enterprise,
    subject: OwnSubject,
    catalog: CurrentCatalog,
    today: Today,
    template_id: Annotated[str, Form()],
    detail: Annotated[str, Form()] = "",
) -> Response:
    commitments.sign(
        session,
        subject,
        template_id,
        actor=actor,
        today=today,
        catalog=catalog,
        region_code=request.app.state.settings.region_code,
        reason_detail=detail or None,
    )
    return _back("/me/#commitments")


@router.post("/registrations")
def register_fact(
    session: DbSession,
    actor: Enterprise,
    subject: OwnSubject,
    catalog: CurrentCatalog,
    today: Today,
    kind: Annotated[str, Form()],
    title: Annotated[str, Form()],
    detail: Annotated[str, Form()],
    evidence: Annotated[str, Form()] = "",
    occurred_on: Annotated[date | None, Form()] = None,
    truth: Annotated[bool, Form()] = False,
) -> Response:
    new = registrations.NewRegistration(kind, title, detail, evidence, occurred_on, truth)
    registrations.submit(
        session,
        subject,
        new,
        actor=actor,
        today=today,
        catalog=catalog,
    )
    return _back("/me/#registrations")
