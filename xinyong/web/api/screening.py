"""Screening API: `POST /api/v1/screenings` (a batch of rows) and reviewer decisions."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from xinyong.audit import Actor
from xinyong.enums import Role
from xinyong.measures import screening
from xinyong.web.deps import CurrentCatalog, DbSession, Today, require

router = APIRouter(tags=["screening"])
Screener = Annotated[Actor, Depends(require(Role.SYSTEM, Role.ADMIN, Role.OFFICER))]
MAX_ROWS = 10_000


class RowIn(BaseModel):
    code: str | None = Field(default=None, max_length=64)
    name: str | None = Field(default=None, max_length=200)


class ScreeningRequest(BaseModel):
    matter: str
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
    rows = [screening.ScreeningRow(i + 1, r.code, r.name) for i, r in enumerate(body.rows)]
    index = screening.build_index(session, catalog=catalog, today=today)
    found = screening.screen_rows(rows, body.matter, index, catalog=catalog, today=today)
    return {"matter": body.matter, "results": [r.as_dict() for r in found]}


@router.post("/screenings/decisions", summary="复核疑似命中")
def create_decision(
    body: DecisionRequest, session: DbSession, actor: Screener, today: Today
) -> dict[str, Any]:
    row = screening.remember_decision(session, body.name, body.subject_code, body.is_match,
                                      body.reason, actor=actor, today=today)  # fmt: skip
    return {"normalised_name": row.normalised_name, "is_match": row.is_match}
