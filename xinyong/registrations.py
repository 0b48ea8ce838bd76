"""Voluntary registration (自愿注册): facts a subject adds itself, with a truth commitment.

Owns: registrations of certificates, contract performance and public welfare; the truth commitment
the subject affirms (text of the catalog template `voluntary_registration_truth`); verification by
the credit office; the public view (only verified items — `public_items`).
Does not: turn a false registration into a dishonesty record (commitments.py does that for
signed commitments; a rejected registration simply never becomes public).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from xinyong import audit
from xinyong.audit import Actor, AuditAction
from xinyong.auth import require_role
from xinyong.catalog import Catalog
from xinyong.db.tables import Subject, VoluntaryRegistration
from xinyong.enums import RegistrationStatus, Role
from xinyong.errors import Conflict, Forbidden, InvalidInput, NotFound

KINDS = {
    "certificate": "资质证书",
    "contract_performance": "合同履约",
    "public_welfare": "公益慈善",
}
TRUTH_TEMPLATE = "voluntary_registration_truth"


class RegistrationNotFound(NotFound):
    code = "registrations.not_found"


class AlreadyVerified(Conflict):
    code = "registrations.already_verified"


@dataclass(frozen=True, slots=True)
class NewRegistration:
    kind: str
    title: str
    detail: str
    evidence: str | None = None
    occurred_on: date | None = None
    truth_affirmed: bool = False


def get(session: Session, registration_id: int) -> VoluntaryRegistration:
    found = session.get(VoluntaryRegistration, registration_id)
    if found is None:
        raise RegistrationNotFound(f"未找到编号为 {registration_id} 的自愿注册信息")
    return found


def list_for_subject(session: Session, subject_id: int) -> list[VoluntaryRegistration]:
    stmt = select(VoluntaryRegistration).where(VoluntaryRegistration.subject_id == subject_id)
    return list(session.execute(stmt.order_by(VoluntaryRegistration.id.desc())).scalars())


def list_unverified(session: Session) -> list[VoluntaryRegistration]:
    stmt = select(VoluntaryRegistration).where(
        VoluntaryRegistration.status == RegistrationStatus.SUBMITTED
    )
    return list(session.execute(stmt.order_by(VoluntaryRegistration.id)).scalars())


def public_items(session: Session, subject_id: int) -> list[VoluntaryRegistration]:
    """What the portal shows: verified registrations only."""
    stmt = select(VoluntaryRegistration).where(
        VoluntaryRegistration.subject_id == subject_id,
        VoluntaryRegistration.status == RegistrationStatus.VERIFIED,
    )
    return list(session.execute(stmt.order_by(VoluntaryRegistration.occurred_on.desc())).scalars())


def submit(
    session: Session,
    subject: Subject,
    new: NewRegistration,
    *,
    actor: Actor,
    today: date,
    catalog: Catalog,
) -> VoluntaryRegistration:
    """The subject registers a fact and affirms the truth commitment; it waits for verification."""
    if actor.kind != "system" and (actor.role != Role.ENTERPRISE or actor.subject_id != subject.id):
        raise Forbidden("只能为本主体注册信用信息", code="registrations.not_own_subject")
    if new.kind not in KINDS:
        raise InvalidInput(
            f"注册类别须为：{'、'.join(KINDS.values())}", code="registrations.bad_kind"
        )
    if not new.title.strip() or not new.detail.strip():
        raise InvalidInput("请填写名称和具体内容", code="registrations.incomplete")
    if not new.truth_affirmed:
        raise InvalidInput("须作出信息真实性承诺后方可注册", code="registrations.truth_required")
    truth = catalog.workflows.template(TRUTH_TEMPLATE)
    row = VoluntaryRegistration(
        subject_id=subject.id,
        kind=new.kind,
        title=new.title.strip(),
        detail=new.detail.strip(),
        evidence=(new.evidence or "").strip() or None,
        occurred_on=new.occurred_on,
        truth_commitment=f"{truth.content}{truth.liability}"
        if truth
        else "本主体承诺所注册信息真实",
        submitted_on=today,
        status=RegistrationStatus.SUBMITTED.value,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        AuditAction.REGISTRATION_SUBMITTED,
        target_type="voluntary_registration",
        target_id=row.id,
        after={"kind": new.kind, "title": row.title},
    )
    return row


def verify(
    session: Session,
    registration: VoluntaryRegistration,
    *,
    verified: bool,
    note: str,
    actor: Actor,
    today: date,
) -> VoluntaryRegistration:
    """The credit office records the verification: verified (then public) or rejected (reasons)."""
    require_role(actor, Role.ADMIN, Role.OFFICER)
    if not verified and not note.strip():
        raise InvalidInput("不予核实须写明理由", code="registrations.reason_required")
    status = (RegistrationStatus.VERIFIED if verified else RegistrationStatus.REJECTED).value
    result = session.execute(
        update(VoluntaryRegistration)
        .where(
            VoluntaryRegistration.id == registration.id,
            VoluntaryRegistration.status == RegistrationStatus.SUBMITTED,
        )
        .values(
            status=status,
            verified_on=today,
            verified_by=actor.label,
            verification_note=note.strip() or None,
        )
        .execution_options(synchronize_session=False)
    )
    assert isinstance(result, CursorResult)
    changed = result.rowcount
    session.refresh(registration)
    if changed != 1:
        raise AlreadyVerified(f"该注册信息已核实（{registration.status}），不能重复认定")
    audit.record(
        session,
        actor,
        AuditAction.REGISTRATION_VERIFIED,
        target_type="voluntary_registration",
        target_id=registration.id,
        before={"status": RegistrationStatus.SUBMITTED},
        after={"status": status},
        reason=note.strip() or None,
    )
    return registration
