"""Objections (异议): a subject disputes a record; the provider answers within the deadline.

Owns: filing (the record shows 异议处理中 at once: an `open` row in `objections`, read by
archive.open_objection_record_ids), routing to the provider, the working-day answer deadline
(catalogs/workflows/objections.yaml), and the answer: correct (a new record version with the
changed fields), delete (a `withdrawn` version with the reason) or keep (reasons). Each answer keeps
the field-by-field history (before/after) on the objection and in the audit row.
Does not: decide what the public sees (disclosure/ reads the flag and the record status).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong import archive, audit, clock, providers
from xinyong.audit import Actor, AuditAction
from xinyong.auth import require_department
from xinyong.catalog import Catalog, FieldRole
from xinyong.clock import Calendar, add_working_days
from xinyong.db import case_lists, transitions
from xinyong.db.tables import Objection, Provider, Record
from xinyong.enums import ObjectionOutcome, ObjectionStatus, RecordStatus, Role
from xinyong.errors import Conflict, Forbidden, InvalidInput, NotFound

# Fields whose value is also a column of `records` (kept in step when corrected).
COLUMN_ROLES = {
    FieldRole.DECISION_NUMBER: "decision_number",
    FieldRole.DECISION_DATE: "decision_date",
    FieldRole.VALID_FROM: "valid_from",
    FieldRole.VALID_UNTIL: "valid_until",
    FieldRole.AUTHORITY_NAME: "authority_name",
    FieldRole.AUTHORITY_USCC: "authority_uscc",
}
DATE_COLUMNS = {"decision_date", "valid_from", "valid_until"}


class ObjectionNotFound(NotFound):
    code = "objections.not_found"


class ObjectionOpen(Conflict):
    code = "objections.already_open"


class AlreadyAnswered(Conflict):
    code = "objections.already_answered"


@dataclass(frozen=True, slots=True)
class FieldChange:
    field: str
    label: str
    before: Any
    after: Any


# ---- pure rules -------------------------------------------------------------------------------


def field_changes(record: Record, changes: dict[str, Any], catalog: Catalog) -> list[FieldChange]:
    """Before/after per changed field; unknown fields are refused, unchanged ones dropped."""
    info = catalog.info_class(record.info_class)
    known = {f.id: f for f in info.fields}
    out: list[FieldChange] = []
    row = archive.source_row(record)
    for field_id, value in changes.items():
        spec = known.get(field_id)
        if spec is None:
            raise InvalidInput(
                f"“{field_id}”不是{info.title}的数据项", code="objections.unknown_field"
            )
        before = row.get(field_id)
        if before != value:
            out.append(FieldChange(field_id, spec.label, before, value))
    return out


# ---- queries ----------------------------------------------------------------------------------


def get(session: Session, objection_id: int, *, actor: Actor) -> Objection:
    """One objection, for the department it is routed to (the provider) or the credit office."""
    found = session.get(Objection, objection_id)
    if found is None:
        raise ObjectionNotFound(f"未找到编号为 {objection_id} 的异议")
    require_department(actor, found.provider_id, what="异议")
    return found


def list_for_subject(session: Session, subject_id: int) -> list[Objection]:
    stmt = select(Objection).where(Objection.subject_id == subject_id)
    return list(session.execute(stmt.order_by(Objection.id.desc())).scalars())


def list_open(session: Session, provider_id: int | None = None) -> list[Objection]:
    stmt = select(Objection).where(Objection.status == ObjectionStatus.OPEN)
    if provider_id is not None:
        stmt = stmt.where(Objection.provider_id == provider_id)
    return list(session.execute(stmt.order_by(Objection.answer_due)).scalars())


def list_routed(
    session: Session,
    provider_id: int | None = None,
    *,
    status: ObjectionStatus | None = None,
    before: int | None = None,
    limit: int = 100,
) -> list[Objection]:
    """Every objection routed to a department (None: all, the credit office), answered ones
    too, newest first, paged by number (`before`: the smallest number of the previous page)."""
    return case_lists.routed_page(
        session, Objection, provider_id, status=status, before=before, limit=limit
    )


def history(session: Session, info_class: str, natural_key: str) -> list[Objection]:
    """Every objection against any version of one record, oldest first."""
    stmt = (
        select(Objection)
        .join(Record, Record.id == Objection.record_id)
        .where(Record.info_class == info_class, Record.natural_key == natural_key)
        .order_by(Objection.id)
    )
    return list(session.execute(stmt).scalars())


def _provider_for(session: Session, record: Record) -> Provider | None:
    if record.provider_id is not None:
        return providers.get(session, record.provider_id)
    return providers.find_by_uscc(session, record.authority_uscc) if record.authority_uscc else None


# ---- actions ----------------------------------------------------------------------------------


def file_objection(
    session: Session,
    record: Record,
    grounds: str,
    *,
    actor: Actor,
    today: date,
    catalog: Catalog,
    calendar: Calendar,
) -> Objection:
    """The subject disputes a record; it shows 异议处理中 from this moment."""
    if actor.kind != "system" and (
        actor.role != Role.ENTERPRISE or actor.subject_id != record.subject_id
    ):
        raise Forbidden("只能对本主体的信用记录提出异议", code="objections.not_own_record")
    if not grounds.strip():
        raise InvalidInput("请写明异议的事实和理由", code="objections.grounds_required")
    if not record.is_current:
        raise archive.NotCurrentVersion("只能对信用记录的当前版本提出异议，请刷新后重试")
    if archive.open_objection_record_ids(session, [record.id]):
        raise ObjectionOpen("该记录已有正在处理的异议，请等待答复")
    answer_due = add_working_days(today, catalog.workflows.objections.answer.working_days, calendar)
    provider = _provider_for(session, record)
    objection = Objection(
        record_id=record.id,
        subject_id=record.subject_id,
        status=ObjectionStatus.OPEN.value,
        grounds=grounds.strip(),
        filed_on=today,
        answer_due=answer_due,
        provider_id=provider.id if provider else None,
    )
    session.add(objection)
    session.flush()
    audit.record(
        session,
        actor,
        AuditAction.OBJECTION_FILED,
        target_type="objection",
        target_id=objection.id,
        after={
            "record_id": record.id,
            "answer_due": answer_due,
            "provider_id": objection.provider_id,
        },
    )
    return objection


def state(objection: Objection) -> dict[str, Any]:
    """Where an objection stands, as the API and the CLI answer it."""
    o = objection
    return {"objection_id": o.id, "status": o.status, "record_id": o.record_id,
            "filed_on": o.filed_on, "answer_due": o.answer_due, "outcome": o.outcome,
            "answer": o.answer, "answered_by": o.answered_by, "field_changes": o.field_changes,
            "result_record_id": o.result_record_id}  # fmt: skip


def answer_objection(
    session: Session,
    objection: Objection,
    outcome: ObjectionOutcome | str,
    answer: str,
    *,
    changes: dict[str, Any] | None = None,
    actor: Actor,
    today: date,
    catalog: Catalog,
) -> Objection:
    """The provider answers: correct (new version), delete (withdrawn version) or keep (reasons)."""
    require_department(actor, objection.provider_id, what="异议")
    if outcome not in set(ObjectionOutcome):
        raise InvalidInput("答复结论须为更正、删除或维持", code="objections.bad_outcome")
    outcome = ObjectionOutcome(outcome)
    if not answer.strip():
        raise InvalidInput("请写明答复理由", code="objections.answer_required")
    if objection.status != ObjectionStatus.OPEN:
        raise AlreadyAnswered(f"该异议已处理（{objection.status}），不能重复答复")
    record = archive.get(session, objection.record_id)
    diff = (
        field_changes(record, changes or {}, catalog)
        if outcome == ObjectionOutcome.CORRECTED
        else []
    )
    if outcome == ObjectionOutcome.CORRECTED and not diff:
        raise InvalidInput("更正须至少修改一个数据项", code="objections.no_changes")
    _close(session, objection, outcome, answer, diff, actor=actor)
    reason = f"异议第 {objection.id} 号答复（{outcome.label}）：{answer.strip()}"
    successor: Record | None = None
    if outcome == ObjectionOutcome.CORRECTED:
        successor = archive.new_version(
            session,
            record,
            reason=reason,
            changes={c.field: c.after for c in diff},
            catalog_version=catalog.version,
            actor=actor,
            today=today,
        )
        _sync_columns(successor, diff, catalog)
    elif outcome == ObjectionOutcome.DELETED:
        successor = archive.new_version(
            session,
            record,
            reason=reason,
            status=RecordStatus.WITHDRAWN,
            catalog_version=catalog.version,
            actor=actor,
            today=today,
        )
    objection.result_record_id = successor.id if successor else None
    session.flush()
    audit.record(
        session,
        actor,
        AuditAction.OBJECTION_ANSWERED,
        target_type="objection",
        target_id=objection.id,
        before={"status": ObjectionStatus.OPEN, "fields": {c.field: c.before for c in diff}},
        after={
            "status": ObjectionStatus.ANSWERED,
            "outcome": outcome.value,
            "fields": {c.field: c.after for c in diff},
            "record_id": objection.result_record_id,
            "on_time": today <= objection.answer_due,
        },
        reason=answer.strip(),
    )
    return objection


def _close(
    session: Session,
    objection: Objection,
    outcome: ObjectionOutcome,
    answer: str,
    diff: list[FieldChange],
    *,
    actor: Actor,
) -> None:
    answered = transitions.move(
        session,
        objection,
        ObjectionStatus.OPEN,
        status=ObjectionStatus.ANSWERED.value,
        outcome=outcome.value,
        answer=answer.strip(),
        answered_at=clock.now(),
        answered_by=actor.label,
        field_changes=[
            {"field": c.field, "label": c.label, "before": c.before, "after": c.after} for c in diff
        ],
    )
    if not answered:
        raise AlreadyAnswered(f"该异议已处理（{objection.status}），不能重复答复")


def _sync_columns(record: Record, diff: list[FieldChange], catalog: Catalog) -> None:
    """A corrected field that is also a column (decision date …) is corrected there too."""
    info = catalog.info_class(record.info_class)
    for change in diff:
        role = info.field(change.field).role
        column = COLUMN_ROLES.get(role) if role is not None else None
        if column is None:
            continue
        value = change.after
        if column in DATE_COLUMNS and isinstance(value, str):
            value = date.fromisoformat(value)
        setattr(record, column, value)
