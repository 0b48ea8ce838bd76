"""Applying for repair (受理前): for a record, or for early exit from a list decided here.

One path for both targets (`file_application`): it checks the same conditions (eligibility.py),
stores the materials by content hash, routes the case to the authority that made the finding
(谁认定、谁修复) and starts the acceptance deadline in working days. The 信用修复型 commitment is
signed by the caller in the same step (`commitments.apply_for_repair`: 一口受理).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from xinyong import audit
from xinyong.audit import Actor, AuditAction
from xinyong.catalog import Catalog
from xinyong.clock import Calendar, add_working_days
from xinyong.db.tables import (
    Commitment,
    ListEntry,
    Provider,
    Record,
    RepairApplication,
    RepairMaterial,
)
from xinyong.enums import CommitmentStatus, RepairStatus, RepairTarget, Role
from xinyong.errors import DueProcessError, Forbidden, InvalidInput
from xinyong.log import get_logger
from xinyong.repair import materials
from xinyong.repair.eligibility import Eligibility, Facts
from xinyong.repair.queries import (
    check_eligibility,
    check_entry_eligibility,
    deciding_provider,
    entry_provider,
)

log = get_logger(__name__)

REPAIR_COMMITMENT_KIND = "信用修复型"


class NotEligible(DueProcessError):
    code = "repair.not_eligible"


@dataclass(frozen=True, slots=True)
class Application:
    """What the subject submits: its statement, its declaration, and the materials."""

    statement: str
    obligations_fulfilled: bool
    uploads: tuple[materials.Upload, ...] = ()


@dataclass(frozen=True, slots=True)
class _Intake:
    """An application checked for form: its uploads and the acceptance deadline."""

    statement: str
    checked: tuple[materials.CheckedUpload, ...]
    accept_due: date


def _require_subject(actor: Actor, subject_id: int) -> None:
    if actor.kind == "system":
        return
    if actor.role != Role.ENTERPRISE or actor.subject_id != subject_id:
        raise Forbidden("只能为本主体的信用记录申请修复", code="repair.not_own_record")


def _commitment_signed(commitment: Commitment, subject_id: int, record_id: int | None) -> bool:
    return (
        commitment.kind == REPAIR_COMMITMENT_KIND
        and commitment.status == CommitmentStatus.SIGNED
        and commitment.subject_id == subject_id
        and commitment.record_id == record_id
    )


def _intake(
    application: Application, *, catalog: Catalog, calendar: Calendar, today: date
) -> _Intake:
    """Form checks before anything is written (a year without calendar data stops here)."""
    if not application.statement.strip():
        raise InvalidInput("请说明失信行为的纠正和义务履行情况", code="repair.statement_required")
    rules = catalog.workflows.repair
    accept_due = add_working_days(today, rules.acceptance.working_days, calendar)
    checked = tuple(materials.check_upload(u, rules) for u in application.uploads)
    return _Intake(application.statement.strip(), checked, accept_due)


def _facts(intake: _Intake, application: Application, signed: bool) -> Facts:
    return Facts(
        materials=frozenset(c.kind for c in intake.checked),
        obligations_fulfilled=application.obligations_fulfilled,
        commitment_signed=signed,
    )


def _require_eligible(result: Eligibility, what: str) -> None:
    if not result.eligible:
        reasons = "；".join(f"{c.title}：{c.detail}" for c in result.unmet)
        raise NotEligible(
            f"暂不符合{what}条件：{reasons}", details=audit.jsonable(result.as_dict())
        )


def _file(
    session: Session,
    row: RepairApplication,
    intake: _Intake,
    *,
    actor: Actor,
    data_dir: Path,
    target: dict[str, Any],
) -> RepairApplication:
    """Write the application and its materials, and the audit row."""
    session.add(row)
    session.flush()
    for item in intake.checked:
        session.add(
            RepairMaterial(
                repair_id=row.id,
                kind=item.kind,
                filename=item.filename,
                content_type=item.content_type,
                size=len(item.content),
                sha256=item.sha256,
                stored_as=materials.store(item, data_dir),
            )
        )
    session.flush()
    audit.record(
        session,
        actor,
        AuditAction.REPAIR_APPLIED,
        target_type="repair_application",
        target_id=row.id,
        after={
            **target,
            "provider_id": row.provider_id,
            "accept_due": intake.accept_due,
            "materials": [c.sha256 for c in intake.checked],
        },
    )
    log.info("repair applied", repair_id=row.id, provider_id=row.provider_id)
    return row


def _row(
    intake: _Intake, result: Eligibility, commitment: Commitment, *, catalog: Catalog, today: date
) -> dict[str, Any]:
    """The columns both targets share."""
    return {
        "commitment_id": commitment.id,
        "status": RepairStatus.SUBMITTED.value,
        "statement": intake.statement,
        "severity": result.period.severity.value if result.period.severity else None,
        "eligibility": audit.jsonable(result.as_dict()),
        "applied_on": today,
        "accept_due": intake.accept_due,
        "extended": False,
        "catalog_version": catalog.version,
    }


@dataclass(frozen=True, slots=True)
class _Target:
    """What differs between a record and a platform list entry: the rest is one path."""

    what: str  # 信用修复 / 提前移出, named in a refusal
    columns: dict[str, Any]  # the application's target columns
    audit: dict[str, Any]  # the target named in the audit row
    commitment_record_id: int | None  # the record a 信用修复型 commitment was signed for


def _target(target: Record | ListEntry) -> _Target:
    if isinstance(target, Record):
        return _Target(
            "信用修复",
            {"target_kind": RepairTarget.RECORD.value, "record_id": target.id,
             "info_class": target.info_class, "natural_key": target.natural_key},
            {"record_id": target.id},
            target.id,
        )  # fmt: skip
    return _Target(
        "提前移出",
        {"target_kind": RepairTarget.LIST_ENTRY.value, "list_entry_id": target.id,
         "info_class": target.list_type,
         "natural_key": target.decision_number or f"list_entry:{target.id}"},
        {"list_entry_id": target.id},
        None,
    )  # fmt: skip


def eligibility_of(
    session: Session,
    target: Record | ListEntry,
    *,
    catalog: Catalog,
    today: date,
    facts: Facts | None = None,
) -> Eligibility:
    """The conditions of a repair of a record, or of an early exit from a platform list entry."""
    if isinstance(target, Record):
        return check_eligibility(session, target, catalog=catalog, today=today, facts=facts)
    return check_entry_eligibility(session, target, catalog=catalog, today=today, facts=facts)


def provider_of(session: Session, target: Record | ListEntry) -> Provider | None:
    """谁认定、谁修复: the authority a repair of this target is routed to."""
    if isinstance(target, Record):
        return deciding_provider(session, target)
    return entry_provider(session, target)


def file_application(
    session: Session,
    target: Record | ListEntry,
    application: Application,
    commitment: Commitment,
    *,
    actor: Actor,
    today: date,
    catalog: Catalog,
    calendar: Calendar,
    data_dir: Path,
) -> RepairApplication:
    """The subject applies — repair of a record, or 提前移出 from a platform list entry: the same
    conditions are checked and the case is routed to the authority that decided."""
    kind = _target(target)
    _require_subject(actor, target.subject_id)
    intake = _intake(application, catalog=catalog, calendar=calendar, today=today)
    signed = _commitment_signed(commitment, target.subject_id, kind.commitment_record_id)
    facts = _facts(intake, application, signed)
    result = eligibility_of(session, target, catalog=catalog, today=today, facts=facts)
    _require_eligible(result, kind.what)
    provider = provider_of(session, target)
    row = RepairApplication(
        subject_id=target.subject_id,
        provider_id=provider.id if provider else None,
        **kind.columns,
        **_row(intake, result, commitment, catalog=catalog, today=today),
    )
    return _file(session, row, intake, actor=actor, data_dir=data_dir, target=kind.audit)
