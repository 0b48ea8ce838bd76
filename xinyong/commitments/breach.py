"""Verifying a commitment: kept, or broken — then a dishonesty record at once.

Owns: the authority's verification (one conditional status change) and the dishonesty record a
false or broken commitment becomes (info class `commitment_breach`, written in the same action,
linked by the 承诺编码 and citing the template's legal basis). A broken 信用修复型 commitment
also revokes the repair it was given for (repair.revoke).
Does not: decide what the public sees of the breach record (disclosure/).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong import archive, audit, outbox, providers, repair, subjects
from xinyong.audit import Actor, AuditAction
from xinyong.auth import require_department, require_provider_scope, require_role
from xinyong.catalog import Catalog
from xinyong.commitments.signed import PUBLIC, subject_category
from xinyong.db import transitions
from xinyong.db.tables import Commitment, Record, RepairApplication
from xinyong.enums import CommitmentStatus, RepairStatus, RepairTarget, Role
from xinyong.errors import Conflict, InvalidInput

BREACH_CLASS = "commitment_breach"
FULFILMENT = ("全部履行", "部分履行", "全部未履行")
KEPT = "全部履行"
UNPERFORMED = "全部未履行"  # a false repair commitment: the materials it vouched for were false


class AlreadyVerified(Conflict):
    code = "commitments.already_verified"


@dataclass(frozen=True, slots=True)
class Verification:
    """The verification's effect, with its basis: the breach record and any revoked repair."""

    commitment: Commitment
    kept: bool
    breach_record: Record | None
    revoked_repair: RepairApplication | None
    legal_basis: tuple[str, ...]


def record_verification(
    session: Session,
    commitment: Commitment,
    *,
    fulfilment: str,
    unperformed: str | None = None,
    false_statement: bool = False,
    actor: Actor,
    today: date,
    catalog: Catalog,
) -> Verification:
    """The authority records whether the commitment was kept; a breach becomes a record at once."""
    require_role(actor, Role.OFFICER, Role.ADMIN)
    if commitment.acceptance_provider_id is not None:
        require_provider_scope(actor, commitment.acceptance_provider_id)
    if fulfilment not in FULFILMENT:
        raise InvalidInput(
            f"承诺履行状态须为：{'、'.join(FULFILMENT)}", code="commitments.bad_status"
        )
    kept = fulfilment == KEPT and not false_statement
    if not kept and not (unperformed or "").strip():
        raise InvalidInput(
            "请填写未履行的承诺内容或虚假承诺情况", code="commitments.detail_required"
        )
    _find(
        session, commitment, CommitmentStatus.SIGNED, kept=kept, fulfilment=fulfilment,
        unperformed=unperformed, false_statement=false_statement, actor=actor, today=today,
    )  # fmt: skip
    if kept:
        return Verification(commitment, True, None, None, tuple(commitment.legal_basis))
    breach = _record_breach(session, commitment, actor=actor, today=today, catalog=catalog)
    revoked = _revoke_repair(session, commitment, actor=actor, today=today, catalog=catalog)
    return Verification(commitment, False, breach, revoked, tuple(commitment.legal_basis))


def _find(
    session: Session, commitment: Commitment, expected: CommitmentStatus, *, kept: bool,
    fulfilment: str, unperformed: str | None, false_statement: bool, actor: Actor, today: date,
) -> None:  # fmt: skip
    """The verification's finding: one conditional status change from `expected`, audited."""
    moved = transitions.move(
        session,
        commitment,
        expected,
        status=(CommitmentStatus.KEPT if kept else CommitmentStatus.BREACHED).value,
        fulfillment_status=fulfilment,
        unperformed_content=(unperformed or "").strip() or None,
        false_statement=false_statement,
        verified_on=today,
        verified_by=actor.label,
    )
    if not moved:
        raise AlreadyVerified(f"该承诺已核查（{commitment.status}），不能重复认定")
    audit.record(
        session,
        actor,
        AuditAction.COMMITMENT_VERIFIED,
        target_type="commitment",
        target_id=commitment.id,
        before={"status": expected},
        after={"status": commitment.status, "fulfillment": fulfilment, "false": false_statement},
    )


