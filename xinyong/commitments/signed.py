"""Signing credit commitments: templates, the 承诺编码, one signature, a repair's commitment.

Owns: signed commitments (templates from `catalogs/workflows/commitment_templates.yaml`, fields of
the national template, rules.md §7.2) and the 信用修复型 commitment a repair application carries
(`apply_for_repair` → repair.file_application).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xinyong import audit, outbox, repair, subjects
from xinyong.audit import Actor, AuditAction
from xinyong.catalog import Catalog, CommitmentTemplate
from xinyong.clock import Calendar, period_last_day
from xinyong.db.tables import Commitment, ListEntry, Record, RepairApplication, Subject
from xinyong.enums import CommitmentStatus, Role, SubjectKind
from xinyong.errors import Forbidden, InvalidInput, NotFound

PUBLIC = "可向社会公开"  # 公开类型
REGION_DIGITS = 6
SERIAL_DIGITS = 6


class CommitmentNotFound(NotFound):
    code = "commitments.not_found"


class TemplateNotFound(NotFound):
    code = "commitments.template_not_found"


# ---- pure rules -------------------------------------------------------------------------------


def commitment_code(region_code: str, day: date, serial: int) -> str:
    """承诺编码: 6-digit region + YYYYMMDD + 6-digit serial (rules.md §7.2)."""
    region = (region_code or "").strip()[:REGION_DIGITS].ljust(REGION_DIGITS, "0")
    return f"{region}{day:%Y%m%d}{serial:0{SERIAL_DIGITS}d}"


def subject_category(kind: str) -> str:
    """承诺人类别 label for a subject kind."""
    if kind == SubjectKind.PERSON:
        return "自然人"
    if kind == SubjectKind.INDIVIDUAL_BUSINESS:
        return "个体工商户"
    return "法人及非法人组织"


# ---- queries ----------------------------------------------------------------------------------


def templates(catalog: Catalog, *, self_service: bool | None = None) -> list[CommitmentTemplate]:
    items = catalog.workflows.commitment_templates.templates
    return [t for t in items if self_service is None or t.self_service == self_service]


def template(catalog: Catalog, template_id: str) -> CommitmentTemplate:
    found = catalog.workflows.template(template_id)
    if found is None:
        raise TemplateNotFound(f"未找到承诺模板“{template_id}”")
    return found


def get(session: Session, commitment_id: int) -> Commitment:
    found = session.get(Commitment, commitment_id)
    if found is None:
        raise CommitmentNotFound(f"未找到编号为 {commitment_id} 的信用承诺")
    return found


def list_for_subject(session: Session, subject_id: int) -> list[Commitment]:
    stmt = select(Commitment).where(Commitment.subject_id == subject_id)
    return list(session.execute(stmt.order_by(Commitment.id.desc())).scalars())


def list_unverified(session: Session, provider_id: int | None = None) -> list[Commitment]:
    stmt = select(Commitment).where(Commitment.status == CommitmentStatus.SIGNED)
    if provider_id is not None:
        stmt = stmt.where(Commitment.acceptance_provider_id == provider_id)
    return list(session.execute(stmt.order_by(Commitment.id)).scalars())


def public_items(session: Session, subject_id: int) -> list[Commitment]:
    """Commitments whose 公开类型 is 可向社会公开, for the portal."""
    stmt = select(Commitment).where(
        Commitment.subject_id == subject_id, Commitment.publication == PUBLIC
    )
    return list(session.execute(stmt.order_by(Commitment.signed_on.desc())).scalars())


def _next_serial(session: Session, code_prefix: str) -> int:
    stmt = select(func.count()).where(Commitment.code.like(f"{code_prefix}%"))
    return int(session.execute(stmt).scalar_one()) + 1


# ---- actions ----------------------------------------------------------------------------------


def sign(
    session: Session,
    subject: Subject,
    template_id: str,
    *,
    actor: Actor,
    today: date,
    catalog: Catalog,
    region_code: str,
    reason_detail: str | None = None,
    record: Record | None = None,
    acceptance_provider_id: int | None = None,
) -> Commitment:
    """The subject signs a commitment online (its enterprise account); 承诺编码 is assigned."""
    if actor.kind != "system" and (actor.role != Role.ENTERPRISE or actor.subject_id != subject.id):
        raise Forbidden("只能以本主体名义作出信用承诺", code="commitments.not_own_subject")
    chosen = template(catalog, template_id)
    prefix = commitment_code(region_code, today, 0)[:-SERIAL_DIGITS]
    code = commitment_code(region_code, today, _next_serial(session, prefix))
    reason = chosen.reason + (f"：{reason_detail.strip()}" if reason_detail else "")
    row = Commitment(
        code=code,
        subject_id=subject.id,
        template_id=chosen.id,
        kind=chosen.kind,
        matter=chosen.matter,
        reason=reason,
        content=chosen.content,
        liability=chosen.liability,
        breach_consequence=chosen.breach_consequence,
        legal_basis=[b.cite() for b in chosen.legal_basis],
        publication=chosen.publication,
        signed_on=today,
        valid_until=period_last_day(today, chosen.validity_months)
        if chosen.validity_months
        else None,
        signed_by=actor.label,
        acceptance_provider_id=acceptance_provider_id,
        record_id=record.id if record is not None else None,
        status=CommitmentStatus.SIGNED.value,
        catalog_version=catalog.version,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        AuditAction.COMMITMENT_SIGNED,
        target_type="commitment",
        target_id=row.id,
        after={
            "code": code,
            "template": chosen.id,
            "kind": chosen.kind,
            "record_id": row.record_id,
        },
    )
    outbox.append(
        session,
        outbox.Event.COMMITMENT_SIGNED,
        target_type="commitment",
        target_id=row.id,
        subject_id=subject.id,
        provider_id=acceptance_provider_id,
        payload={
            "code": code,
            "template": chosen.id,
            "kind": chosen.kind,
            "publication": chosen.publication,
            "record_id": row.record_id,
        },
        occurred_on=today,
    )
    return row


def _sign_for_repair(
    session: Session,
    target: Record | ListEntry,
    *,
    actor: Actor,
    today: date,
    catalog: Catalog,
    region_code: str,
    affirmed: bool,
) -> Commitment:
    """The 信用修复型 commitment for a record, or for early exit from a platform list entry."""
    if not affirmed:
        raise InvalidInput("须作出信用修复信用承诺后方可申请", code="commitments.not_affirmed")
    provider = repair.provider_of(session, target)
    if isinstance(target, Record):
        detail = target.decision_number or target.natural_key
    else:
        title = catalog.list_type(target.list_type).title
        detail = f"申请提前移出{title}（{target.decision_number or target.id}）"
    subject = subjects.get(session, target.subject_id)
    return sign(
        session, subject, catalog.workflows.repair.commitment_template, actor=actor, today=today,
        catalog=catalog, region_code=region_code, reason_detail=detail,
        record=target if isinstance(target, Record) else None,
        acceptance_provider_id=provider.id if provider else None,
    )  # fmt: skip


def apply_for_repair(
    session: Session,
    target: Record | ListEntry,
    application: repair.Application,
    *,
    actor: Actor,
    today: date,
    catalog: Catalog,
    calendar: Calendar,
    data_dir: Path,
    region_code: str,
    commitment_affirmed: bool = True,
) -> RepairApplication:
    """One step for the subject (一口受理): sign the 信用修复型 commitment and apply — for repair
    of a record, or for early exit (提前移出) from a list entry decided on this platform."""
    commitment = _sign_for_repair(
        session, target, actor=actor, today=today, catalog=catalog, region_code=region_code,
        affirmed=commitment_affirmed,
    )  # fmt: skip
    return repair.file_application(
        session, target, application, commitment, actor=actor, today=today, catalog=catalog,
        calendar=calendar, data_dir=data_dir,
    )  # fmt: skip
