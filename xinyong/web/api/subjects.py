"""GET /api/v1/subjects?q= and /api/v1/subjects/{code}.

Anonymous callers (and anyone asking `view=public`) get the public view: the subject's public facts
and each disclosed record with class, decision number, decision date and `disclosure_ends`.
Authorised readers (admin, officer, auditor; an enterprise account for its own subject) get the
full archive and must give a `purpose`; each such read is written to the query log.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel

from xinyong import audit, disclosure, identifiers, subjects
from xinyong.web import profile
from xinyong.web.deps import CurrentActor, CurrentCatalog, DbSession, Today

router = APIRouter(tags=["subjects"])


class SubjectOut(BaseModel):
    ref: str  # address of the subject on public surfaces: /api/v1/subjects/{ref}
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


class SubjectDetail(SubjectOut):
    view: Literal["public", "full"]
    records: list[dict[str, Any]]  # public: disclosed records; full: the archive entries
    list_entries: list[
        dict[str, Any]
    ] = []  # lists decided on this platform, in force and published


@router.get("/subjects", response_model=SubjectList)
def search_subjects(
    session: DbSession, q: str = Query("", max_length=100), limit: int = Query(20, ge=1, le=100)
) -> SubjectList:
    found = subjects.search(session, q, limit=limit)
    items = [SubjectOut.model_validate(subjects.public_view(s)) for s in found]
    return SubjectList(q=identifiers.mask_text(q), count=len(items), items=items)


@router.get("/subjects/{code}", response_model=SubjectDetail)
def get_subject(
    session: DbSession,
    actor: CurrentActor,
    catalog: CurrentCatalog,
    today: Today,
    code: str,
    purpose: str | None = Query(None, max_length=200, description="查询目的（非公开查询必填）"),
    view: Literal["auto", "public"] = "auto",
) -> SubjectDetail:
    subject = subjects.get_by_ref(session, code)
    facts = subjects.public_view(subject)
    if view == "public" or not disclosure.may_read_archive(actor, subject):
        shown = disclosure.public_view(session, subject, catalog=catalog, today=today)
        records = [r.as_json() for r in shown.records]
        own = profile.platform_profile(session, subject.id, catalog, today)
        entries = audit.jsonable(own["list_entries"] + own["red_entries"])
        return SubjectDetail(**facts, view="public", records=records, list_entries=entries)
    entries = disclosure.read_archive(
        session, subject, purpose=purpose, surface="api", actor=actor, catalog=catalog, today=today
    )
    return SubjectDetail(**facts, view="full", records=[e.as_json() for e in entries])
