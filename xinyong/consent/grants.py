"""Consents themselves: granting, listing, revoking, whether one is valid today (`find_valid`),
and the parties a subject may name (`Grantee`, `parse_grantee`, `grantable_parties`).
The decision of on what basis an actor reads is in `basis.py`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong import audit, clock
from xinyong.audit import Actor, AuditAction
from xinyong.db import tables  # tables.Institution: the financing tables load when a bank is named
from xinyong.db.tables import ApiClient, Consent, Subject, User
from xinyong.enums import Role
from xinyong.errors import Conflict, Forbidden, InvalidInput, NotFound

MAX_PURPOSE = 200
MAX_YEARS = 5  # a consent runs at most five years; the subject can grant again
INSTITUTION = "institution"  # grantee kind: a bank (financing.institutions), not one officer
GRANTEE_ROLES = frozenset({Role.BANK, Role.SYSTEM, Role.ENTERPRISE, Role.PARTNER})


class Scope(StrEnum):
    """What a consent opens. Issue 15 (信易贷) adds its scope here."""

    SPECIAL_REPORT = "special_report"  # 专项信用报告
    ARCHIVE = "archive"  # 完整信用档案
    EVALUATION = "evaluation"  # 信用评价详情
    FINANCING = "financing"  # 融资信用服务（信易贷）
    SCENARIO = "scenario"  # 信易+ 场景核验（自然人须本人同意）

    @property
    def label(self) -> str:
        return SCOPE_LABELS[self]


SCOPE_LABELS: dict[Scope, str] = {
    Scope.SPECIAL_REPORT: "专项信用报告",
    Scope.ARCHIVE: "完整信用档案",
    Scope.EVALUATION: "信用评价详情",
    Scope.FINANCING: "融资信用服务",
    Scope.SCENARIO: "信易+场景核验",
}


class ConsentNotFound(NotFound):
    code = "consent.not_found"


class ConsentRevoked(Conflict):
    code = "consent.already_revoked"


class BadConsent(InvalidInput):
    code = "consent.invalid"


@dataclass(frozen=True, slots=True)
class Grantee:
    """A party that can receive consent: a user, an API client, or a financial institution
    (an organisation: covers each of its officers, `parties_of`)."""

    kind: str  # "user" | "api_client" | "institution"
    id: int
    label: str = ""

    @classmethod
    def of(cls, actor: Actor) -> Grantee | None:
        if actor.kind not in {"user", "api_client"} or actor.id is None:
            return None
        return cls(actor.kind, actor.id, actor.label)

    @property
    def ref(self) -> str:
        """`user:12` / `api_client:3` — how forms and the API name a grantee."""
        return f"{self.kind}:{self.id}"


def parse_grantee(session: Session, ref: str) -> Grantee:
    """`user:12`, `api_client:3`, `institution:2` or a username → the active party it names."""
    kind, _, raw = ref.partition(":")
    if not raw:
        kind, raw = "username", ref
    if kind == INSTITUTION and raw.isdigit():
        inst = session.get(tables.Institution, int(raw))
        if inst is None or not inst.active:
            raise BadConsent(f"被授权方“{ref}”不存在或不能接受授权")
        return Grantee(INSTITUTION, inst.id, inst.name)
    row: User | ApiClient | None
    if kind == "user" and raw.isdigit():
        row = session.get(User, int(raw))
    elif kind == "api_client" and raw.isdigit():
        row = session.get(ApiClient, int(raw))
    else:
        row = session.execute(select(User).where(User.username == raw)).scalar_one_or_none()
    if row is None or not row.active or Role(row.role) not in GRANTEE_ROLES:
        raise BadConsent(f"被授权方“{ref}”不存在或不能接受授权")
    if isinstance(row, User):
        return Grantee("user", row.id, _user_label(row))
    return Grantee("api_client", row.id, row.name)


def _user_label(user: User) -> str:
    """As the user appears in logs (auth.actor_for_user): display name and username."""
    return f"{user.display_name}（{user.username}）"


def grantable_parties(session: Session) -> list[Grantee]:
    """Active financial institutions (the bank as such), bank officers, partners, business
    systems and enterprise accounts a subject may name."""
    roles = [r.value for r in GRANTEE_ROLES]
    users = session.execute(
        select(User).where(User.active.is_(True), User.role.in_(roles)).order_by(User.id)
    ).scalars()
    clients = session.execute(
        select(ApiClient)
        .where(ApiClient.active.is_(True), ApiClient.role.in_(roles))
        .order_by(ApiClient.id)
    ).scalars()
    banks = session.execute(
        select(tables.Institution)
        .where(tables.Institution.active.is_(True))
        .order_by(tables.Institution.id)
    ).scalars()
    return (
        [Grantee(INSTITUTION, b.id, b.name) for b in banks]
        + [Grantee("user", u.id, _user_label(u)) for u in users]
        + [Grantee("api_client", c.id, c.name) for c in clients]
    )


def _checked_purpose(purpose: str | None) -> str:
    text = (purpose or "").strip()
    if not text:
        raise BadConsent("须说明用途（purpose）")
    if len(text) > MAX_PURPOSE:
        raise BadConsent(f"用途不超过{MAX_PURPOSE}个字")
    return text


def _checked_scopes(scopes: list[str]) -> list[str]:
    if not scopes:
        raise BadConsent("至少选择一项授权范围（scope）")
    try:
        return sorted({Scope(s).value for s in scopes})
    except ValueError as exc:
        known = "、".join(f"{s.value}（{s.label}）" for s in Scope)
        raise BadConsent(f"授权范围只能是：{known}") from exc


def grant(
    session: Session,
    subject: Subject,
    grantee: Grantee,
    *,
    purpose: str,
    scopes: list[str],
    valid_from: date,
    valid_until: date,
    actor: Actor,
    today: date,
) -> Consent:
    """The subject (its own account) grants `grantee` consent; audited."""
    if actor.subject_id != subject.id:
        raise Forbidden("只有信用主体本人可以授权他人查询其信用信息", code="consent.not_subject")
    if valid_from < today:
        raise BadConsent("授权起始日不能早于今天")
    if valid_until < valid_from:
        raise BadConsent("授权截止日不能早于起始日")
    if (valid_until - valid_from).days > MAX_YEARS * 366:
        raise BadConsent(f"授权期限最长{MAX_YEARS}年")
    if grantee.kind == "user" and grantee.id == actor.id:
        raise BadConsent("不能授权给自己")
    row = Consent(
        subject_id=subject.id,
        grantee_kind=grantee.kind,
        grantee_id=grantee.id,
        grantee_label=grantee.label,
        purpose=_checked_purpose(purpose),
        scopes=_checked_scopes(scopes),
        valid_from=valid_from,
        valid_until=valid_until,
        granted_by=actor.label,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        AuditAction.CONSENT_GRANTED,
        target_type="consent",
        target_id=row.id,
        after=as_json(row),
    )
    return row


def get(session: Session, consent_id: int) -> Consent:
    row = session.get(Consent, consent_id)
    if row is None:
        raise ConsentNotFound(f"授权 {consent_id} 不存在")
    return row


def revoke(
    session: Session, consent_id: int, *, actor: Actor, reason: str | None = None
) -> Consent:
    """The subject withdraws a consent; effective on the grantee's next request. Audited."""
    row = get(session, consent_id)
    if actor.subject_id != row.subject_id:
        raise Forbidden("只有信用主体本人可以撤回授权", code="consent.not_subject")
    if row.revoked_at is not None:
        raise ConsentRevoked("该授权已撤回")
    before = as_json(row)
    row.revoked_at = clock.now()
    row.revoked_by = actor.label
    row.revoke_reason = (reason or "").strip() or None
    session.flush()
    audit.record(
        session,
        actor,
        AuditAction.CONSENT_REVOKED,
        target_type="consent",
        target_id=row.id,
        before=before,
        after=as_json(row),
        reason=row.revoke_reason,
    )
    return row


