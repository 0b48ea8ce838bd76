"""Plans, draws and results of 双随机、一公开, read from and written to the database.

`create_plan` records the seed and every input of the draw (population with supervision classes,
inspector pool, recorded relations, the previous plan's pairs) in the plan, then stores the draw;
`redraw` re-runs the draw from those recorded inputs and compares it with what was stored.
Supervision classes come from graded supervision (`evaluation.supervision`), grades from
`evaluation.current_grades`; a subject never graded is treated as class B (一般).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong import audit, auth, evaluation, subjects
from xinyong.audit import Actor, AuditAction
from xinyong.catalog import Catalog
from xinyong.clock import Calendar, add_working_days
from xinyong.db.tables import Inspection, InspectionPlan, Inspector, Provider, Subject
from xinyong.enums import Role, SubjectStatus
from xinyong.errors import Conflict, InvalidInput, NotFound
from xinyong.evaluation import sector_grades, supervision
from xinyong.inspections.draw import DrawInputs, Drawn, draw, excluded

UNGRADED_CLASS = "B"
RESULTS = ("未发现问题", "发现问题已责令整改", "发现问题已立案查处", "未找到检查对象")
OFFICERS = (Role.OFFICER, Role.ADMIN)


class PlanNotFound(NotFound):
    code = "inspections.plan_not_found"


@dataclass(frozen=True, slots=True)
class Pair:
    """One subject of a redraw: what was stored beside what the recorded seed gives again."""

    subject_id: int
    supervision_class: str
    stored: tuple[int, ...] | None  # None: the subject is not in the stored draw
    again: tuple[int, ...] | None  # None: the redraw does not draw the subject
    excluded: list[tuple[int, str]]  # the pool's inspectors kept away, with the reason

    @property
    def same(self) -> bool:
        return self.stored == self.again


@dataclass(frozen=True, slots=True)
class Redraw:
    plan: InspectionPlan
    identical: bool
    drawn: list[Drawn]
    stored: list[Drawn]
    pairs: list[Pair]


def add_inspector(
    session: Session,
    name: str,
    badge: str,
    provider: Provider,
    *,
    related_codes: tuple[str, ...] = (),
    actor: Actor,
) -> Inspector:
    """An inspector of a department, with the subjects they are recorded as related to."""
    auth.require_role(actor, *OFFICERS)
    auth.require_provider_scope(actor, provider.id)
    related = sorted(subjects.get_by_code(session, code).id for code in related_codes)
    row = Inspector(
        name=name.strip(), badge=badge.strip(), provider_id=provider.id, related_subject_ids=related
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        AuditAction.INSPECTOR_ADDED,
        target_type="inspector",
        target_id=row.id,
        after={"name": row.name, "related": related},
    )
    return row


def get_plan(session: Session, code: str, *, actor: Actor) -> InspectionPlan:
    """One plan, for whom may read it: the officers of the inspecting department, the credit
    office (administrators and its own officers), auditors (`auth.require_department_reader`)."""
    plan = session.execute(
        select(InspectionPlan).where(InspectionPlan.code == code)
    ).scalar_one_or_none()
    if plan is None:
        raise PlanNotFound(f"未找到编号为 {code} 的抽查计划")
    auth.require_department_reader(actor, plan.provider_id, what="抽查计划")
    return plan


def get_inspection(session: Session, code: str, inspection_id: int, *, actor: Actor) -> Inspection:
    """One inspection of a plan, for whom may read the plan (`get_plan`)."""
    plan = get_plan(session, code, actor=actor)
    row = session.get(Inspection, inspection_id)
    if row is None or row.plan_id != plan.id:
        raise NotFound("该抽查计划中没有这条检查任务")
    return row


def _population(
    session: Session, region_code: str, sector: str, catalog: Catalog, today: date
) -> list[tuple[int, str]]:
    """Every graded subject of the region with its supervision class in the plan's sector: our
    grade, combined with its sector grade where the sector's rule says so (`supervision.decide`)."""
    rules = supervision.rules_of(catalog)
    kinds = list(evaluation.models_for(catalog).by_kind)  # the kinds that are graded
    rows = (
        session.execute(
            select(Subject.id)
            .where(
                Subject.region_code.startswith(region_code),
                Subject.kind.in_(kinds),
                Subject.status == SubjectStatus.ACTIVE.value,
            )
            .order_by(Subject.id)
        )
        .scalars()
        .all()
    )
    grades = evaluation.current_grades(session, rows)
    read = rules.sector(sector).sector_grade is not None  # does this sector read sector grades?
    graded = sector_grades.rows_of_subjects(session, rows) if read else {}
    out = []
    for sid in rows:
        grade = grades.get(sid)
        found_rows = graded.get(sid)
        theirs = (
            sector_grades.in_force(found_rows, catalog=catalog, today=today) if found_rows else {}
        )
        found = supervision.decide(rules, grade.grade if grade else None, sector, theirs)
        out.append((sid, found.supervision_class if found is not None else UNGRADED_CLASS))
    return out


