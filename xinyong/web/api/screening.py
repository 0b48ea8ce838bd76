"""Screening API: `POST /api/v1/screenings` (a batch of rows, a required `purpose`; the answer
carries `screening_id` and how many matched subjects were `logged` to the query log) and reviewer
decisions."""

from __future__ import annotations

from typing import Annotated, Any

import polars as pl
from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from xinyong.audit import Actor
from xinyong.enums import Role
from xinyong.measures import screening, screening_run
from xinyong.web.deps import CurrentCatalog, DbSession, Today, require

router = APIRouter(tags=["screening"])
Screener = Annotated[Actor, Depends(require(Role.SYSTEM, Role.ADMIN, Role.OFFICER))]
MAX_ROWS = 10_000


class RowIn(BaseModel):
    code: str | None = Field(default=None, max_length=64)
    name: str | None = Field(default=None, max_length=200)


class ScreeningRequest(BaseModel):
    matter: str
    purpose: str = Field(
        min_length=1, max_length=screening_run.PURPOSE_MAX,
        description="比对用途（必填）：记入每个命中主体的查询记录",
    )  # fmt: skip
    rows: list[RowIn] = Field(max_length=MAX_ROWS)


class DecisionRequest(BaseModel):
    name: str = Field(max_length=200)
    subject_code: str = Field(max_length=64)
    is_match: bool
    reason: str | None = None


@router.post("/screenings", summary="名单比对")
def create_screening(
    body: ScreeningRequest, session: DbSession, actor: Screener, catalog: CurrentCatalog,
    today: Today,
) -> dict[str, Any]:  # fmt: skip
    frame = pl.DataFrame(
        {"row_no": list(range(1, len(body.rows) + 1)), "code": [r.code for r in body.rows],
         "name": [r.name for r in body.rows]},
        schema=screening.INPUT_SCHEMA,
    )  # fmt: skip
    done = screening_run.screen(session, frame, body.matter, purpose=body.purpose, actor=actor,
                                catalog=catalog, today=today)  # fmt: skip
    return {"screening_id": done.id, "matter": body.matter, "purpose": done.purpose,
            "logged": done.logged,
            "results": [r.as_dict() for r in screening.result_rows(done.results)]}  # fmt: skip


@router.post("/screenings/decisions", summary="复核疑似命中")
def create_decision(
    body: DecisionRequest, session: DbSession, actor: Screener, today: Today
) -> dict[str, Any]:
    row = screening.remember_decision(session, body.name, body.subject_code, body.is_match,
                                      body.reason, actor=actor, today=today)  # fmt: skip
    return {"normalised_name": row.normalised_name, "is_match": row.is_match}
