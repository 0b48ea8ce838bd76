"""Archive single writes: a record this platform decides (`add_record`), a new version of one
(`new_version`), each with its audit row — and the one canonical content hash of a record's
fields (`canonical_json`, `hash_canonical`, `content_hash`). Records are stored lean
(db/lean_record.py)."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from xinyong import audit, clock, outbox
from xinyong.archive.reads import source_row
from xinyong.audit import Actor, AuditAction
from xinyong.db.lean_record import lean, overrides  # the stored format
from xinyong.db.tables import Record
from xinyong.enums import RecordStatus
from xinyong.errors import Conflict


class NotCurrentVersion(Conflict):
    code = "archive.not_current"


# ---- pure rules -------------------------------------------------------------------------------


def canonical_json(data: dict[str, Any], *, text_keys: bool = False) -> str:
    """The canonical text of a record's fields: keys sorted, UTF-8 unescaped, JSON-ready values.

    Collection builds the same text column-wise in Polars (`collection.canonical_frame`); its
    tests hold the two to byte equality. `text_keys`: the caller vouches that every key at every
    depth is text (a check answer): the same text from the C encoder in one pass,
    `audit.jsonable` only for the values JSON has no form for, instead of a copy of the whole
    document first.
    """
    if text_keys:
        return json.dumps(data, sort_keys=True, ensure_ascii=False, default=audit.jsonable)
    return json.dumps(audit.jsonable(data), sort_keys=True, ensure_ascii=False)


def hash_canonical(canonical: str) -> str:
    """The content hash of a canonical text (SHA-256, hex)."""
    return hash_canonical_utf8(canonical.encode("utf-8"))


def hash_canonical_utf8(encoded: bytes) -> str:
    """`hash_canonical` of a canonical text already encoded as UTF-8 — a Polars Binary column's
    values (collection's frames): no decode to `str` and re-encode per row."""
    return hashlib.sha256(encoded).hexdigest()


def content_hash(data: dict[str, Any]) -> str:
    """A stable hash of a record's normalised fields: equal content → equal hash."""
    return hash_canonical(canonical_json(data))


def provenance(record: Record) -> dict[str, Any]:
    return {
        "provider_id": record.provider_id,
        "batch_id": record.batch_id,
        "source_row": record.source_row,
        "catalog_version": record.catalog_version,
        "version": record.version,
        "reason": record.reason,
    }


# ---- actions ----------------------------------------------------------------------------------


def add_record(
    session: Session,
    *,
    subject_id: int,
    info_class: str,
    natural_key: str,
    data: dict[str, Any],
    reason: str,
    catalog_version: str,
    actor: Actor,
    action: AuditAction,
    audit_after: dict[str, Any] | None = None,
    audit_reason: str | None = None,
    **columns: Any,
) -> Record:
    """Write version 1 of a record this platform itself decides (e.g. a commitment breach).

    `columns` are the record's other columns (decision_number, decision_date, authority_name …);
    the audit row names the caller's `action` (one row per action, in the same transaction).
    """
    stored = lean(info_class, natural_key, columns, data)
    record = Record(
        subject_id=subject_id,
        info_class=info_class,
        natural_key=natural_key,
        version=1,
        is_current=True,
        status=columns.pop("status", RecordStatus.ACTIVE.value),
        catalog_version=catalog_version,
        content_hash=content_hash(data),
        data=stored,
        data_overrides=overrides(info_class, stored),
        reason=reason,
        **columns,
    )
    session.add(record)
    session.flush()
    after = {"info_class": info_class, "natural_key": natural_key, **(audit_after or {})}
    audit.record(session, actor, action, target_type="record", target_id=record.id, after=after,
                 reason=audit_reason or reason)  # fmt: skip
    return record


def new_version(
    session: Session,
    record: Record,
    *,
    reason: str,
    changes: dict[str, Any] | None = None,
    status: RecordStatus | None = None,
    catalog_version: str | None = None,
    actor: Actor,
    today: date | None = None,
) -> Record:
    """Supersede the current version with a new one (corrected fields and/or a new status).

    The old version stays, marked not current; the audit row shows before and after; the outbox
    row (the version leaves the region) is written in the same transaction.
    """
    if not record.is_current:
        raise NotCurrentVersion("只能在信用记录的当前版本上修改，请刷新后重试")
    before = source_row(record)
    data = {**before, **(changes or {})}
    record.is_current = False
    session.flush()
    successor = Record(
        subject_id=record.subject_id,
        info_class=record.info_class,
        natural_key=record.natural_key,
        version=record.version + 1,
        is_current=True,
        status=(status or RecordStatus(record.status)).value,
        decision_number=record.decision_number,
        decision_date=record.decision_date,
        valid_from=record.valid_from,
        valid_until=record.valid_until,
        severity=record.severity,
        # the stored class holds while the fields it was classified from do; changed fields
        # leave it unclassified for the disclosure rule to decide (disclosure/stored.py)
        severity_class=None if changes else record.severity_class,
        severity_basis=None if changes else record.severity_basis,
        authority_name=record.authority_name,
        authority_uscc=record.authority_uscc,
        provider_id=record.provider_id,
        batch_id=record.batch_id,
        source_row=record.source_row,
        catalog_version=catalog_version or record.catalog_version,
        content_hash=content_hash(data),
        reason=reason,
    )
    successor.data = lean(successor.info_class, successor.natural_key, successor, data)
    successor.data_overrides = overrides(successor.info_class, successor.data)
    session.add(successor)
    session.flush()
    audit.record(
        session,
        actor,
        AuditAction.RECORD_VERSIONED,
        target_type="record",
        target_id=successor.id,
        before={
            "version": record.version,
            "status": record.status,
            "data": changes and {k: before.get(k) for k in changes},
        },
        after={"version": successor.version, "status": successor.status, "data": changes},
        reason=reason,
    )
    outbox.append(
        session,
        outbox.Event.RECORD_VERSIONED,
        target_type="record",
        target_id=successor.id,
        subject_id=successor.subject_id,
        provider_id=successor.provider_id,
        payload={
            "info_class": successor.info_class,
            "version": successor.version,
            "status": successor.status,
            "reason": reason,
        },
        occurred_on=today or clock.today(),
    )
    return successor