def create_plan(
    session: Session,
    *,
    code: str,
    title: str,
    provider: Provider,
    sector: str,
    region_code: str,
    period_start: date,
    period_end: date,
    seed: str | None = None,
    ratios: dict[str, float] | None = None,
    inspector_ids: list[int] | None = None,
    actor: Actor,
    catalog: Catalog,
    today: date,
) -> InspectionPlan:
    """Record a plan with its seed and inputs, and store its draw (one transaction).

    `ratios` may raise a class's ratio above the catalog's (never lower it); `inspector_ids`
    narrows the pool to some of the department's inspectors (default: all of them)."""
    auth.require_role(actor, *OFFICERS)
    auth.require_provider_scope(actor, provider.id)
    rules = supervision.rules_of(catalog)
    if sector not in {s.id for s in rules.sectors}:
        raise InvalidInput(f"未知的监管领域“{sector}”：" + "、".join(s.id for s in rules.sectors))
    treatments = rules.sector(sector).classes
    chosen = _ratios(treatments, ratios or {}, rules)
    if period_end < period_start:
        raise InvalidInput("抽查期间的结束日期不能早于开始日期")
    if session.execute(select(InspectionPlan.id).where(InspectionPlan.code == code)).first():
        raise Conflict(f"抽查计划编号 {code} 已存在")
    previous = session.execute(
        select(InspectionPlan)
        .where(InspectionPlan.provider_id == provider.id, InspectionPlan.sector == sector)
        .order_by(InspectionPlan.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    pairs: set[tuple[int, int]] = set()
    if previous is not None:
        for row in session.execute(
            select(Inspection).where(Inspection.plan_id == previous.id)
        ).scalars():
            pairs |= {(int(i), row.subject_id) for i in row.inspector_ids}
    pool = _pool(session, provider, inspector_ids)
    inputs = DrawInputs(
        seed=seed or secrets.token_hex(8),
        population=tuple(_population(session, region_code, sector, catalog, today)),
        ratios=chosen,
        min_ratio=rules.inspections.min_ratio,
        inspectors=tuple(i.id for i in pool),
        related={i.id: frozenset(int(s) for s in i.related_subject_ids) for i in pool},
        previous=frozenset(pairs),
        per_subject=rules.inspections.inspectors_per_subject,
    )
    plan = InspectionPlan(
        code=code,
        title=title,
        provider_id=provider.id,
        sector=sector,
        region_code=region_code,
        period_start=period_start,
        period_end=period_end,
        seed=inputs.seed,
        previous_plan_id=previous.id if previous else None,
        drawn_on=today,
        inputs=inputs.as_json(),
        catalog_version=catalog.version,
    )
    session.add(plan)
    session.flush()
    drawn = draw(inputs)
    session.add_all(
        Inspection(
            plan_id=plan.id,
            subject_id=d.subject_id,
            supervision_class=d.supervision_class,
            inspector_ids=list(d.inspector_ids),
        )
        for d in drawn
    )
    session.flush()
    audit.record(
        session,
        actor,
        AuditAction.INSPECTION_PLAN_DRAWN,
        target_type="inspection_plan",
        target_id=plan.id,
        after={
            "code": code,
            "seed": inputs.seed,
            "drawn": len(drawn),
            "population": len(inputs.population),
        },
    )
    return plan


def _ratios(
    treatments: dict[str, Any], asked: dict[str, float], rules: supervision.SupervisionRules
) -> dict[str, float]:
    """The catalog's ratio per class, raised where the plan asks for more (never lowered)."""
    out = {cls: t.ratio for cls, t in treatments.items()}
    for cls, ratio in asked.items():
        if cls not in out:
            raise InvalidInput(f"监管类别“{cls}”不在该监管领域的抽查比例表中")
        if not 0 <= ratio <= 1:
            raise InvalidInput(f"{rules.class_title(cls)}的抽查比例应在 0 至 100% 之间")
        if ratio < out[cls]:
            raise InvalidInput(
                f"{rules.class_title(cls)}的抽查比例不得低于目录规定的 {out[cls]:.0%}"
            )
        out[cls] = ratio
    return out


def _pool(session: Session, provider: Provider, ids: list[int] | None) -> list[Inspector]:
    """The department's inspectors, or the ones chosen of them (each must belong to it)."""
    stmt = select(Inspector).where(Inspector.provider_id == provider.id).order_by(Inspector.id)
    every = list(session.execute(stmt).scalars())
    if ids is None:
        return every
    wanted = set(ids)
    unknown = wanted - {i.id for i in every}
    if unknown:
        raise InvalidInput(f"检查人员 {sorted(unknown)} 不是{provider.name}登记的检查人员")
    if not wanted:
        raise InvalidInput("请至少选择一名检查人员")
    return [i for i in every if i.id in wanted]


def drawn_of(session: Session, plan: InspectionPlan) -> list[Inspection]:
    stmt = select(Inspection).where(Inspection.plan_id == plan.id).order_by(Inspection.id)
    return list(session.execute(stmt).scalars())


def redraw(session: Session, plan: InspectionPlan, *, actor: Actor) -> Redraw:
    """Re-run the draw from the plan's recorded seed and inputs; compare with the stored draw,
    subject by subject, with the inspectors each subject's conflicts of interest kept away.
    The inspecting department's officers, the credit office and auditors may check a draw."""
    auth.require_department_reader(actor, plan.provider_id, what="抽查计划")
    inputs = DrawInputs.from_json(plan.inputs)
    again = draw(inputs)
    stored = [
        Drawn(r.subject_id, r.supervision_class, tuple(int(i) for i in r.inspector_ids))
        for r in drawn_of(session, plan)
    ]
    by_stored = {d.subject_id: d for d in stored}
    by_again = {d.subject_id: d for d in again}
    order = [d.subject_id for d in stored] + [s for s in by_again if s not in by_stored]
    pairs = []
    for sid in order:
        first = by_stored.get(sid) or by_again[sid]
        pairs.append(
            Pair(sid, first.supervision_class,
                 by_stored[sid].inspector_ids if sid in by_stored else None,
                 by_again[sid].inspector_ids if sid in by_again else None,
                 excluded(inputs, sid))
        )  # fmt: skip
    return Redraw(plan, again == stored, again, stored, pairs)


def record_result(
    session: Session,
    inspection: Inspection,
    result: str,
    detail: str,
    *,
    actor: Actor,
    today: date,
    calendar: Calendar,
    catalog: Catalog,
) -> Inspection:
    """The inspecting department records the result; it is published at once (the catalog's
    period is the latest day allowed, kept as `publish_by`)."""
    auth.require_role(actor, *OFFICERS)
    plan = session.get(InspectionPlan, inspection.plan_id)
    assert plan is not None
    auth.require_provider_scope(actor, plan.provider_id)
    if result not in RESULTS:
        raise InvalidInput("检查结果须为：" + "、".join(RESULTS))
    if inspection.result is not None:
        raise Conflict("该检查结果已经记录")
    period = supervision.rules_of(catalog).inspections.publish_within_working_days
    publish_by = add_working_days(
        today, period, calendar
    )  # before any write (calendar may lack a year)
    inspection.result, inspection.result_detail = result, detail.strip() or None
    inspection.result_on, inspection.publish_by, inspection.published_on = today, publish_by, today
    session.flush()
    audit.record(
        session,
        actor,
        AuditAction.INSPECTION_RESULT_RECORDED,
        target_type="inspection",
        target_id=inspection.id,
        after={"result": result, "publish_by": publish_by},
    )
    return inspection


def public_results(session: Session, *, today: date, limit: int = 200) -> list[dict[str, Any]]:
    """Published results for the portal (/inspections): plan, department, subject, result."""
    rows = session.execute(
        select(Inspection, InspectionPlan, Subject, Provider)
        .join(InspectionPlan, InspectionPlan.id == Inspection.plan_id)
        .join(Subject, Subject.id == Inspection.subject_id)
        .join(Provider, Provider.id == InspectionPlan.provider_id)
        .where(Inspection.published_on.is_not(None), Inspection.published_on <= today)
        .order_by(Inspection.published_on.desc(), Inspection.id.desc())
        .limit(limit)
    ).all()
    return [
        {
            "plan": plan.code,
            "title": plan.title,
            "department": dept.name,
            "subject": subjects.public_view(subject),
            "result": i.result,
            "detail": i.result_detail,
            "result_on": i.result_on,
            "published_on": i.published_on,
        }
        for i, plan, subject, dept in rows
    ]
