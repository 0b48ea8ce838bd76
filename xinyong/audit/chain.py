"""The audit log: who did what, chained by SM3; the `Actor` and the `AuditAction` names.

Owns: the `Actor` value every action receives, `AuditAction` names, the append-only audit log
chained by SM3 (each row's hash covers the previous hash and the row's canonical JSON), chain
verification, and where the chain starts after a retention purge (the latest checkpoint).

The audit row is written in the caller's transaction (`record` only flushes), so a change and its
audit row commit or roll back together.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from cryptography.hazmat.primitives import hashes
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from xinyong import clock, signing
from xinyong.db.session import is_postgres
from xinyong.db.tables import AuditEntry, LogCheckpoint
from xinyong.enums import Role
from xinyong.log import get_logger

log = get_logger(__name__)

GENESIS = "0" * 64
_AUDIT_LOCK_KEY = 7_220_419  # pg_advisory_xact_lock key serialising chain appends
# The outbox takes the same transaction lock (one lock, no ordering between two): its ids are
# then handed out in commit order, which makes them a cursor (xinyong/outbox.py).
CHAIN_LOCK_KEY = _AUDIT_LOCK_KEY


class AuditAction(StrEnum):
    """Every audited action, `<domain>.<object>.<verb>`. Domains add theirs here."""

    USER_CREATED = "auth.user.created"
    USER_LOGGED_IN = "auth.user.logged_in"
    USER_LOGIN_FAILED = "auth.user.login_failed"
    EXCHANGE_EXPORTED = "exchange.package.exported"
    EXCHANGE_IMPORTED = "exchange.package.imported"
    USER_DEACTIVATED = "auth.user.deactivated"
    USER_ACTIVATED = "auth.user.activated"
    USER_PASSWORD_CHANGED = "auth.user.password_changed"  # noqa: S105 — an action name
    USER_PASSWORD_RESET = "auth.user.password_reset"  # noqa: S105 — an action name
    API_CLIENT_CREATED = "auth.api_client.created"
    API_CLIENT_ROTATED = "auth.api_client.rotated"
    API_CLIENT_REVOKED = "auth.api_client.revoked"
    CATALOG_LOADED = "catalog.version.loaded"
    CATALOG_CONTENT_STORED = "catalog.version.content_stored"
    PROVIDER_ADDED = "providers.provider.added"
    PROVIDER_UPDATED = "providers.provider.updated"
    SUBJECT_REGISTERED = "subjects.subject.registered"
    SUBJECT_UPDATED = "subjects.subject.updated"
    RECORD_VERSIONED = "archive.record.versioned"
    SEVERITY_RECLASSIFIED = "disclosure.severity.reclassified"
    DEMO_LOADED = "demo.region.loaded"
    LIST_ENTRY_PROPOSED = "lists.entry.proposed"
    LIST_NOTICE_SENT = "lists.entry.notice_sent"
    LIST_STATEMENT_RECORDED = "lists.entry.statement_recorded"
    LIST_ENTRY_APPROVED = "lists.entry.approved"
    LIST_ENTRY_DECIDED = "lists.entry.decided"
    LIST_ENTRY_PUBLISHED = "lists.entry.published"
    LIST_ENTRY_EXITED = "lists.entry.exited"
    LIST_VALIDITY_CORRECTED = "lists.entry.validity_corrected"
    LIST_EVIDENCE_ADDED = "lists.evidence.added"
    LIST_NOTICE_DELIVERED = "lists.notice.delivered"
    LIST_PUBLICITY_OBJECTION = "lists.publicity.objection_filed"
    CHECK_FEEDBACK_RECORDED = "measures.feedback.recorded"
    SCREENING_DECIDED = "measures.screening.decided"
    BATCH_SUBMITTED = "collection.batch.submitted"
    BATCH_PROCESSED = "collection.batch.processed"
    REPAIR_APPLIED = "repair.application.submitted"
    REPAIR_ACCEPTED = "repair.application.accepted"
    REPAIR_NOT_ACCEPTED = "repair.application.not_accepted"
    REPAIR_EXTENDED = "repair.application.extended"
    REPAIR_DECIDED = "repair.application.decided"
    REPAIR_REVOKED = "repair.application.revoked"
    OBJECTION_FILED = "objections.objection.filed"
    OBJECTION_ANSWERED = "objections.objection.answered"
    COMMITMENT_SIGNED = "commitments.commitment.signed"
    COMMITMENT_VERIFIED = "commitments.commitment.verified"
    COMMITMENT_BREACH_RECORDED = "commitments.breach.recorded"
    REGISTRATION_SUBMITTED = "registrations.registration.submitted"
    REGISTRATION_VERIFIED = "registrations.registration.verified"
    INTERVIEW_RECORDED = "interviews.interview.recorded"
    INTERVIEW_FOLLOWED_UP = "interviews.interview.followed_up"
    CONSENT_GRANTED = "consent.consent.granted"
    CONSENT_REVOKED = "consent.consent.revoked"
    CONSENT_CONVERTED = "consent.consent.converted"  # a per-user grant → its institution (13p)
    CONSENT_KEPT = "consent.consent.kept"  # a per-user grant left as is: no institution (13p)
    REPORT_ISSUED = "reports.report.issued"
    REPORT_REVOKED = "reports.report.revoked"
    LOGS_PURGED = "audit.logs.purged"
    KEY_ROTATED = "keyring.key.rotated"
    KEY_TRUSTED = "keyring.key.trusted"
    KEY_UNTRUSTED = "keyring.key.untrusted"
    JOB_RUN = "jobs.job.run"
    JOB_FAILED = "jobs.job.failed"
    RUN_QUEUED = "runs.run.queued"
    RUN_FINISHED = "runs.run.finished"
    RUN_FAILED = "runs.run.failed"
    RUN_REFUSED = "runs.run.refused"
    RUN_UPLOAD_DELETED = "runs.upload.deleted"
    EVALUATION_RUN = "evaluation.run.started"
    INSPECTOR_ADDED = "inspections.inspector.added"
    INSPECTION_PLAN_DRAWN = "inspections.plan.drawn"
    INSPECTION_RESULT_RECORDED = "inspections.result.recorded"
    INSTITUTION_REGISTERED = "financing.institution.registered"
    INSTITUTION_USER_ADDED = "financing.institution.user_added"
    LOAN_PRODUCT_PUBLISHED = "financing.product.published"
    FINANCING_NEED_PUBLISHED = "financing.need.published"
    FINANCING_NEED_WITHDRAWN = "financing.need.withdrawn"
    FINANCING_NEED_ANSWERED = "financing.need.answered"  # served or declined by a loan outcome
    LOAN_OUTCOME_RECORDED = "financing.outcome.recorded"
    FINANCING_ALERT_RAISED = "financing.alert.raised"
    WHITELIST_GENERATED = "financing.whitelist.generated"
    WHITELIST_REVIEWED = "financing.whitelist.reviewed"
    WHITELIST_PUSHED = "financing.whitelist.pushed"
    WHITELIST_OPTED_OUT = "financing.whitelist.opted_out"
    SCENARIO_PARTNER_REGISTERED = "scenarios.partner.registered"
    INDICATOR_VALUE_ENTERED = "indicators.value.entered"
    DASHBOARD_REFRESHED = "indicators.dashboard.refreshed"
    CONTENT_CREATED = "content.item.created"
    CONTENT_EDITED = "content.item.edited"
    CONTENT_SUBMITTED = "content.item.submitted"
    CONTENT_PUBLISHED = "content.item.published"
    CONTENT_RETURNED = "content.item.returned"
    CONTENT_WITHDRAWN = "content.item.withdrawn"
    CONTENT_ATTACHED = "content.item.attached"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts: a user, an API client, or the platform itself (jobs, CLI as operator)."""

    kind: str  # "user" | "api_client" | "system"
    id: int | None
    label: str
    role: Role | None  # None: the anonymous public, which holds no role at all
    provider_id: int | None = None
    subject_id: int | None = None
    request_id: str | None = field(default=None, compare=False)
    scopes: tuple[str, ...] = ()  # API keys only (auth.SCOPES)
    # API keys only: the key's row states it is the credit office's own (`auth.is_credit_office`)
    credit_office: bool = False

    @classmethod
    def system(cls, label: str = "系统") -> Actor:
        return cls(kind="system", id=None, label=label, role=Role.ADMIN)

    @classmethod
    def command_line(cls, user: str) -> Actor:
        """The CLI as the platform operator; the audit row names the OS user."""
        return cls.system(f"{COMMAND_LINE}{user}")

    @property
    def is_anonymous(self) -> bool:
        return self.kind == "anonymous"


