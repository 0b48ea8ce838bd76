"""白名单推荐: each month, per institution that joined, the SMEs the catalog rules recommend.

Generated from the catalog rules (`catalogs/financing/financing.yaml`), each entry keeps its
explanation; the credit office reviews (approves) a list, then pushes it to the institution.
An SME that opted out is never listed. Re-generating a month that is not yet pushed replaces
its entries, so a subject listed serious-dishonest since drops out of the next list.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from xinyong import audit, auth, clock
from xinyong.audit import Actor, AuditAction
from xinyong.catalog import Catalog
from xinyong.db.tables import Institution, Subject, Whitelist, WhitelistEntry, WhitelistOptOut
from xinyong.enums import Role, SubjectStatus, WhitelistState
from xinyong.errors import Conflict, Forbidden, NotFound
from xinyong.evaluation import eligibility
from xinyong.financing import institutions
from xinyong.financing.catalog import FinancingCatalog
from xinyong.financing.market import latest_size


def opted_out(session: Session) -> set[int]:
    return set(session.execute(select(WhitelistOptOut.subject_id)).scalars())


def opt_out(session: Session, subject: Subject, *, actor: Actor, reason: str | None) -> None:
    if actor.subject_id != subject.id:
        raise Forbidden("只有企业本人可以退出白名单推荐", code="financing.not_own")
    if subject.id in opted_out(session):
        return
    session.add(WhitelistOptOut(subject_id=subject.id, opted_out_by=actor.label, reason=reason))
    session.flush()
    audit.record(
        session, actor, AuditAction.WHITELIST_OPTED_OUT, target_type="subject",
        target_id=subject.id, reason=reason,
    )  # fmt: skip


def opt_in(session: Session, subject: Subject, *, actor: Actor) -> None:
    if actor.subject_id != subject.id:
        raise Forbidden("只有企业本人可以恢复白名单推荐", code="financing.not_own")
    session.execute(delete(WhitelistOptOut).where(WhitelistOptOut.subject_id == subject.id))
    audit.record(
        session, actor, AuditAction.WHITELIST_OPTED_OUT, target_type="subject",
        target_id=subject.id, reason="恢复推荐",
    )  # fmt: skip


def generate(
    session: Session,
    month: str,
    *,
    catalog: Catalog,
    fin_catalog: FinancingCatalog,
    actor: Actor,
    today: date,
) -> list[Whitelist]:
    """Build (or rebuild, until pushed) the month's list for every institution that joined."""
    auth.require_role(actor, Role.ADMIN)
    skip = opted_out(session)
    lists_out = []
    joined = [i for i in institutions.all_active(session) if i.joined_whitelist]
    for rule in fin_catalog.whitelist_rules:
        candidates = session.execute(
            select(Subject)
            .where(Subject.kind.in_(rule.subject_kinds), Subject.status == SubjectStatus.ACTIVE)
            .order_by(Subject.id)
        ).scalars()
        chosen: list[tuple[int, list[str]]] = []
        for subject in candidates:
            if subject.id in skip:
                continue
            found = eligibility.check(
                session, subject, rule.conditions, catalog=catalog, today=today,
                source=f"推荐规则“{rule.title}”", size=latest_size(session, subject.id),
            )  # fmt: skip
            if found.eligible:
                chosen.append((subject.id, found.explanation()))
        lists_out += [
            _store(session, inst, month, rule.id, fin_catalog.version, chosen, today)
            for inst in joined
        ]
    audit.record(
        session, actor, AuditAction.WHITELIST_GENERATED, target_type="whitelist_month",
        target_id=month, after={"lists": [w.id for w in lists_out]},
    )  # fmt: skip
    return lists_out


def _store(
    session: Session,
    inst: Institution,
    month: str,
    rule_id: str,
    version: str,
    chosen: list[tuple[int, list[str]]],
    today: date,
) -> Whitelist:
    row = session.execute(
        select(Whitelist).where(
            Whitelist.institution_id == inst.id,
            Whitelist.month == month,
            Whitelist.rule_id == rule_id,
        )
    ).scalar_one_or_none()
    if row is not None and row.state == WhitelistState.PUSHED:
        raise Conflict(f"{inst.name} {month} 的白名单已推送，不能重新生成", code="financing.pushed")
    if row is None:
        row = Whitelist(institution_id=inst.id, month=month, rule_id=rule_id, rule_version=version,
                        generated_on=today)  # fmt: skip
        session.add(row)
        session.flush()
    else:
        session.execute(delete(WhitelistEntry).where(WhitelistEntry.whitelist_id == row.id))
        row.state, row.generated_on, row.reviewed_by, row.rule_version = (
            WhitelistState.GENERATED,
            today,
            None,
            version,
        )
    session.add_all(
        WhitelistEntry(whitelist_id=row.id, subject_id=sid, explanation=lines)
        for sid, lines in chosen
    )
    session.flush()
    return row


def get(session: Session, whitelist_id: int) -> Whitelist:
    row = session.get(Whitelist, whitelist_id)
    if row is None:
        raise NotFound(f"白名单 {whitelist_id} 不存在", code="financing.whitelist_not_found")
    return row


def review(session: Session, row: Whitelist, *, actor: Actor) -> Whitelist:
    auth.require_role(actor, Role.ADMIN)
    if row.state != WhitelistState.GENERATED:
        raise Conflict("只能审核刚生成的白名单", code="financing.whitelist_state")
    row.state, row.reviewed_by = WhitelistState.APPROVED, actor.label
    audit.record(
        session, actor, AuditAction.WHITELIST_REVIEWED, target_type="whitelist", target_id=row.id
    )
    return row


def push(session: Session, row: Whitelist, *, actor: Actor) -> Whitelist:
    auth.require_role(actor, Role.ADMIN)
    if row.state != WhitelistState.APPROVED:
        raise Conflict("白名单须先经信用办审核后才能推送", code="financing.whitelist_state")
    row.state, row.pushed_at = WhitelistState.PUSHED, clock.now()
    audit.record(
        session, actor, AuditAction.WHITELIST_PUSHED, target_type="whitelist", target_id=row.id
    )
    return row


def lists_of(
    session: Session, institution_id: int | None = None, *, pushed_only: bool = False
) -> list[Whitelist]:
    stmt = select(Whitelist).order_by(Whitelist.month.desc(), Whitelist.id.desc())
    if institution_id is not None:
        stmt = stmt.where(Whitelist.institution_id == institution_id)
    if pushed_only:
        stmt = stmt.where(Whitelist.state == WhitelistState.PUSHED)
    return list(session.execute(stmt).scalars())


def entries(session: Session, whitelist_id: int) -> list[tuple[Subject, list[str]]]:
    rows = session.execute(
        select(Subject, WhitelistEntry.explanation)
        .join(WhitelistEntry, WhitelistEntry.subject_id == Subject.id)
        .where(WhitelistEntry.whitelist_id == whitelist_id)
        .order_by(Subject.id)
    ).all()
    return [(s, list(e)) for s, e in rows]


def as_json(session: Session, row: Whitelist) -> dict[str, Any]:
    listed = entries(session, row.id)
    return {
        "id": row.id,
        "institution_id": row.institution_id,
        "month": row.month,
        "rule": row.rule_id,
        "state": row.state,
        "subjects": [{"code": s.code, "name": s.name, "explanation": e} for s, e in listed],
    }