def list_for_subject(session: Session, subject_id: int) -> list[Consent]:
    stmt = select(Consent).where(Consent.subject_id == subject_id).order_by(Consent.id.desc())
    return list(session.execute(stmt).scalars())


def list_for_grantee(session: Session, grantee: Grantee) -> list[Consent]:
    stmt = (
        select(Consent)
        .where(Consent.grantee_kind == grantee.kind, Consent.grantee_id == grantee.id)
        .order_by(Consent.id.desc())
    )
    return list(session.execute(stmt).scalars())


def is_valid(row: Consent, today: date) -> bool:
    return row.revoked_at is None and row.valid_from <= today <= row.valid_until


def state(row: Consent, today: date) -> str:
    """有效 / 已撤回 / 已到期 / 未开始 — for pages and the API."""
    if row.revoked_at is not None:
        return "已撤回"
    if today > row.valid_until:
        return "已到期"
    if today < row.valid_from:
        return "未开始"
    return "有效"


def find_valid(
    session: Session, grantee: Grantee, subject_id: int, scope: Scope, today: date
) -> Consent | None:
    stmt = (
        select(Consent)
        .where(
            Consent.subject_id == subject_id,
            Consent.grantee_kind == grantee.kind,
            Consent.grantee_id == grantee.id,
            Consent.revoked_at.is_(None),
            Consent.valid_from <= today,
            Consent.valid_until >= today,
        )
        .order_by(Consent.id.desc())
    )
    for row in session.execute(stmt).scalars():
        if scope.value in row.scopes:
            return row
    return None


def as_json(row: Consent, today: date | None = None) -> dict[str, object]:
    body: dict[str, object] = {
        "id": row.id,
        "subject_id": row.subject_id,
        "grantee": f"{row.grantee_kind}:{row.grantee_id}",
        "grantee_label": row.grantee_label,
        "purpose": row.purpose,
        "scopes": list(row.scopes),
        "valid_from": row.valid_from.isoformat(),
        "valid_until": row.valid_until.isoformat(),
        "granted_by": row.granted_by,
        "revoked_at": audit.jsonable(row.revoked_at),
        "revoke_reason": row.revoke_reason,
    }
    if today is not None:
        body["state"] = state(row, today)
    return body