ANONYMOUS = Actor(kind="anonymous", id=None, label="公众", role=None)
COMMAND_LINE = "命令行:"  # the label prefix of the CLI operator (Actor.command_line)


def is_command_line(label: str | None) -> bool:
    """Whether a stored name is the CLI operator's label — an actor, never a department, so a
    page showing a 认定单位 / 决定机关 must not show it as one."""
    return bool(label) and str(label).startswith(COMMAND_LINE)


def jsonable(value: Any) -> Any:
    """Plain JSON values only: dates → ISO strings, Decimal → string, sets → sorted lists."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, set | frozenset):
        return sorted(jsonable(v) for v in value)
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return _json_scalar(value)


def _json_scalar(value: Any) -> Any:
    if isinstance(value, datetime):
        return _utc_iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal | StrEnum):
        return str(value)
    return value


def _utc_iso(value: datetime) -> str:
    return clock.as_utc(value).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_json(entry: AuditEntry) -> str:
    body = {
        "at": _utc_iso(entry.at),
        "actor_kind": entry.actor_kind,
        "actor_id": entry.actor_id,
        "actor_label": entry.actor_label,
        "action": entry.action,
        "target_type": entry.target_type,
        "target_id": entry.target_id,
        "before": entry.before,
        "after": entry.after,
        "reason": entry.reason,
        "request_id": entry.request_id,
    }
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def chain_hash(prev_hash: str, canonical: str) -> str:
    digest = hashes.Hash(hashes.SM3())
    digest.update(prev_hash.encode("ascii"))
    digest.update(canonical.encode("utf-8"))
    return digest.finalize().hex()


def record(
    session: Session,
    actor: Actor,
    action: AuditAction | str,
    *,
    target_type: str,
    target_id: str | int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str | None = None,
) -> AuditEntry:
    """Append one audit row to the chain inside the caller's transaction."""
    if is_postgres(session):
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _AUDIT_LOCK_KEY})
    last = session.execute(
        select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)
    ).scalar_one_or_none()
    if last is None:  # empty log: after a purge of everything, continue from the checkpoint
        last = chain_start(session)
    entry = AuditEntry(
        at=clock.now().replace(microsecond=0),
        actor_kind=actor.kind,
        actor_id=actor.id,
        actor_label=actor.label,
        action=str(action),
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        before=jsonable(before),
        after=jsonable(after),
        reason=reason,
        request_id=actor.request_id,
        prev_hash=last or GENESIS,
        hash="",
    )
    entry.hash = chain_hash(entry.prev_hash, canonical_json(entry))
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True, slots=True)
class ChainReport:
    checked: int
    broken_id: int | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.broken_id is None


