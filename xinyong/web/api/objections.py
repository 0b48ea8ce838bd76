"""Objection API: `POST /api/v1/objections/{objection_id}/answer` — the department the objection is
routed to answers it from its business system as its officers do on `/admin/objections/{id}`:
更正 (`corrected`, with the changed fields: a new record version), 删除 (`deleted`: a withdrawn
version) or 维持 (`kept`), always with the reasons. `objections.answer_objection` checks the
department and audits. For the department's officers and the credit office (a page session or
an API key of theirs; the clerk who submitted the record, as on the page)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from xinyong import objections
from xinyong.audit import Actor
from xinyong.enums import ObjectionOutcome, Role
from xinyong.web.deps import CurrentCatalog, DbSession, Today, require
from xinyong.web.inputs import RowId

router = APIRouter(tags=["objections"])
Answerer = Annotated[Actor, Depends(require(Role.ADMIN, Role.OFFICER, Role.PROVIDER_CLERK))]


class AnswerRequest(BaseModel):
    outcome: ObjectionOutcome = Field(description="corrected 更正 / deleted 删除 / kept 维持")
    answer: str = Field(max_length=4000, description="答复理由（必填）")
    changes: dict[str, Annotated[str, Field(max_length=2000)]] | None = Field(
        None, max_length=50, description="更正时：数据项 → 更正后的值"
    )


@router.post("/objections/{objection_id}/answer", summary="答复异议（更正、删除或维持）")
def answer_objection(
    objection_id: RowId,
    body: AnswerRequest,
    session: DbSession,
    actor: Answerer,
    today: Today,
    catalog: CurrentCatalog,
) -> dict[str, Any]:
    found = objections.get(session, objection_id, actor=actor)
    objections.answer_objection(session, found, body.outcome, body.answer, changes=body.changes,
                                actor=actor, today=today, catalog=catalog)  # fmt: skip
    return objections.state(found)
