"""Runs API for scripts: `POST /api/v1/runs` queues a background run of a job (`runs.start`,
audited; who may start which job is checked there) and answers 202 with the run;
`GET /api/v1/runs/{run_id}` gives its status, progress, result or Chinese message. Files are
imported through the /admin/exchange page (the platform stores the upload itself)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from xinyong import clock, runs
from xinyong.audit import Actor
from xinyong.enums import Role
from xinyong.web.deps import DbSession, require
from xinyong.web.inputs import RowId
from xinyong.web.run_session import RunSession

router = APIRouter(tags=["runs"])
Office = Annotated[Actor, Depends(require(Role.ADMIN))]


class RunRequest(BaseModel):
    job: str = Field(
        min_length=1,
        max_length=32,
        description="任务名：deadlines、dashboard、retention、exchange、reclassify",
    )
    params: dict[str, Any] = Field(
        default_factory=dict, description='任务参数，如 {"month": "2026-11"}（重算看板的月份）'
    )
    reason: str = Field("", max_length=500, description="运行原因（记入审计日志）")


@router.post("/runs", summary="提交后台运行", status_code=202)
def start_run(body: RunRequest, session: RunSession, actor: Office) -> JSONResponse:
    """A run of the same job and parameters already queued or running is answered (200) instead
    of a second one."""
    now = clock.now()
    run, new = runs.start(session, body.job, actor=actor, now=now, params=body.params,
                          reason=body.reason)  # fmt: skip
    return JSONResponse(runs.view(run, now), status_code=202 if new else 200)


@router.get("/runs/{run_id}", summary="查询后台运行")
def get_run(run_id: RowId, session: DbSession, actor: Office) -> dict[str, Any]:
    return runs.view(runs.get(session, run_id), clock.now())