def _iter_entries(session: Session, batch: int = 2000) -> Iterator[AuditEntry]:
    last_id = 0
    while True:
        rows = (
            session.execute(
                select(AuditEntry)
                .where(AuditEntry.id > last_id)
                .order_by(AuditEntry.id)
                .limit(batch)
            )
            .scalars()
            .all()
        )
        if not rows:
            return
        yield from rows
        last_id = rows[-1].id
        session.expunge_all()


def latest_checkpoint(session: Session) -> LogCheckpoint | None:
    stmt = select(LogCheckpoint).order_by(LogCheckpoint.id.desc()).limit(1)
    return session.execute(stmt).scalar_one_or_none()


def chain_start(session: Session) -> str:
    """The hash the first kept audit row links to: GENESIS, or the last purged row's hash."""
    checkpoint = latest_checkpoint(session)
    return checkpoint.audit_last_hash if checkpoint is not None else GENESIS


def verify_chain(
    session: Session,
    public_key: signing.VerifyKey | Mapping[str, signing.VerifyKey] | None = None,
) -> ChainReport:
    """Recompute the chain; report the first row whose hash or link does not hold.

    After a retention purge the chain starts at the latest checkpoint's hash; with `public_key`
    (one key, or the office's keyring: each checkpoint with the key its key id names) every
    checkpoint's SM2 signature is checked too.
    """
    if public_key is not None:
        for checkpoint in session.execute(
            select(LogCheckpoint).order_by(LogCheckpoint.id)
        ).scalars():
            key = signing.key_for(public_key, checkpoint.key_id)
            if key is None or not checkpoint_signature_holds(checkpoint, key):
                return ChainReport(
                    0,
                    checkpoint.audit_last_id or 0,
                    f"清理检查点 {checkpoint.id} 的签名无效（检查点被改动）",
                )
    return _first_break(_iter_entries(session), chain_start(session))


