"""The repair procedure: [apply: intake.py] → accept (or not) → [extend once] → decide; revoke.

Deadlines are working days from the catalog (`workflows/repair.yaml`), computed before anything is
written, so a year without calendar data raises `CalendarYearMissing` and nothing is decided.
Every state change is a conditional UPDATE … WHERE status = <expected>; when two officers act at
once, exactly one row changes and the other gets `AlreadyHandled`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from xinyong import audit
from xinyong.audit import Actor, AuditAction
from xinyong.auth import require_department, require_role
from xinyong.catalog import Catalog
from xinyong.clock import Calendar, add_working_days
from xinyong.db import transitions
from xinyong.db.tables import ListEntry, Record, RepairApplication
from xinyong.enums import RepairStatus, RepairTarget, Role
from xinyong.errors import Conflict, DueProcessError, InvalidInput
from xinyong.log import get_logger
from xinyong.repair import eligibility, outcomes
from xinyong.repair.queries import APPROVED, deciding_provider

log = get_logger(__name__)

STAGE: dict[str, int] = {
    RepairStatus.SUBMITTED: 0,
    RepairStatus.ACCEPTED: 1,
    RepairStatus.APPROVED: 2,
    RepairStatus.REFUSED: 2,
    RepairStatus.NOT_ACCEPTED: 2,
    RepairStatus.REVOKED: 3,
}


FALSE_MATERIALS = "提供虚假材料"  # the ground of commitments.revoke_for_false_materials


class StepSkipped(DueProcessError):
    code = "repair.step_skipped"


class AlreadyHandled(Conflict):
    code = "repair.already_handled"


class RevokeNotForListEntries(DueProcessError):
    code = "repair.revoke_list_entry"


# ---- actor checks -----------------------------------------------------------------------------


def _require_decider(actor: Actor, application: RepairApplication) -> None:
    require_role(actor, Role.OFFICER, Role.ADMIN)
    require_department(actor, application.provider_id, what="信用修复申请")


def _move(session: Session, application: RepairApplication, expected: str, **values: Any) -> None:
    """Conditional transition: changes the row only if it is still in `expected`."""
    if not transitions.move(session, application, expected, **values):
        raise AlreadyHandled(
            f"该修复申请已被处理（当前状态：{application.status}），请刷新后查看",
            details={"repair_id": application.id, "status": application.status},
        )


def _audit(
    session: Session,
    actor: Actor,
    application: RepairApplication,
    action: AuditAction,
    before: dict[str, Any],
    after: dict[str, Any],
    reason: str | None = None,
) -> None:
    """The audit row of one step of a repair application."""
    audit.record(session, actor, action, target_type="repair_application",
                 target_id=application.id, before=before, after=after, reason=reason)  # fmt: skip


def _expect(application: RepairApplication, expected: str, step: str) -> None:
    """Refuse a skipped step (the case is not there yet) or a second decision (it is past it)."""
    if application.status == expected:
        return
    details = {"status": application.status}
    if STAGE.get(application.status, 9) < STAGE[expected]:
        raise StepSkipped(
            f"该修复申请尚处于“{application.status}”阶段，不能{step}", details=details
        )
    raise AlreadyHandled(f"该修复申请当前状态为“{application.status}”，不能{step}", details=details)


# ---- actions ----------------------------------------------------------------------------------


def accept(
    session: Session,
    application: RepairApplication,
    *,
    actor: Actor,
    today: date,
    catalog: Catalog,
    calendar: Calendar,
) -> RepairApplication:
    """The authority accepts the case; the decision deadline starts."""
    _require_decider(actor, application)
    _expect(application, RepairStatus.SUBMITTED, "受理")
    decide_due = add_working_days(today, catalog.workflows.repair.decision.working_days, calendar)
    _move(
        session,
        application,
        RepairStatus.SUBMITTED,
        status=RepairStatus.ACCEPTED,
        accepted_on=today,
        decide_due=decide_due,
    )
    _audit(
        session,
        actor,
        application,
        AuditAction.REPAIR_ACCEPTED,
        {"status": RepairStatus.SUBMITTED},
        {"status": RepairStatus.ACCEPTED, "decide_due": decide_due},
    )
    return application


def refuse_acceptance(
    session: Session, application: RepairApplication, reason: str, *, actor: Actor, today: date
) -> RepairApplication:
    """不予受理, with the reason (e.g. materials incomplete after the one-time notice)."""
    _require_decider(actor, application)
    _require_reason(reason)
    _expect(application, RepairStatus.SUBMITTED, "作出不予受理决定")
    _move(
        session,
        application,
        RepairStatus.SUBMITTED,
        status=RepairStatus.NOT_ACCEPTED,
        decided_on=today,
        decided_by=actor.label,
        decision_reason=reason.strip(),
    )
    outcomes.append_sync(session, application, "repair.not_accepted", today=today)
    _audit(
        session,
        actor,
        application,
        AuditAction.REPAIR_NOT_ACCEPTED,
        {"status": RepairStatus.SUBMITTED},
        {"status": RepairStatus.NOT_ACCEPTED},
        reason=reason,
    )
    return application


def extend(
    session: Session,
    application: RepairApplication,
    reason: str,
    *,
    actor: Actor,
    today: date,
    catalog: Catalog,
    calendar: Calendar,
) -> RepairApplication:
    """Extend the decision deadline once, for a recorded reason (complex case, checks needed)."""
    _require_decider(actor, application)
    _require_reason(reason)
    _expect(application, RepairStatus.ACCEPTED, "延长办理期限")
    if application.extended:
        raise AlreadyHandled("办理期限只能延长一次，本申请已延长过", code="repair.already_extended")
    assert application.decide_due is not None
    if today > application.decide_due:
        raise StepSkipped(f"办理期限已于 {application.decide_due.isoformat()} 届满，不能再延长")
    days = catalog.workflows.repair.decision_extension.working_days
    new_due = add_working_days(application.decide_due, days, calendar)
    before = application.decide_due
    _move(
        session,
        application,
        RepairStatus.ACCEPTED,
        extended=True,
        extension_reason=reason.strip(),
        decide_due=new_due,
    )
    _audit(
        session,
        actor,
        application,
        AuditAction.REPAIR_EXTENDED,
        {"decide_due": before},
        {"decide_due": new_due},
        reason=reason,
    )
    return application


def decide(
    session: Session,
    application: RepairApplication,
    *,
    approve: bool,
    reason: str,
    actor: Actor,
    today: date,
    catalog: Catalog,
) -> RepairApplication:
    """Approve or refuse (with reasons); decided exactly once. Approval takes effect at once: the
    record gets a `repaired` version, or the list entry is exited early (lists.exit_entry)."""
    _require_decider(actor, application)
    _expect(application, RepairStatus.ACCEPTED, "作出修复决定")
    if not approve:
        _require_reason(reason)
    record: Record | None = None
    entry: ListEntry | None = None
    if approve and application.target_kind == RepairTarget.LIST_ENTRY:
        entry = outcomes.check_entry_can_exit(session, application, catalog=catalog, today=today)
    elif approve:
        record = outcomes.check_can_take_effect(session, application)
    status = APPROVED if approve else RepairStatus.REFUSED
    _move(
        session,
        application,
        RepairStatus.ACCEPTED,
        status=status,
        decided_on=today,
        decided_by=actor.label,
        decision_reason=reason.strip() or None,
    )
    after: dict[str, Any] = {"status": status}
    if record is not None:
        repaired = outcomes.put_into_effect(
            session, application, record, catalog_version=catalog.version, actor=actor, today=today
        )
        after["repaired_record_id"] = repaired.id
    if entry is not None:
        exited = outcomes.exit_early(
            session, application, entry, catalog=catalog, actor=actor, today=today
        )
        after.update(list_entry_id=exited.id, exited_on=exited.exited_on)
    outcomes.append_sync(session, application, f"repair.{status}", today=today)
    session.flush()
    _audit(
        session,
        actor,
        application,
        AuditAction.REPAIR_DECIDED,
        {"status": RepairStatus.ACCEPTED},
        after,
        reason=reason or None,
    )
    log.info("repair decided", repair_id=application.id, status=status)
    return application


def revoke(
    session: Session,
    application: RepairApplication,
    reason: str,
    *,
    actor: Actor,
    today: date,
    catalog: Catalog,
) -> RepairApplication:
    """Revoke an approved repair (false or broken repair commitment): the record is shown again.

    Not for an early exit from a platform list: putting the subject back on the list is a new
    listing decision, which needs its own due process (prior notice, statement, decision).
    """
    require_role(actor, Role.OFFICER, Role.ADMIN)
    ensure_revocable(application, reason)
    record = outcomes.current_version(session, application)
    provider = deciding_provider(session, record)
    period = eligibility.disclosure_period(
        record, catalog, sector=provider.kind if provider else None, today=today
    )
    _move(
        session, application, APPROVED, status=RepairStatus.REVOKED, decision_reason=reason.strip()
    )
    restored = outcomes.restore(
        session,
        application,
        max_until=period.max_until,
        reason=reason,
        catalog_version=catalog.version,
        actor=actor,
    )
    outcomes.append_sync(session, application, "repair.revoked", today=today)
    _audit(
        session,
        actor,
        application,
        AuditAction.REPAIR_REVOKED,
        {"status": APPROVED},
        {"status": RepairStatus.REVOKED, "record_id": restored.id if restored else None},
        reason=reason,
    )
    return application


def ensure_revocable(application: RepairApplication, reason: str) -> None:
    """Refuse, before anything is written, a revocation the procedure does not allow: an early
    exit from a platform list, a case not approved, no reason."""
    if application.target_kind == RepairTarget.LIST_ENTRY:
        raise RevokeNotForListEntries(
            "提前移出名单不能通过撤销信用修复恢复：重新列入须依法重新履行认定程序"
            "（事前告知、陈述申辩、作出认定决定），请按名单认定程序办理",
            details={"repair_id": application.id, "list_entry_id": application.list_entry_id},
        )
    _require_reason(reason)
    _expect(application, APPROVED, "撤销修复")


def _require_reason(reason: str) -> None:
    if not reason.strip():
        raise InvalidInput("请填写理由", code="repair.reason_required")
