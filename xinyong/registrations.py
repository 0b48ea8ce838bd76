"""Voluntary registration (自愿注册): facts a subject adds itself, with a truth commitment.

Owns: registrations of certificates, contract performance and public welfare; the truth commitment
the subject affirms (text of the catalog template `voluntary_registration_truth`); routing to the
department responsible for that kind of fact (catalog `workflows/registrations.yaml`; the credit
office when the region has none) and its verification; the public view (only verified items).
Does not: turn a false registration into a dishonesty record (commitments/breach.py does that for
signed commitments; a rejected registration simply never becomes public).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong import audit, providers
from xinyong.audit import Actor, AuditAction
from xinyong.auth import require_department, require_role
from xinyong.catalog import Catalog
from xinyong.db import transitions
from xinyong.db.tables import Subject, VoluntaryRegistration
from xinyong.enums import RegistrationStatus, Role
from xinyong.errors import Conflict, Forbidden, InvalidInput, NotFound

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


def kinds(catalog: Catalog) -> dict[str, str]:
    """The kinds a subject may register (id → Chinese title), from the catalog."""
    return {k.id: k.title for k in catalog.workflows.registrations.kinds}


def get(session: Session, registration_id: int, *, actor: Actor) -> VoluntaryRegistration:
    """One registration, for the department it is routed to (or the credit office)."""
    found = session.get(VoluntaryRegistration, registration_id)
    if found is None:
        raise RegistrationNotFound(f"未找到编号为 {registration_id} 的自愿注册信息")
    require_department(actor, found.provider_id, what="自愿注册信息")
    return found


def list_for_subject(session: Session, subject_id: int) -> list[VoluntaryRegistration]:
    stmt = select(VoluntaryRegistration).where(VoluntaryRegistration.subject_id == subject_id)
    return list(session.execute(stmt.order_by(VoluntaryRegistration.id.desc())).scalars())


def list_unverified(
    session: Session, provider_id: int | None = None
) -> list[VoluntaryRegistration]:
    """Registrations waiting for verification (of one department, or all when None)."""
    stmt = select(VoluntaryRegistration).where(
        VoluntaryRegistration.status == RegistrationStatus.SUBMITTED
    )
    if provider_id is not None:
        stmt = stmt.where(VoluntaryRegistration.provider_id == provider_id)
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
    kind = catalog.workflows.registrations.kind(new.kind)
    if kind is None:
        raise InvalidInput(
            f"注册类别须为：{'、'.join(kinds(catalog).values())}", code="registrations.bad_kind"
        )
    if not new.title.strip() or not new.detail.strip():
        raise InvalidInput("请填写名称和具体内容", code="registrations.incomplete")
    if not new.truth_affirmed:
        raise InvalidInput("须作出信息真实性承诺后方可注册", code="registrations.truth_required")
    truth = catalog.workflows.template(TRUTH_TEMPLATE)
    verifier = providers.find_by_kind(session, kind.verifier)
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
        provider_id=verifier.id if verifier else None,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        AuditAction.REGISTRATION_SUBMITTED,
        target_type="voluntary_registration",
        target_id=row.id,
        after={"kind": new.kind, "title": row.title, "provider_id": row.provider_id},
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
    """The responsible department (or the credit office) records the verification: verified (then
    public) or rejected (reasons)."""
    require_role(actor, Role.ADMIN, Role.OFFICER)
    require_department(actor, registration.provider_id, what="自愿注册信息")
    if not verified and not note.strip():
        raise InvalidInput("不予核实须写明理由", code="registrations.reason_required")
    status = (RegistrationStatus.VERIFIED if verified else RegistrationStatus.REJECTED).value
    moved = transitions.move(
        session,
        registration,
        RegistrationStatus.SUBMITTED,
        status=status,
        verified_on=today,
        verified_by=actor.label,
        verification_note=note.strip() or None,
    )
    if not moved:
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
