"""Reports API: `POST /api/v1/reports` (PDF or number), `GET /api/v1/reports/{number}/verify`.

Issuing is async: the caller is authenticated, then the whole report — consent, gathering,
rendering, signing, storing, the query log — runs in a report process of the app's pool
(`reports.pool`, `reports.worker`) while the request waits on the event loop, holding neither a
thread nor the GIL of the process serving other requests (bench/report.py measures /health under
report load). Too many at once: 503 with Retry-After.

Two ways in, one answer. `dispatch_report` answers from the app's dispatch layer
(`fastpaths.FastDispatch`, before the router) a request with a well-formed JSON body that is
anonymous without cookies, or carries an API key on PostgreSQL (the joint check's key cache and
admission, `auth.KeyClient.admit`): no route matching, no dependency solving, no session of the
server process — the caller hands the job to the report process and sends its bytes. Everything
else — a session cookie (and its CSRF token), a key on SQLite, a body the route refuses with 422,
no report pool — goes on to the route `create_report`, which stays for the OpenAPI document and
is the reference (tests/web/test_report_fast.py compares both answers). Both build the job with
`job_for` and the answer with `answer`; consent is decided in the report process
(`reports.issue`), never here (docs/decisions/0016, addendum).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy.exc import DataError
from sqlalchemy.orm import Session
from starlette.datastructures import Headers
from starlette.types import Receive, Scope, Send

from xinyong import auth, reports
from xinyong.audit import ANONYMOUS, Actor
from xinyong.catalog import Catalog
from xinyong.config import Settings
from xinyong.db.session import is_postgres
from xinyong.errors import XinyongError
from xinyong.keyring import office_keyring
from xinyong.measures.fast import FastCheck
from xinyong.reports import worker
from xinyong.reports.pool import RETRY_AFTER, Busy, RenderPool
from xinyong.web import deps, errors, fastpaths, security
from xinyong.web.api.checks import presented_key
from xinyong.web.deps import CurrentActor, CurrentCatalog, DbSession, Today

router = APIRouter(tags=["reports"])
MAX_UPLOAD = 20 * 1024 * 1024


class ReportRequest(BaseModel):
    code: str = Field(max_length=64, description="统一社会信用代码、身份证号或公开引用")
    kind: Literal["public", "special"] = "public"
    domains: list[str] = Field(default_factory=list, description="专项报告的领域（可多选）")
    years: int | None = Field(default=None, ge=1, le=10, description="查询期间（年），最长 5 年")
    purpose: str | None = Field(default=None, max_length=200, description="查询目的")
    format: Literal["pdf", "number"] = "pdf"


async def _write_locked(session: DbSession) -> Session:
    """The request's session with SQLite's write lock taken as its first statement — before
    the actor is looked up (a key's `last_used_at`, a session cookie's row). Declared BEFORE the
    actor in a route, so FastAPI resolves it first; PostgreSQL needs nothing (and no thread)."""
    if not is_postgres(session):
        await run_in_threadpool(reports.hold_write_lock, session)
    return session


# The session of a route that issues a report (declare it before the actor).
ReportSession = Annotated[Session, Depends(_write_locked)]


async def issue_for(
    request: Request,
    session: Session,
    ref: str,
    asked: reports.Request,
    *,
    actor: Actor,
    catalog: Catalog,
    today: date,
) -> worker.Made:
    """Issue a report for the subject `ref` from a web request (API or page).

    `session` is the route's `ReportSession` (SQLite's write lock taken before the actor's
    lookup). With the app's report pool, it is committed first — the lock is not held while the
    report waits for its turn — and a report process issues the report in its own transaction;
    without one (`report_workers = 0`, no lifespan) the report is issued in `session` on a
    threadpool thread. The verification URL is the address the request came to (unless
    settings name one)."""
    settings = request.app.state.settings
    job = job_for(request, ref, asked, actor=actor, catalog=catalog, today=today)
    pool = fastpaths.report_pool(request)
    if pool is None or not pool.issues:
        if pool is None:
            return await run_in_threadpool(_issue_here, session, job, settings, catalog)
        async with pool.admitted():
            return await run_in_threadpool(_issue_here, session, job, settings, catalog)
    await run_in_threadpool(session.commit)
    async with pool.admitted():
        return await pool.issue(job)


def job_for(
    request: Request,
    ref: str,
    asked: reports.Request,
    *,
    actor: Actor,
    catalog: Catalog,
    today: date,
) -> worker.Job:
    """The report process's job for a web request: the verification URL is the address the
    request came to (unless settings name one, `issuer_for`)."""
    return worker.Job(ref, asked, actor, str(request.base_url), today, catalog.version)


def _issue_here(
    session: Session, job: worker.Job, settings: Settings, catalog: Catalog
) -> worker.Made:
    return worker.issue_in(session, job, settings=settings, catalog=catalog)


def busy_response(request: Request, exc: Busy) -> Response:
    """503 with Retry-After: JSON for the API, a Chinese page for a browser."""
    return errors.render(request, exc, {"Retry-After": str(RETRY_AFTER)})


def pdf_response(made: worker.Made) -> Response:
    return Response(
        made.data,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="credit-report-{made.number}.pdf"',
            "X-Report-Number": made.number,
        },
    )


def asked_of(body: ReportRequest) -> reports.Request:
    return reports.Request(
        reports.ReportKind(body.kind), tuple(body.domains), body.years, body.purpose
    )


def answer(made: worker.Made, form: str) -> Response:
    """The answer to `POST /api/v1/reports` (route and dispatch layer): the PDF, or its number."""
    if form == "number":
        return JSONResponse(
            {
                "number": made.number,
                "kind": made.kind,
                "digest": made.digest,
                "valid_until": made.valid_until.isoformat(),
                "verify_url": made.verify_url,
            }
        )
    return pdf_response(made)


@router.post("/reports", summary="出具信用报告（公共信用信息报告 / 专项信用报告）")
async def create_report(
    body: ReportRequest,
    request: Request,
    session: ReportSession,
    actor: CurrentActor,
    catalog: CurrentCatalog,
    today: Today,
) -> Any:
    try:
        made = await issue_for(
            request, session, body.code, asked_of(body), actor=actor, catalog=catalog, today=today
        )
    except Busy as exc:
        return busy_response(request, exc)
    return answer(made, body.format)


@router.get("/reports/{number}/verify", summary="按编号核验信用报告")
def verify_report(number: str, session: DbSession, today: Today) -> dict[str, Any]:
    return reports.verify_number(session, number, today=today).as_json()


@router.post("/reports/verify", summary="上传报告文件核验（签名、撤销、有效期）")
def verify_upload(
    request: Request, session: DbSession, today: Today, file: Annotated[UploadFile, File()]
) -> dict[str, Any]:
    data = file.file.read(MAX_UPLOAD + 1)[:MAX_UPLOAD]
    keys = office_keyring(request.app.state.settings)
    return reports.verify_file(session, data, keys, today=today).as_json()


# ---- the dispatch layer's way in (see the module) ---------------------------------------------

REPORT_PATH = "/api/v1/reports"


def _json_body(headers: Headers) -> bool:
    """A body the route would read as JSON (no content type, or application/json)."""
    kind = headers.get("content-type", "application/json").split(";", 1)[0].strip().lower()
    return kind == "application/json"


def parse_report_body(raw: bytes) -> ReportRequest | None:
    """The body as the route reads it, or None where the route answers 422 (it names each fault
    its own way, so the dispatch layer leaves those to it)."""
    try:
        data = json.loads(raw)
        return ReportRequest.model_validate(data) if isinstance(data, dict) else None
    except (ValueError, ValidationError):
        return None


async def _caller(request: Request, fast: FastCheck | None, key: str | None) -> Actor:
    """Who asks, as the route's `CurrentActor` would say: anonymous (no key), or the key's
    client admitted by `auth.KeyClient.admit` (its rate limit; the path needs no scope)."""
    request_id = deps.request_id_of(request)
    if key is None or fast is None:
        return deps.of_request(ANONYMOUS, request_id)
    client = await fast.client_for_key(key)
    if client is None:
        raise auth.bad_key()
    actor = client.admit(auth.scope_for_path(REPORT_PATH), request_id=request_id)
    await fast.write_use(client.id)
    return actor


async def _issued(
    request: Request, pool: RenderPool, body: ReportRequest, actor: Actor
) -> Response:
    today = deps._today(request)
    catalog = deps._catalog(request)
    job = job_for(request, body.code, asked_of(body), actor=actor, catalog=catalog, today=today)
    try:
        async with pool.admitted():
            made = await pool.issue(job)
    except Busy as exc:
        return busy_response(request, exc)
    return answer(made, body.format)


async def dispatch_report(scope: Scope, receive: Receive, send: Send) -> bool:
    """`POST /api/v1/reports` answered before the router (see the module), or declined (False)
    to the route `create_report`, which then gets the same body."""
    request = Request(scope, receive)
    pool = fastpaths.report_pool(request)
    if pool is None or not pool.issues or not _json_body(request.headers):
        return False
    key = presented_key(request.headers) if security.api_key_request(request.headers) else None
    fast: FastCheck | None = getattr(request.app.state, "fast_check", None)
    if key is None and "cookie" in request.headers:
        return False  # a browser session, and its CSRF token: the route
    if key is not None and (not key or fast is None):
        return False  # a key on SQLite (or the fast check off): the route's session
    body = parse_report_body(await request.body())
    if body is None:
        return False
    try:
        response = await _issued(request, pool, body, await _caller(request, fast, key))
    except XinyongError as exc:
        response = errors.render(request, exc)
    except DataError as exc:
        response = errors.data_error(request, exc)
    await response(scope, receive, send)
    return True


def fast_routes() -> dict[tuple[str, str], fastpaths.Handler]:
    """What `fastpaths.FastDispatch` answers before the router (it declines the rest)."""
    return {("POST", REPORT_PATH): dispatch_report}
