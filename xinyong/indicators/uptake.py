"""Credit in use (信用应用): 评价覆盖率, 分级分类监管行业数, 报告出具量, 信易+ 场景数, 信易贷规模.

One aggregation per indicator, registered in `compute.COMPUTERS` like the others, with the rows
behind it. Rules stay with their owners: a subject's stored grade is its newest evaluation result
(`evaluation.supervision.grade_statement`), which subject kinds are graded is the evaluation models'
business (`evaluation.models_for`), the sectors under graded supervision are those of
`catalogs/supervision.yaml` as the period's catalog version holds it (`supervision.rules_of`),
the 信易+ scenarios those of `catalogs/scenarios/scenarios.yaml`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, distinct, exists, func, select
from sqlalchemy.orm import Session

from xinyong.db.tables import (
    EvaluationResult,
    Inspection,
    InspectionPlan,
    Institution,
    LoanOutcome,
    Report,
    ScenarioPartner,
    Subject,
)
from xinyong.evaluation import models_for
from xinyong.evaluation.service import of_its_subject
from xinyong.evaluation.supervision import grade_statement, rules_of
from xinyong.indicators.compute import (
    _ALIVE,
    Rows,
    Value,
    _computes,
    _fetch,
    _rate,
    _scalar,
    _subject_count,
    _subjects_at,
)
from xinyong.indicators.period import Period
from xinyong.reports.content import ReportKind
from xinyong.scenarios import catalog as scenario_catalog

GRANTED = "granted"  # financing.outcomes: a bank's granted loan (refused ones carry no amount)
WAN_PER_YI = 10_000  # amounts are stored in 万元; the indicator is shown in 亿元


# --- 公共信用综合评价覆盖率 -----------------------------------------------------------------------


def _graded_kinds(period: Period) -> ColumnElement[bool]:
    """Subjects of a kind some evaluation model grades (persons only with a model's legal basis)."""
    return Subject.kind.in_(sorted(models_for(period.catalog).by_kind))


def _has_grade(period: Period) -> ColumnElement[bool]:
    return exists().where(
        EvaluationResult.subject_id == Subject.id,
        EvaluationResult.as_of <= period.end,
        of_its_subject(),  # as `grade_statement` reads the grade itself
    )


def _evaluation_rows(session: Session, period: Period) -> Rows:
    def newest(column: Any) -> Any:  # the stored grade as of the month's end
        stmt = grade_statement(Subject.id).where(EvaluationResult.as_of <= period.end)
        return stmt.with_only_columns(column).scalar_subquery()

    stmt = (
        select(Subject.name, Subject.code, Subject.kind, Subject.region_code,
               newest(EvaluationResult.grade), newest(EvaluationResult.as_of))
        .where(_subjects_at(period), _ALIVE, _graded_kinds(period), _has_grade(period))
        .order_by(Subject.id)
    )  # fmt: skip
    return _fetch(session, ("主体名称", "代码", "主体类别", "区划", "评价等级", "评价日期"), stmt)


@_computes("evaluation_coverage", _evaluation_rows)
def evaluation_coverage(session: Session, period: Period) -> Value:
    population = (_ALIVE, _graded_kinds(period))
    graded = _subject_count(session, period, *population, _has_grade(period))
    return _rate(graded, _subject_count(session, period, *population))


# --- 开展信用分级分类监管的行业数 -----------------------------------------------------------------


def _supervised(period: Period) -> tuple[ColumnElement[bool], ...]:
    """Plans drawn by the month's end in a sector the graded-supervision catalog defines."""
    sectors = [s.id for s in rules_of(period.catalog).sectors]
    return (InspectionPlan.drawn_on <= period.end, InspectionPlan.sector.in_(sectors))


def _supervision_rows(session: Session, period: Period) -> Rows:
    titles = {s.id: s.title for s in rules_of(period.catalog).sectors}
    stmt = (
        select(InspectionPlan.sector, func.count(distinct(InspectionPlan.id)),
               func.count(Inspection.id), func.max(InspectionPlan.drawn_on))
        .outerjoin(Inspection, Inspection.plan_id == InspectionPlan.id)
        .where(*_supervised(period))
        .group_by(InspectionPlan.sector)
        .order_by(InspectionPlan.sector)
    )  # fmt: skip
    rows = [(titles[s], int(p), int(n), last) for s, p, n, last in session.execute(stmt)]
    return Rows(("监管行业（领域）", "双随机抽查计划数", "按信用风险分类抽取的主体数",
                 "最近抽取日期"), rows)  # fmt: skip


@_computes("graded_supervision_sectors", _supervision_rows)
def graded_supervision_sectors(session: Session, period: Period) -> Value:
    stmt = select(func.count(distinct(InspectionPlan.sector))).where(*_supervised(period))
    return _scalar(session, stmt)


# --- 信用报告出具量 -----------------------------------------------------------------------------


def _issued_in(period: Period) -> tuple[ColumnElement[bool], ...]:
    return (Report.issued_at >= period.since, Report.issued_at < period.until)


def _report_rows(session: Session, period: Period) -> Rows:
    stmt = (
        select(Report.number, Report.kind, Subject.name, Subject.code, Report.issued_at,
               Report.requested_by, Report.revoked_at)
        .join(Subject, Subject.id == Report.subject_id)
        .where(*_issued_in(period))
        .order_by(Report.issued_at.desc())
    )  # fmt: skip
    found = _fetch(session, ("报告编号", "报告类型", "主体名称", "代码", "出具时间", "申请人",
                             "撤销时间"), stmt)  # fmt: skip
    return Rows(found.headers, [(r[0], ReportKind(r[1]).label, *r[2:]) for r in found.rows])


@_computes("report_queries", _report_rows)
def report_queries(session: Session, period: Period) -> Value:
    return _scalar(session, select(func.count()).select_from(Report).where(*_issued_in(period)))


# --- 信易+ 应用场景数 ---------------------------------------------------------------------------


def _partners_in_use(period: Period) -> tuple[ColumnElement[bool], ...]:
    """Active partners registered by the month's end for a scenario of the catalog."""
    ids = [s.id for s in scenario_catalog.load().scenarios]
    return (
        ScenarioPartner.active.is_(True),
        ScenarioPartner.created_at < period.until,
        ScenarioPartner.scenario_id.in_(ids),
    )


def _scenario_rows(session: Session, period: Period) -> Rows:
    titles = {s.id: s.title for s in scenario_catalog.load().scenarios}
    stmt = (
        select(ScenarioPartner.scenario_id, ScenarioPartner.name, ScenarioPartner.created_at)
        .where(*_partners_in_use(period))
        .order_by(ScenarioPartner.scenario_id, ScenarioPartner.id)
    )  # fmt: skip
    found = _fetch(session, ("信易+ 场景", "合作方", "登记时间"), stmt)
    return Rows(found.headers, [(titles[r[0]], *r[1:]) for r in found.rows])


@_computes("xinyi_scenarios", _scenario_rows)
def xinyi_scenarios(session: Session, period: Period) -> Value:
    stmt = select(func.count(distinct(ScenarioPartner.scenario_id))).where(
        *_partners_in_use(period)
    )
    return _scalar(session, stmt)


# --- 信易贷授信规模 -----------------------------------------------------------------------------


def _granted_by(period: Period) -> tuple[ColumnElement[bool], ...]:
    day = func.coalesce(LoanOutcome.granted_on, LoanOutcome.decided_on)
    return (LoanOutcome.result == GRANTED, day <= period.end)


def _loan_rows(session: Session, period: Period) -> Rows:
    stmt = (
        select(Institution.name, Subject.name, Subject.code, LoanOutcome.amount,
               LoanOutcome.granted_on, LoanOutcome.credit_loan, LoanOutcome.first_loan)
        .join(Institution, Institution.id == LoanOutcome.institution_id)
        .join(Subject, Subject.id == LoanOutcome.subject_id)
        .where(*_granted_by(period))
        .order_by(LoanOutcome.granted_on.desc(), LoanOutcome.id.desc())
    )  # fmt: skip
    found = _fetch(session, ("金融机构", "主体名称", "代码", "授信金额（万元）", "放款日期",
                             "信用贷款", "首贷"), stmt)  # fmt: skip

    def yes(flag: object) -> str:
        return "—" if flag is None else ("是" if flag else "否")

    return Rows(found.headers, [(*r[:5], yes(r[5]), yes(r[6])) for r in found.rows])


@_computes("xinyidai_volume", _loan_rows)
def xinyidai_volume(session: Session, period: Period) -> Value:
    total = session.execute(
        select(func.coalesce(func.sum(LoanOutcome.amount), 0)).where(*_granted_by(period))
    ).scalar_one()
    return round(float(total or 0) / WAN_PER_YI, 4)
