"""Repair API — the deciding department's business system handles a credit repair case as its
officers do on `/admin/repairs/{id}` (谁认定、谁修复):

- `POST /api/v1/repairs/{repair_id}/accept` 受理 (the decision deadline starts);
- `POST /api/v1/repairs/{repair_id}/not-accept` 不予受理, with the reason;
- `POST /api/v1/repairs/{repair_id}/extend` 延长办理期限 once, with the reason;
- `POST /api/v1/repairs/{repair_id}/decide` 修复决定 `{"approve", "reason"}` (approval takes effect
  at once: the record's `repaired` version, or the list entry's early exit);
- `POST /api/v1/repairs/{repair_id}/revoke` revoke an approved repair because the applicant
  provided false materials (`commitments.revoke_for_false_materials`: the breach of the repair
  commitment recorded as a `commitment_breach` record).

Each calls the same domain action as the page and `xinyong repair …`, which checks the
department and audits. For the deciding department's officers and the credit office (a page
session or an API key of theirs)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from xinyong import commitments, repair
from xinyong.audit import Actor
from xinyong.enums import Role
from xinyong.web.deps import CurrentCalendar, CurrentCatalog, DbSession, Today, require
from xinyong.web.inputs import RowId

router = APIRouter(tags=["repairs"])
Decider = Annotated[Actor, Depends(require(Role.ADMIN, Role.OFFICER))]


class RevokeRequest(BaseModel):
    reason: str = Field(max_length=2000, description="认定申请材料虚假的事实和依据（必填）")


class ReasonRequest(BaseModel):
    reason: str = Field(max_length=2000, description="理由（必填）")


class DecideRequest(BaseModel):
    approve: bool = Field(description="true 准予修复，false 不予修复")
    reason: str = Field("", max_length=2000, description="理由（不予修复时必填）")


@router.post("/repairs/{repair_id}/accept", summary="受理信用修复申请")
def accept_repair(
    repair_id: RowId,
    session: DbSession,
    actor: Decider,
    today: Today,
    catalog: CurrentCatalog,
    calendar: CurrentCalendar,
) -> dict[str, Any]:
    application = repair.get(session, repair_id, actor=actor)
    repair.accept(session, application, actor=actor, today=today, catalog=catalog,
                  calendar=calendar)  # fmt: skip
    return repair.state(application)


@router.post("/repairs/{repair_id}/not-accept", summary="不予受理信用修复申请")
def refuse_repair(
    repair_id: RowId, body: ReasonRequest, session: DbSession, actor: Decider, today: Today
) -> dict[str, Any]:
    application = repair.get(session, repair_id, actor=actor)
    repair.refuse_acceptance(session, application, body.reason, actor=actor, today=today)
    return repair.state(application)


@router.post("/repairs/{repair_id}/extend", summary="延长信用修复办理期限")
def extend_repair(
    repair_id: RowId,
    body: ReasonRequest,
    session: DbSession,
    actor: Decider,
    today: Today,
    catalog: CurrentCatalog,
    calendar: CurrentCalendar,
) -> dict[str, Any]:
    application = repair.get(session, repair_id, actor=actor)
    repair.extend(session, application, body.reason, actor=actor, today=today, catalog=catalog,
                  calendar=calendar)  # fmt: skip
    return repair.state(application)


@router.post("/repairs/{repair_id}/decide", summary="作出信用修复决定")
def decide_repair(
    repair_id: RowId,
    body: DecideRequest,
    session: DbSession,
    actor: Decider,
    today: Today,
    catalog: CurrentCatalog,
) -> dict[str, Any]:
    application = repair.get(session, repair_id, actor=actor)
    repair.decide(session, application, approve=body.approve, reason=body.reason, actor=actor,
                  today=today, catalog=catalog)  # fmt: skip
    return repair.state(application)


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
