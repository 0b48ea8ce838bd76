"""Queries of the repair procedure: applications, materials, routing, deadlines, eligibility.

Both targets are here: records (penalties, imported list records) and list entries decided on
this platform (early exit), routed to the department that decided them (谁认定、谁修复).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xinyong import lists, providers
from xinyong.audit import Actor
from xinyong.auth import require_department
from xinyong.catalog import Catalog
from xinyong.db import case_lists
from xinyong.db.tables import ListEntry, Provider, Record, RepairApplication, RepairMaterial
from xinyong.enums import ListKind, RepairStatus, RepairTarget
from xinyong.errors import Forbidden, NotFound
from xinyong.repair import eligibility, materials
from xinyong.repair.eligibility import Eligibility, Facts

OPEN = (RepairStatus.SUBMITTED, RepairStatus.ACCEPTED)
APPROVED = RepairStatus.APPROVED


class RepairNotFound(NotFound):
    code = "repair.not_found"


# ---- queries ----------------------------------------------------------------------------------


def get(session: Session, repair_id: int, *, actor: Actor) -> RepairApplication:
    """One application, for the department it is routed to (谁认定、谁修复) or the credit office."""
    found = session.get(RepairApplication, repair_id)
    if found is None:
        raise RepairNotFound(f"未找到编号为 {repair_id} 的信用修复申请")
    require_department(actor, found.provider_id, what="信用修复申请")
    return found


def state(application: RepairApplication) -> dict[str, Any]:
    """Where an application stands, as the API and the CLI answer after each step."""
    a = application
    return {"repair_id": a.id, "status": a.status, "applied_on": a.applied_on,
            "accept_due": a.accept_due, "accepted_on": a.accepted_on, "decide_due": a.decide_due,
            "extended": a.extended, "extension_reason": a.extension_reason,
            "decided_on": a.decided_on, "decided_by": a.decided_by,
            "reason": a.decision_reason, "repaired_record_id": a.repaired_record_id}  # fmt: skip


def list_for_subject(session: Session, subject_id: int) -> list[RepairApplication]:
    stmt = (
        select(RepairApplication)
        .where(RepairApplication.subject_id == subject_id)
        .order_by(RepairApplication.id.desc())
    )
    return list(session.execute(stmt).scalars())


def list_open(session: Session, provider_id: int | None = None) -> list[RepairApplication]:
    """Applications waiting on an authority (to accept or to decide)."""
    stmt = select(RepairApplication).where(RepairApplication.status.in_(OPEN))
    if provider_id is not None:
        stmt = stmt.where(RepairApplication.provider_id == provider_id)
    return list(session.execute(stmt.order_by(RepairApplication.id)).scalars())


def list_routed(
    session: Session,
    provider_id: int | None = None,
    *,
    status: RepairStatus | None = None,
    before: int | None = None,
    limit: int = 100,
) -> list[RepairApplication]:
    """Every application routed to a department (None: all, the credit office), newest first,
    by status, paged by number (`before`: the smallest number of the previous page) — the
    officer's 信用修复 list, where a decided application is found again (e.g. to revoke it)."""
    return case_lists.routed_page(
        session, RepairApplication, provider_id, status=status, before=before, limit=limit
    )


def list_materials(session: Session, repair_id: int) -> list[RepairMaterial]:
    stmt = select(RepairMaterial).where(RepairMaterial.repair_id == repair_id)
    return list(session.execute(stmt.order_by(RepairMaterial.id)).scalars())


def get_material(
    session: Session, repair_id: int, material_id: int, *, actor: Actor
) -> RepairMaterial:
    """One material of an application, for whoever may read the application."""
    get(session, repair_id, actor=actor)
    found = session.get(RepairMaterial, material_id)
    if found is None or found.repair_id != repair_id:
        raise materials.MaterialNotFound(f"未找到编号为 {material_id} 的材料")
    return found


def own_record(session: Session, record_id: int, subject_id: int | None) -> Record:
    """A record of the subject itself (the enterprise pages show nothing else)."""
    record = session.get(Record, record_id)
    if record is None or subject_id is None or record.subject_id != subject_id:
        raise Forbidden("只能查看本主体的信用记录", code="repair.not_own_record")
    return record


def due_date(application: RepairApplication) -> date | None:
    """The deadline the application is waiting on, if any."""
    if application.status == RepairStatus.SUBMITTED:
        return application.accept_due
    if application.status == RepairStatus.ACCEPTED:
        return application.decide_due
    return None


