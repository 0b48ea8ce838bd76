"""Reports API: `POST /api/v1/reports` (PDF or number), `GET /api/v1/reports/{number}/verify`.

Issuing is async: the caller is authenticated in the route's session (committed at once), then
the whole report — consent, gathering, rendering, signing, storing, the query log — runs in a
report process of the app's pool (`reports.pool`, `reports.worker`) while the request waits on
the event loop, holding neither a thread nor the GIL of the process serving other requests
(bench/report.py measures /health under report load). Too many at once: 503 with Retry-After.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from xinyong import reports
from xinyong.audit import Actor
from xinyong.catalog import Catalog
from xinyong.config import Settings
from xinyong.db.session import is_postgres
from xinyong.reports import worker
from xinyong.reports.issuer import office_public_key
from xinyong.reports.pool import RETRY_AFTER, Busy
from xinyong.web import errors, fastpaths
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
    job = worker.Job(ref, asked, actor, str(request.base_url), today, catalog.version)
    pool = fastpaths.report_pool(request)
    if pool is None or not pool.issues:
        if pool is None:
            return await run_in_threadpool(_issue_here, session, job, settings, catalog)
        async with pool.admitted():
            return await run_in_threadpool(_issue_here, session, job, settings, catalog)
    await run_in_threadpool(session.commit)
    async with pool.admitted():
        return await pool.issue(job)


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


@router.post("/reports", summary="出具信用报告（公共信用信息报告 / 专项信用报告）")
async def create_report(
    body: ReportRequest,
    request: Request,
    session: ReportSession,
    actor: CurrentActor,
    catalog: CurrentCatalog,
    today: Today,
) -> Any:
    asked = reports.Request(
        reports.ReportKind(body.kind), tuple(body.domains), body.years, body.purpose
    )
    try:
        made = await issue_for(
            request, session, body.code, asked, actor=actor, catalog=catalog, today=today
        )
    except Busy as exc:
        return busy_response(request, exc)
    if body.format == "number":
        return {
            "number": made.number,
            "kind": made.kind,
            "digest": made.digest,
            "valid_until": made.valid_until.isoformat(),
            "verify_url": made.verify_url,
        }
    return pdf_response(made)


@router.get("/reports/{number}/verify", summary="按编号核验信用报告")
def verify_report(number: str, session: DbSession, today: Today) -> dict[str, Any]:
    return reports.verify_number(session, number, today=today).as_json()


@router.post("/reports/verify", summary="上传报告文件核验（签名、撤销、有效期）")
def verify_upload(
    request: Request, session: DbSession, today: Today, file: Annotated[UploadFile, File()]
) -> dict[str, Any]:
    data = file.file.read(MAX_UPLOAD + 1)[:MAX_UPLOAD]
    key = office_public_key(request.app.state.settings)
    return reports.verify_file(session, data, key, today=today).as_json()
