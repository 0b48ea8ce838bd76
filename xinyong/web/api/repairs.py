"""Repair API: `POST /api/v1/repairs/{repair_id}/revoke` — revoke an approved credit repair because
the applicant provided false materials (`commitments.revoke_for_false_materials`: the breach of
the repair commitment recorded as a `commitment_breach` record, audited). For the
deciding department's officers and the credit office (a page session or an API key of theirs)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from xinyong import commitments, repair
from xinyong.audit import Actor
from xinyong.enums import Role
from xinyong.web.deps import CurrentCatalog, DbSession, Today, require
from xinyong.web.inputs import RowId

router = APIRouter(tags=["repairs"])
Decider = Annotated[Actor, Depends(require(Role.ADMIN, Role.OFFICER))]


class RevokeRequest(BaseModel):
    reason: str = Field(max_length=2000, description="认定申请材料虚假的事实和依据（必填）")


@router.post("/repairs/{repair_id}/revoke", summary="撤销信用修复（提供虚假材料）")
def revoke_repair(
    repair_id: RowId,
    body: RevokeRequest,
    session: DbSession,
    actor: Decider,
    today: Today,
    catalog: CurrentCatalog,
) -> dict[str, Any]:
    application = repair.get(session, repair_id, actor=actor)
    found = commitments.revoke_for_false_materials(
        session, application, body.reason, actor=actor, today=today, catalog=catalog
    )
    record = repair.current_version(session, application)
    return {
        "repair_id": application.id,
        "status": application.status,
        "reason": application.decision_reason,
        "record_id": record.id,
        "record_status": record.status,
        "commitment_code": found.commitment.code,
        "breach_record_id": found.breach_record.id if found.breach_record else None,
    }
