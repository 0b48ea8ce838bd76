"""Financial institutions (银行 / 非银、类金融机构) and their users; consent to an institution.

A bank is a registered organisation: the credit office registers it and attaches user accounts
(role `bank`). A subject's consent names parties of the consent module (users); consenting to an
institution grants each of its users the same consent, and revoking it revokes them all.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong import audit, auth, consent
from xinyong.audit import Actor, AuditAction
from xinyong.db.base import IdMixin
from xinyong.db.tables import Consent, Institution, InstitutionUser, Subject, User
from xinyong.enums import Role
from xinyong.errors import Forbidden, InvalidInput, NotFound
from xinyong.identifiers.uscc import is_valid_uscc

KINDS = {"bank": "银行", "nonbank": "非银/类金融机构"}
# What a lender needs to decide on a loan (贷前审核) and to follow it (贷中预警).
LENDER_SCOPES = [
    consent.Scope.FINANCING.value,
    consent.Scope.EVALUATION.value,
    consent.Scope.ARCHIVE.value,
    consent.Scope.SPECIAL_REPORT.value,
]


Row = TypeVar("Row", bound=IdMixin)


class InstitutionNotFound(NotFound):
    code = "financing.institution_not_found"


def require_own(session: Session, actor: Actor, institution: Institution, refusal: str) -> None:
    """A bank user acts only for its own institution (the system actor for any)."""
    if actor.kind != "system" and of_actor(session, actor).id != institution.id:
        raise Forbidden(refusal, code="financing.not_own")


def stored(
    session: Session,
    row: Row,
    action: AuditAction,
    *,
    target_type: str,
    after: Callable[[Row], dict[str, Any]],
    actor: Actor,
) -> Row:
    """Add a new row of the financing market and audit it with its JSON, in one transaction."""
    session.add(row)
    session.flush()
    audit.record(session, actor, action, target_type=target_type, target_id=row.id,
                 after=after(row))  # fmt: skip
    return row


def register(
    session: Session, name: str, code: str, kind: str, *, joined_whitelist: bool, actor: Actor
) -> Institution:
    auth.require_role(actor, Role.ADMIN)
    if kind not in KINDS:
        raise InvalidInput(f"机构类型只能是 {'、'.join(KINDS)}", code="financing.kind")
    if not name.strip():
        raise InvalidInput("机构名称必填", code="financing.name")
    code = code.strip().upper()
    if not is_valid_uscc(code):
        raise InvalidInput(f"统一社会信用代码“{code}”校验不通过", code="financing.code")
    if session.execute(select(Institution).where(Institution.code == code)).first():
        raise InvalidInput(f"机构 {code} 已登记", code="financing.duplicate")
    row = Institution(name=name.strip(), code=code, kind=kind, joined_whitelist=joined_whitelist)
    return stored(
        session,
        row,
        AuditAction.INSTITUTION_REGISTERED,
        target_type="institution",
        after=lambda r: {"name": r.name, "code": code, "kind": kind},
        actor=actor,
    )


def add_user(session: Session, institution: Institution, user: User, *, actor: Actor) -> None:
    auth.require_role(actor, Role.ADMIN)
    if Role(user.role) != Role.BANK:
        raise InvalidInput("只有金融机构角色（bank）的账户可以加入机构", code="financing.role")
    session.add(InstitutionUser(institution_id=institution.id, user_id=user.id))
    session.flush()
    audit.record(
        session, actor, AuditAction.INSTITUTION_USER_ADDED, target_type="institution",
        target_id=institution.id, after={"user": user.username},
    )  # fmt: skip


def get(session: Session, institution_id: int) -> Institution:
    row = session.get(Institution, institution_id)
    if row is None or not row.active:
        raise InstitutionNotFound(f"金融机构 {institution_id} 不存在")
    return row


def all_active(session: Session) -> list[Institution]:
    stmt = select(Institution).where(Institution.active.is_(True)).order_by(Institution.id)
    return list(session.execute(stmt).scalars())


def of_actor(session: Session, actor: Actor) -> Institution:
    """The institution a bank user acts for (403 for anyone else)."""
    if actor.kind == "user" and actor.role == Role.BANK and actor.id is not None:
        row = session.execute(
            select(Institution)
            .join(InstitutionUser, InstitutionUser.institution_id == Institution.id)
            .where(InstitutionUser.user_id == actor.id, Institution.active.is_(True))
        ).scalar_one_or_none()
        if row is not None:
            return row
    raise Forbidden("此功能仅供已登记金融机构的工作人员使用", code="financing.not_institution")


def members(session: Session, institution_id: int) -> list[User]:
    stmt = (
        select(User)
        .join(InstitutionUser, InstitutionUser.user_id == User.id)
        .where(InstitutionUser.institution_id == institution_id, User.active.is_(True))
        .order_by(User.id)
    )
    return list(session.execute(stmt).scalars())


def party(institution: Institution) -> consent.Grantee:
    """The institution as the party a subject authorises (covers each of its officers)."""
    return consent.Grantee(consent.INSTITUTION, institution.id, institution.name)


def grantees(session: Session, institution_id: int) -> list[consent.Grantee]:
    """The institution, then its member users (consents given per officer before consent went
    to the institution itself still count)."""
    return [party(get(session, institution_id))] + [
        consent.Grantee("user", u.id, f"{u.display_name}（{u.username}）")
        for u in members(session, institution_id)
    ]


def grant(
    session: Session,
    subject: Subject,
    institution: Institution,
    *,
    purpose: str,
    valid_until: date,
    actor: Actor,
    today: date,
) -> list[Consent]:
    """The subject consents to the institution itself (lender scopes): every officer of it
    asking with the purpose is covered, including one who joins later (`consent.parties_of`)."""
    return [
        consent.grant(
            session,
            subject,
            party(institution),
            purpose=f"{institution.name}：{purpose.strip()}",
            scopes=LENDER_SCOPES,
            valid_from=today,
            valid_until=valid_until,
            actor=actor,
            today=today,
        )
    ]


def consents_to(
    session: Session, subject_id: int, institution_id: int, today: date
) -> list[Consent]:
    """The subject's consents valid today to any user of the institution."""
    out = []
    for party in grantees(session, institution_id):
        found = consent.find_valid(session, party, subject_id, consent.Scope.FINANCING, today)
        if found is not None:
            out.append(found)
    return out


def revoke(
    session: Session, subject: Subject, institution: Institution, *, actor: Actor, today: date
) -> int:
    rows = consents_to(session, subject.id, institution.id, today)
    for row in rows:
        consent.revoke(session, row.id, actor=actor, reason=f"撤回对{institution.name}的授权")
    return len(rows)
