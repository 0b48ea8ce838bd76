"""What a repair outcome changes: the record's version, and the outbox for the upstream platforms.

Approval puts the repair into effect at once: the record gets a new version with status
`repaired` (archive.new_version), so disclosure, checks and reports read it on the next query.
Every outcome (not accepted, approved, refused, revoked) is appended to the outbox
(`xinyong.outbox`) for export to the provincial / national platform (令36号 art. 3;
rules.md §1.5 "同步").

Repairs of list entries decided on this platform (early exit) are put into effect by
`lists.exit_entry(..., kind="early")` in the same transaction (`exit_early`); the entry is then
out of force from that day for disclosure, the joint check and screening.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong import archive, lists, outbox
from xinyong.audit import Actor
from xinyong.catalog import Catalog
from xinyong.db.tables import ListEntry, OutboxEntry, Record, RepairApplication
from xinyong.enums import RecordStatus
from xinyong.errors import DueProcessError


class RecordNoLongerActive(DueProcessError):
    code = "repair.record_not_active"


def current_version(session: Session, application: RepairApplication) -> Record:
    """The record's current version (it may have moved on since the application, e.g. corrected)."""
    found = session.execute(
        select(Record).where(
            Record.info_class == application.info_class,
            Record.natural_key == application.natural_key,
            Record.is_current.is_(True),
        )
    ).scalar_one_or_none()
    assert application.record_id is not None, "a list-entry application has no record"
    return found or archive.get(session, application.record_id)


def check_can_take_effect(session: Session, application: RepairApplication) -> Record:
    """Before approving: the record must still be disclosed (not withdrawn or already repaired)."""
    record = current_version(session, application)
    if record.status != RecordStatus.ACTIVE:
        raise RecordNoLongerActive(
            f"该信用记录当前状态为“{record.status}”，不能再作出修复决定",
            details={"record_id": record.id},
        )
    return record


def put_into_effect(
    session: Session,
    application: RepairApplication,
    record: Record,
    *,
    catalog_version: str,
    actor: Actor,
    today: date,
) -> Record:
    """Approved: a new version with status `repaired`, citing the repair decision."""
    reason = (
        f"信用修复：修复申请第 {application.id} 号于 {today.isoformat()} 经认定单位决定准予修复"
        f"（{application.decision_reason or '符合修复条件'}）"
    )
    repaired = archive.new_version(
        session,
        record,
        reason=reason,
        status=RecordStatus.REPAIRED,
        catalog_version=catalog_version,
        actor=actor,
        today=today,
    )
    application.repaired_record_id = repaired.id
    return repaired


def entry_of(session: Session, application: RepairApplication) -> ListEntry:
    assert application.list_entry_id is not None, "a record application has no list entry"
    return lists.get_entry(session, application.list_entry_id)


def check_entry_can_exit(
    session: Session, application: RepairApplication, *, catalog: Catalog, today: date
) -> ListEntry:
    """Before approving an early exit: the entry must still be in force (not exited or expired)."""
    entry = entry_of(session, application)
    lt = catalog.list_type(entry.list_type)
    if not lists.in_force(lists.facts_of(entry), lt, today):
        state = (
            f"已于 {entry.exited_on} 移出" if entry.exited_on else f"已于 {entry.valid_until} 期满"
        )
        raise RecordNoLongerActive(
            f"该名单认定{state}，不能再作出提前移出决定", details={"list_entry_id": entry.id}
        )
    return entry


def exit_early(
    session: Session,
    application: RepairApplication,
    entry: ListEntry,
    *,
    catalog: Catalog,
    actor: Actor,
    today: date,
) -> ListEntry:
    """Approved: 提前移出 through the list procedure, citing the repair decision as its reason."""
    lt = catalog.list_type(entry.list_type)
    reason = (
        f"信用修复：修复申请第 {application.id} 号于 {today.isoformat()} 经认定单位决定准予提前移出"
        f"（{application.decision_reason or '符合提前移出条件'}）"
    )
    basis = "；".join(b.cite() for b in lt.legal_basis)
    return lists.exit_entry(
        session,
        entry,
        kind="early",
        reason=reason,
        basis=basis,
        catalog=catalog,
        actor=actor,
        today=today,
    )


def restore(
    session: Session,
    application: RepairApplication,
    *,
    max_until: date | None,
    reason: str,
    catalog_version: str,
    actor: Actor,
) -> Record | None:
    """Revoked: the record is disclosed again, for the maximum period (承诺 template, §7.2)."""
    record = current_version(session, application)
    if record.status != RecordStatus.REPAIRED:
        return None
    changes = {"disclosure_until": max_until.isoformat()} if max_until else None
    return archive.new_version(
        session,
        record,
        reason=f"撤销信用修复（修复申请第 {application.id} 号）：{reason}",
        changes=changes,
        status=RecordStatus.ACTIVE,
        catalog_version=catalog_version,
        actor=actor,
    )


def append_sync(
    session: Session,
    application: RepairApplication,
    event: str,
    *,
    today: date,
    extra: dict[str, Any] | None = None,
) -> OutboxEntry:
    """Queue one outcome for the upstream platforms (the outbox, in this transaction)."""
    return outbox.append(
        session,
        event,
        subject_id=application.subject_id,
        target_type="repair_application",
        target_id=application.id,
        provider_id=application.provider_id,
        payload={
            "repair_id": application.id,
            "info_class": application.info_class,
            "natural_key": application.natural_key,
            "target_kind": application.target_kind,
            "list_entry_id": application.list_entry_id,
            "status": application.status,
            "provider_id": application.provider_id,
            "decided_on": today.isoformat(),
            "reason": application.decision_reason,
            "catalog_version": application.catalog_version,
            **(extra or {}),
        },
        occurred_on=today,
    )


def pending_sync(session: Session, *, limit: int = 1000) -> list[OutboxEntry]:
    """Repair outcomes not yet sent, oldest first."""
    stmt = (
        select(OutboxEntry)
        .where(OutboxEntry.sent_at.is_(None), OutboxEntry.target_type == "repair_application")
        .order_by(OutboxEntry.id)
        .limit(limit)
    )
    return list(session.execute(stmt).scalars())
