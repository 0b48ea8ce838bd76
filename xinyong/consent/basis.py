"""On what basis an actor reads a subject's non-public information (`authorise`): self, duty,
a consent held by the actor or its institution (`held_by`), or a 信易+ scenario."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.audit import Actor
from xinyong.audit.queries import stated_purpose
from xinyong.consent.grants import INSTITUTION, Grantee, Scope, find_valid
from xinyong.db.tables import Consent, Subject
from xinyong.enums import Role, SubjectKind
from xinyong.errors import Forbidden

DUTY_ROLES = frozenset({Role.ADMIN, Role.OFFICER, Role.AUDITOR})
SCENARIO_BASIS = "scenario"  # a 信易+ partner's verification of an organisation (catalogued basis)


class NoBasis(Forbidden):
    code = "consent.no_basis"


def parties_of(session: Session, actor: Actor) -> list[Grantee]:
    """Every party a consent to whom covers `actor`: the actor itself, and for a bank officer
    the institution (organisation) it works for — a subject authorises the bank, so any of its
    officers asking with the purpose is covered, and one who leaves it is not."""
    own = Grantee.of(actor)
    if own is None:
        return []
    if own.kind != "user":
        return [own]
    # the financing tables load when an officer asks, not with every importer of consent
    from xinyong.db.tables import Institution, InstitutionUser  # noqa: PLC0415

    inst = session.execute(
        select(Institution.id, Institution.name)
        .join(InstitutionUser, InstitutionUser.institution_id == Institution.id)
        .where(InstitutionUser.user_id == own.id, Institution.active.is_(True))
    ).first()
    return [own] if inst is None else [Grantee(INSTITUTION, inst.id, inst.name), own]


def held_by(
    session: Session, actor: Actor, subject_id: int, scope: Scope, today: date
) -> Consent | None:
    """A consent valid today covering `scope` that the subject gave to `actor` or to the
    institution it works for (`parties_of`)."""
    for party in parties_of(session, actor):
        found = find_valid(session, party, subject_id, scope, today)
        if found is not None:
            return found
    return None


@dataclass(frozen=True, slots=True)
class Basis:
    """Why a non-public read is lawful; written into the query log."""

    kind: str  # "self" | "duty" | "consent" | "scenario"
    purpose: str
    consent_id: int | None = None

    @property
    def label(self) -> str:
        return BASIS_LABELS[self.kind]


BASIS_LABELS = {
    "self": "本人查询",
    "duty": "履职查询",
    "consent": "主体授权",
    SCENARIO_BASIS: "信易+场景依据",
}


def authorise(
    session: Session,
    actor: Actor,
    subject: Subject,
    scope: Scope,
    *,
    purpose: str | None,
    today: date,
) -> Basis:
    """On what basis `actor` may read `subject`'s non-public information for `scope`.

    Raises NoBasis (403) when there is none. The caller logs the read with the returned basis.
    """
    if actor.is_anonymous:
        raise NoBasis("查询非公开信用信息须登录", code="consent.login_required")
    if actor.role == Role.ENTERPRISE and actor.subject_id == subject.id:
        return Basis("self", (purpose or "").strip() or "本人查询")
    found = held_by(session, actor, subject.id, scope, today)
    if found is not None:
        return Basis("consent", (purpose or "").strip() or found.purpose, found.id)
    person_report = subject.kind == SubjectKind.PERSON and scope == Scope.SPECIAL_REPORT
    if actor.role in DUTY_ROLES and not person_report:
        return Basis("duty", _duty_purpose(purpose))
    raise NoBasis(
        f"未获得该信用主体对“{scope.label}”的有效授权，不能查询（授权须由主体本人在“我的信用”中授予）"
    )


def _duty_purpose(purpose: str | None) -> str:
    return stated_purpose(purpose)  # the query log's rule (audit.queries)
