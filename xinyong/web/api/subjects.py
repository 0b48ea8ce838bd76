"""GET /api/v1/subjects?q= and /api/v1/subjects/{code}: the public view for anonymous callers."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from xinyong import subjects
from xinyong.web.deps import DbSession

router = APIRouter(tags=["subjects"])


class SubjectOut(BaseModel):
    code: str
    name: str
    kind: str
    kind_label: str
    status: str
    status_label: str
    region_code: str | None
    former_names: list[str]
    legal_rep: str | None
    registration_authority: str | None
    established_on: date | None
    address: str | None
    industry_code: str | None


class SubjectList(BaseModel):
    q: str
    count: int
    items: list[SubjectOut]


def _out(view: dict[str, Any]) -> SubjectOut:
    return SubjectOut.model_validate(view)


@router.get("/subjects", response_model=SubjectList)
def search_subjects(
    session: DbSession, q: str = Query("", max_length=100), limit: int = Query(20, ge=1, le=100)
) -> SubjectList:
    found = subjects.search(session, q, limit=limit)
    items = [_out(subjects.public_view(s)) for s in found]
    return SubjectList(q=q, count=len(items), items=items)


@router.get("/subjects/{code}", response_model=SubjectOut)
def get_subject(session: DbSession, code: str) -> SubjectOut:
    return _out(subjects.public_view(subjects.get_by_code(session, code)))
