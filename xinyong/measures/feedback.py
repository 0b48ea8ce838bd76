"""实施反馈: what the business system did with each measure of a check.

Every mandatory measure of the answer must be reported on; not applying one needs a reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xinyong import audit
from xinyong.audit import Actor, AuditAction
from xinyong.db.tables import Check, CheckFeedback
from xinyong.enums import Role
from xinyong.errors import Conflict, Forbidden, InvalidInput, NotFound


class CheckNotFound(NotFound):
    code = "measures.check_not_found"


class FeedbackExists(Conflict):
    code = "measures.feedback_exists"


class MandatoryReasonMissing(InvalidInput):
    code = "measures.mandatory_reason_missing"


class MeasureNotInAnswer(InvalidInput):
    code = "measures.measure_not_in_answer"


@dataclass(frozen=True, slots=True)
class FeedbackItem:
    measure_id: str
    applied: bool
    reason: str | None = None


def get_check(session: Session, check_id: str) -> Check:
    found = session.execute(select(Check).where(Check.check_id == check_id)).scalar_one_or_none()
    if found is None:
        raise CheckNotFound(f"未找到核查编号为 {check_id} 的核查记录")
    return found


def answered_measures(check: Check) -> dict[str, bool]:
    """measure id → mandatory, for every measure the check's answer returned."""
    if check.answer is None:  # the slim log (measures.replay.log_basis)
        return dict((check.basis or {}).get("measures", {}))
    out: dict[str, bool] = {}
    for h in check.answer.get("hits", []):
        for m in h.get("measures", []):
            out[m["measure_id"]] = bool(m["mandatory"])
    for m in check.answer.get("incentives", []):
        out[m["measure_id"]] = False
    return out


def _validate(check: Check, items: Sequence[FeedbackItem]) -> None:
    known = answered_measures(check)
    given = {i.measure_id for i in items}
    for item in items:
        if item.measure_id not in known:
            raise MeasureNotInAnswer(
                f"措施“{item.measure_id}”不在本次核查结果中",
                details={"measure_id": item.measure_id},
            )
        if known[item.measure_id] and not item.applied and not (item.reason or "").strip():
            raise MandatoryReasonMissing(
                f"强制性措施“{item.measure_id}”未实施，须说明理由",
                details={"measure_id": item.measure_id},
            )
    missing = [m for m, mandatory in known.items() if mandatory and m not in given]
    if missing:
        raise MandatoryReasonMissing(
            f"须反馈强制性措施的实施情况：{'、'.join(missing)}", details={"missing": missing}
        )


def record_feedback(
    session: Session, check_id: str, items: Sequence[FeedbackItem], *, actor: Actor, today: date
) -> list[CheckFeedback]:
    """Record the feedback on one check (once), by the system that made it or an admin."""
    check = get_check(session, check_id)
    same = (check.actor_kind, check.actor_id) == (actor.kind, actor.id)
    if not same and actor.kind != "system" and actor.role != Role.ADMIN:
        raise Forbidden("只能反馈本单位发起的核查", code="measures.feedback_scope")
    done = session.execute(
        select(func.count()).select_from(CheckFeedback).where(CheckFeedback.check_id == check_id)
    ).scalar_one()
    if done:
        raise FeedbackExists(f"核查 {check_id} 已反馈，不能重复反馈")
    _validate(check, items)
    rows = [
        CheckFeedback(
            check_id=check_id,
            measure_id=i.measure_id,
            applied=i.applied,
            reason=(i.reason or "").strip() or None,
            actor_label=actor.label,
        )
        for i in items
    ]
    session.add_all(rows)
    session.flush()
    audit.record(
        session,
        actor,
        AuditAction.CHECK_FEEDBACK_RECORDED,
        target_type="check",
        target_id=check_id,
        after={
            "on": today,
            "items": [{"measure_id": i.measure_id, "applied": i.applied} for i in items],
        },
    )
    return rows
