"""Reports API: `POST /api/v1/reports` (PDF or number), `GET /api/v1/reports/{number}/verify`.

Sync handlers: FastAPI runs them in its threadpool; the render + sign step goes to the app's
process pool (`reports.render_pool`), so a report holds neither the event loop nor the GIL of
the process serving other requests (bench/report.py measures /health under report load).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from xinyong import reports, subjects
from xinyong.audit import Actor
from xinyong.catalog import Catalog
from xinyong.reports.issuer import issuer_for, office_public_key
from xinyong.web import fastpaths
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


def _write_locked(session: DbSession) -> Session:
    """The request's session with SQLite's write lock taken as its first statement — before
    the actor is looked up (a key's `last_used_at`, a session cookie's row). Declared BEFORE the
    actor in a route, so FastAPI resolves it first; PostgreSQL needs nothing."""
    reports.hold_write_lock(session)
    return session


# The session of a route that issues a report (declare it before the actor).
ReportSession = Annotated[Session, Depends(_write_locked)]


def issue_for(
    request: Request,
    session: Session,
    ref: str,
    asked: reports.Request,
    *,
    actor: Actor,
    catalog: Catalog,
    today: date,
) -> reports.Issued:
    """Issue a report for the subject `ref` from a web request (API or page): `session` is the
    route's `ReportSession` (SQLite's write lock already taken), the issuer named with the address
    the request came to and the app's render pool, then `reports.issue`."""
    subject = subjects.get_by_ref(session, ref)
    settings = request.app.state.settings
    issuer = issuer_for(
        settings, catalog, str(request.base_url), fastpaths.report_renderer(request)
    )
    return reports.issue(
        session, subject, asked, actor=actor, issuer=issuer, catalog=catalog, today=today,
        surface="report",
    )  # fmt: skip


def pdf_response(issued: reports.Issued) -> Response:
    number = issued.row.number
    return Response(
        issued.data,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="credit-report-{number}.pdf"',
            "X-Report-Number": number,
        },
    )


@router.post("/reports", summary="出具信用报告（公共信用信息报告 / 专项信用报告）")
def create_report(
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
    issued = issue_for(
        request, session, body.code, asked, actor=actor, catalog=catalog, today=today
    )
    if body.format == "number":
        return {
            "number": issued.row.number,
            "kind": issued.row.kind,
            "digest": issued.row.digest,
            "valid_until": issued.row.valid_until.isoformat(),
            "verify_url": issued.content.verify_url,
        }
    return pdf_response(issued)


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