def _first_break(entries: Iterable[AuditEntry], prev: str) -> ChainReport:
    """Walk `entries` in order from the hash `prev`: the first row whose link or hash fails."""
    checked = 0
    for entry in entries:
        if entry.prev_hash != prev:
            return ChainReport(
                checked, entry.id, f"第 {entry.id} 行的 prev_hash 与上一行的哈希不一致"
            )
        if chain_hash(entry.prev_hash, canonical_json(entry)) != entry.hash:
            return ChainReport(
                checked, entry.id, f"第 {entry.id} 行的内容与其哈希不符（记录被改动）"
            )
        prev, checked = entry.hash, checked + 1
    return ChainReport(checked)


def verify_tail(session: Session, count: int) -> ChainReport:
    """The last `count` rows only (`xinyong doctor`, /admin/system: seconds on any archive):
    each row's hash, each link, and the first row's link to the row before it (or to the
    chain's start when the tail is the whole log). `verify_chain` checks everything."""
    rows = list(
        session.execute(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(count + 1))
        .scalars()
        .all()
    )
    rows.reverse()
    # the row before the tail (when there is one): only its hash is linked to
    prev = chain_start(session) if len(rows) <= count else rows.pop(0).hash
    return _first_break(rows, prev)


def list_audit(
    session: Session,
    *,
    limit: int = 100,
    action: str | None = None,
    who: str | None = None,
    target_type: str | None = None,
    target_id: str | None = None,
    before: int | None = None,
) -> list[AuditEntry]:
    """The audit log newest first, filtered (action, operator label, object) and paged by row
    number: `before` the smallest number of the previous page."""
    stmt = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    if who:
        stmt = stmt.where(AuditEntry.actor_label.contains(who))
    if target_type:
        stmt = stmt.where(AuditEntry.target_type == target_type)
    if target_id:
        stmt = stmt.where(AuditEntry.target_id == target_id)
    if before is not None:
        stmt = stmt.where(AuditEntry.id < before)
    return list(session.execute(stmt).scalars())


def checkpoint_signature_holds(checkpoint: LogCheckpoint, public_key: signing.VerifyKey) -> bool:
    if checkpoint.signature is None:
        return False
    try:
        signature = bytes.fromhex(checkpoint.signature)
    except ValueError:
        return False
    return public_key.verify(checkpoint.statement.encode("utf-8"), signature)