def revoke_for_false_materials(
    session: Session,
    application: RepairApplication,
    reason: str,
    *,
    actor: Actor,
    today: date,
    catalog: Catalog,
) -> Verification:
    """撤销信用修复（提供虚假材料）: the repair commitment was false, so its breach is recorded.

    The applicant signed the 信用修复型 commitment that its materials are true (令36号 §1.4 (3));
    false materials break it (rules.md §1.6). In one transaction: the commitment is found 不实
    (from 已作出, or from an earlier 已履行 finding the false materials overturn — the audit row
    keeps that finding), the breach record is written (`_record_breach`, info class
    `commitment_breach`, the template's legal basis), and the repair is revoked with the record
    disclosed again for the maximum period (`repair.revoke`). A commitment already found broken
    keeps its one breach record. Who may: the department the case is routed to, or the credit
    office. Refused before anything is written for an early exit from a platform list.
    """
    require_role(actor, Role.OFFICER, Role.ADMIN)
    require_department(actor, application.provider_id, what="信用修复申请")
    grounds = f"{repair.FALSE_MATERIALS}：{reason.strip()}"
    if not reason.strip():
        raise InvalidInput("请写明认定申请材料虚假的事实和依据", code="repair.reason_required")
    repair.ensure_revocable(application, grounds)
    commitment = session.get(Commitment, application.commitment_id)
    assert commitment is not None  # repair_applications.commitment_id is NOT NULL
    breach: Record | None
    if commitment.status == CommitmentStatus.BREACHED:
        held = commitment.breach_record_id
        breach = session.get(Record, held) if held else None
    else:
        _find(
            session, commitment, CommitmentStatus(commitment.status), kept=False,
            fulfilment=UNPERFORMED, unperformed=grounds, false_statement=True, actor=actor,
            today=today,
        )  # fmt: skip
        breach = _record_breach(session, commitment, actor=actor, today=today, catalog=catalog)
    revoked = repair.revoke(
        session, application, grounds, actor=actor, today=today, catalog=catalog
    )
    return Verification(commitment, False, breach, revoked, tuple(commitment.legal_basis))


def _record_breach(
    session: Session, commitment: Commitment, *, actor: Actor, today: date, catalog: Catalog
) -> Record:
    subject = subjects.get(session, commitment.subject_id)
    # the deciding department: the officer's, else the accepting one, else the credit office —
    # never a system or command-line actor's label (providers.acting_department)
    provider = providers.acting_department(
        session, actor.provider_id, commitment.acceptance_provider_id
    )
    acceptance = (
        providers.get(session, commitment.acceptance_provider_id)
        if commitment.acceptance_provider_id
        else provider
    )
    unit = provider.name if provider else providers.CREDIT_AUTHORITY
    category = subject_category(subject.kind)
    code_field = "subject_id_number" if category == "自然人" else "subject_uscc"
    data = {
        "code": commitment.code,
        "subject_name": subject.name,
        "subject_category": category,
        code_field: subject.code,
        "commitment_kind": commitment.kind,
        "reason": commitment.reason,
        "content": commitment.content,
        "liability": commitment.liability,
        "commitment_date": commitment.signed_on.isoformat(),
        "commitment_validity": commitment.valid_until.isoformat()
        if commitment.valid_until
        else None,
        "fulfillment_status": commitment.fulfillment_status,
        "unperformed_content": commitment.unperformed_content,
        "breach_consequence": commitment.breach_consequence,
        "legal_basis": "；".join(commitment.legal_basis),
        "decision_date": today.isoformat(),
        "authority_name": unit,
        "authority_uscc": provider.uscc if provider else None,
        "acceptance_unit": acceptance.name if acceptance else unit,
        "acceptance_unit_uscc": acceptance.uscc if acceptance else None,
        "publication": PUBLIC,
        "remarks": "虚假承诺" if commitment.false_statement else None,
    }
    data = {k: v for k, v in data.items() if v is not None}
    record = archive.add_record(
        session,
        subject_id=subject.id,
        info_class=BREACH_CLASS,
        natural_key=commitment.code,
        data=data,
        reason=f"信用承诺 {commitment.code} 经核查{_breach_word(commitment)}",
        catalog_version=catalog.version,
        actor=actor,
        action=AuditAction.COMMITMENT_BREACH_RECORDED,
        audit_after={"commitment_id": commitment.id, "code": commitment.code},
        audit_reason=commitment.breach_consequence,
        decision_number=commitment.code,
        decision_date=today,
        authority_name=data["authority_name"],
        authority_uscc=data.get("authority_uscc"),
        provider_id=provider.id if provider else None,
    )
    commitment.breach_record_id = record.id
    session.flush()
    outbox.append(
        session,
        outbox.Event.COMMITMENT_BREACHED,
        target_type="record",
        target_id=record.id,
        subject_id=subject.id,
        provider_id=record.provider_id,
        payload={
            "commitment_id": commitment.id,
            "code": commitment.code,
            "info_class": BREACH_CLASS,
        },
        occurred_on=today,
    )
    return record


def _breach_word(commitment: Commitment) -> str:
    return "虚假" if commitment.false_statement else "未履行"


def _revoke_repair(
    session: Session, commitment: Commitment, *, actor: Actor, today: date, catalog: Catalog
) -> RepairApplication | None:
    """A broken 信用修复型 commitment revokes the repair it was given for.

    Not an early exit from a platform list: re-listing is a new decision with its own due process
    (repair.revoke refuses it); the breach record stands and the authority starts that procedure.
    """
    stmt = select(RepairApplication).where(
        RepairApplication.commitment_id == commitment.id,
        RepairApplication.status == RepairStatus.APPROVED,
    )
    application = session.execute(stmt).scalar_one_or_none()
    if application is None or application.target_kind == RepairTarget.LIST_ENTRY:
        return None
    reason = f"信用修复承诺 {commitment.code} 经核查未履行或不实：{commitment.breach_consequence}"
    return repair.revoke(session, application, reason, actor=actor, today=today, catalog=catalog)
