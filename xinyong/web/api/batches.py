"""POST /api/v1/batches (multipart file or JSON rows, provider API key), GET /api/v1/batches/{id}.

Processing runs in the threadpool in its own session, committed chunk by chunk (collection), so
the result is durable when the 202 is sent and a dropped connection loses nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from xinyong import collection, providers
from xinyong.audit import Actor
from xinyong.enums import Role
from xinyong.errors import InvalidInput
from xinyong.web import evaluation as evaluation_web
from xinyong.web.deps import CurrentCalendar, CurrentCatalog, Today, require
from xinyong.web.inputs import RowId, json_body

router = APIRouter(tags=["batches"])
Submitter = Annotated[Actor, Depends(require(Role.PROVIDER_CLERK, Role.ADMIN))]


def work_session(request: Request) -> Iterator[Session]:
    """A session without a surrounding transaction: the store commits per chunk."""
    with request.app.state.sessionmaker() as session:
        yield session


WorkSession = Annotated[Session, Depends(work_session)]


class RowsIn(BaseModel):
    """A batch as JSON rows: the info class, the reporting department (USCC), one object a row."""

    info_class: str = Field(min_length=1, max_length=64, description="信息类别，如 penalty")
    provider: str | None = Field(None, max_length=18, description="报送部门统一社会信用代码")
    rows: list[dict[str, Any]] = Field(description="每行一个对象，键为目录中的字段名")


class UploadIn(BaseModel):
    """A batch as a file (CSV, XLSX or JSON lines) in the `file` field."""

    info_class: str = Field(min_length=1, max_length=64)
    provider: str | None = Field(None, max_length=18)
    file: bytes = Field(json_schema_extra={"format": "binary"})


BATCH_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": RowsIn.model_json_schema()},
            "multipart/form-data": {"schema": UploadIn.model_json_schema()},
        },
    }
}


async def _submission(request: Request, session: Session, actor: Actor) -> collection.Submission:
    if request.headers.get("content-type", "").startswith("multipart/"):
        form = await request.form()
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise InvalidInput("请以 file 字段上传文件", code="collection.file_required")
        fields = {"info_class": str(form.get("info_class") or ""), "provider": form.get("provider")}
        data, name = await upload.read(), upload.filename
        rows = None
    else:
        body = await json_body(request, RowsIn)
        fields, data, name, rows = body.model_dump(), None, None, body.rows
    uscc = fields.get("provider") or _own_provider(session, actor)
    return collection.Submission(str(fields["info_class"]), str(uscc), data, rows, name)


def _own_provider(session: Session, actor: Actor) -> str:
    if actor.provider_id is None:
        raise InvalidInput(
            "请指定 provider（报送部门统一社会信用代码）", code="collection.provider_required"
        )
    return providers.get(session, actor.provider_id).uscc


@router.post("/batches", status_code=202, openapi_extra=BATCH_BODY, summary="报送一个批次")
async def submit_batch(
    request: Request, session: WorkSession, actor: Submitter, catalog: CurrentCatalog,
    calendar: CurrentCalendar, today: Today,
) -> JSONResponse:  # fmt: skip
    submission = await _submission(request, session, actor)
    # a large file takes seconds to minutes: in the threadpool, not on the event loop
    report = await run_in_threadpool(
        collection.collect,
        session,
        submission,
        catalog=catalog,
        calendar=calendar,
        actor=actor,
        today=today,
    )
    await run_in_threadpool(evaluation_web.after_batch, session, report.batch_id,
                            catalog=catalog, today=today)  # fmt: skip
    body = {"id": report.batch_id, **report.as_dict()}
    # 202: a batch was taken in; 200: the file repeats batch `repeat_of` and nothing was written
    status = 200 if report.repeat_of is not None else 202
    return JSONResponse(
        body, status_code=status, headers={"Location": f"/api/v1/batches/{report.batch_id}"}
    )


@router.get("/batches/{batch_id}")
def get_batch(
    batch_id: RowId, session: WorkSession, actor: Submitter, catalog: CurrentCatalog
) -> dict[str, Any]:
    batch = collection.get(session, batch_id, actor=actor)
    return {"id": batch.id, **collection.report(session, batch, catalog).as_dict()}