def deciding_provider(session: Session, record: Record) -> Provider | None:
    """谁认定、谁修复: the provider named as the record's authority, else the record's provider."""
    if record.authority_uscc:
        found = providers.find_by_uscc(session, record.authority_uscc)
        if found is not None:
            return found
    return providers.get(session, record.provider_id) if record.provider_id else None


def _open_for(session: Session, record: Record) -> RepairApplication | None:
    stmt = select(RepairApplication).where(
        RepairApplication.target_kind == RepairTarget.RECORD,
        RepairApplication.info_class == record.info_class,
        RepairApplication.natural_key == record.natural_key,
        RepairApplication.status.in_(OPEN),
    )
    return session.execute(stmt.limit(1)).scalar_one_or_none()


def _approved_since(session: Session, subject_id: int, since: date) -> int:
    stmt = select(func.count()).where(
        RepairApplication.subject_id == subject_id,
        RepairApplication.status == APPROVED,
        RepairApplication.decided_on >= since,
    )
    return int(session.execute(stmt).scalar_one())


def _facts(
    session: Session,
    subject_id: int,
    given: Facts | None,
    open_application: bool,
    *,
    catalog: Catalog,
    today: date,
) -> Facts:
    """The applicant's facts (or, without them, everything it can supply) and the platform's."""
    limit = catalog.workflows.repair.repeat_limit
    recent = 0
    if limit.enabled and limit.years:
        recent = _approved_since(session, subject_id, today.replace(year=today.year - limit.years))
    given = given or Facts(
        materials=frozenset(m.id for m in catalog.workflows.repair.materials),
        obligations_fulfilled=True,
        commitment_signed=True,
    )
    return Facts(
        given.materials,
        given.obligations_fulfilled,
        given.commitment_signed,
        repairs_in_window=recent,
        open_application=open_application,
    )


def check_eligibility(
    session: Session,
    record: Record,
    *,
    catalog: Catalog,
    today: date,
    facts: Facts | None = None,
) -> Eligibility:
    """Evaluate the conditions; without `facts`, assume the applicant supplies everything it can
    (so the result shows what only the platform decides: period, status, repeat limit)."""
    provider = deciding_provider(session, record)
    period = eligibility.disclosure_period(
        record, catalog, sector=provider.kind if provider else None, today=today
    )
    is_open = _open_for(session, record) is not None
    facts = _facts(session, record.subject_id, facts, is_open, catalog=catalog, today=today)
    return eligibility.evaluate(record, period, facts, today=today, catalog=catalog)


# ---- list entries decided on this platform (early exit) -----------------------------------------


def own_entry(session: Session, entry_id: int, subject_id: int | None) -> ListEntry:
    """A list entry of the subject itself (the enterprise pages show nothing else)."""
    entry = session.get(ListEntry, entry_id)
    if entry is None or subject_id is None or entry.subject_id != subject_id:
        raise Forbidden("只能查看本主体的名单认定", code="repair.not_own_entry")
    return entry


def entry_provider(session: Session, entry: ListEntry) -> Provider | None:
    """谁认定、谁修复: the department whose officer decided the entry (None: the credit office)."""
    return providers.get(session, entry.provider_id) if entry.provider_id else None


def early_exit_candidates(
    session: Session, subject_id: int, *, catalog: Catalog, today: date
) -> list[ListEntry]:
    """The subject's platform entries on a dishonesty list (serious, watch) in force on `today`."""
    stmt = select(ListEntry).where(
        ListEntry.subject_id == subject_id, ListEntry.decided_on.is_not(None)
    )
    found = []
    for entry in session.execute(stmt.order_by(ListEntry.id)).scalars():
        lt = catalog.list_types.get(entry.list_type)
        if lt is None or lt.kind == ListKind.RED:
            continue
        if lists.in_force(lists.facts_of(entry), lt, today):
            found.append(entry)
    return found


def _open_for_entry(session: Session, entry: ListEntry) -> bool:
    stmt = select(RepairApplication.id).where(
        RepairApplication.list_entry_id == entry.id, RepairApplication.status.in_(OPEN)
    )
    return session.execute(stmt.limit(1)).first() is not None


def check_entry_eligibility(
    session: Session,
    entry: ListEntry,
    *,
    catalog: Catalog,
    today: date,
    facts: Facts | None = None,
) -> Eligibility:
    """Early exit through repair: the same conditions and shape as `check_eligibility`."""
    lt = catalog.list_type(entry.list_type)
    period = eligibility.entry_period(entry, lt)
    is_open = _open_for_entry(session, entry)
    facts = _facts(session, entry.subject_id, facts, is_open, catalog=catalog, today=today)
    return eligibility.evaluate_entry(entry, lt, period, facts, today=today, catalog=catalog)
