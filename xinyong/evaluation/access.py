"""Who may see what of a subject's evaluation; permissions are checked here, not in the route.

- the subject itself (its enterprise account) and authorities (officers, admins, auditors): the
  full explanation — each indicator's points and the records behind it — and what would change
  the grade; every such read writes the query log (who, whom, why);
- a financial institution without that consent: refused (403) — it asks as a lender;
- anyone else: only what the model makes public (`public: true`): grade, as-of date, model
  version and the plain-Chinese explanation, without record ids — the stored grade while it
  matches the archive, else computed for a small archive, else "being updated" (`shown`);
- a party the subject authorised for the scope `evaluation` (consent module: a bank it asked for
  a loan, a partner): the full explanation too, logged with the consent it relied on; a revoked or
  expired consent stops on the next request.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from xinyong import audit, consent, subjects
from xinyong.audit import Actor
from xinyong.catalog import Catalog
from xinyong.db.tables import Subject
from xinyong.enums import Role
from xinyong.evaluation import sector_grades, shown, supervision
from xinyong.evaluation.scoring import Evaluation
from xinyong.evaluation.service import assess, model_of
from xinyong.evaluation.whatif import suggestions

AUTHORITIES = (Role.OFFICER, Role.ADMIN, Role.AUDITOR)
PURPOSE = "查看信用评价及其依据"
NO_MODEL = "该类主体没有适用的公共信用评价模型"


def consented(session: Session, actor: Actor, subject: Subject, *, today: date) -> bool:
    """True when the subject authorised this party (user, API client, or its institution) for
    its evaluation."""
    found = consent.held_by(session, actor, subject.id, consent.Scope.EVALUATION, today)
    return found is not None


def may_read_full(session: Session, actor: Actor, subject: Subject, *, today: date) -> bool:
    own = actor.role == Role.ENTERPRISE and actor.subject_id == subject.id
    return own or actor.role in AUTHORITIES or consented(session, actor, subject, today=today)


def public_part(ev: Evaluation) -> dict[str, Any]:
    """What the public sees of a public model's evaluation: no record ids."""
    return {
        "model": ev.model_id,
        "model_title": ev.model_title,
        "version": ev.model_version,
        "as_of": ev.as_of.isoformat(),
        "grade": ev.grade,
        "grade_title": ev.grade_title,
        "score": ev.score,
        "explanation": ev.explanation(),
        "indicators": [
            {
                "dimension": i.dimension_title,
                "title": i.title,
                "points": i.points,
                "records": len(i.refs),
                "rule": i.public_text,
            }
            for i in ev.indicators
            if i.points
        ],
        "overrides": list(ev.overrides),
    }


def read_evaluation(
    session: Session,
    subject: Subject,
    *,
    actor: Actor,
    catalog: Catalog,
    today: date,
    surface: str,
) -> dict[str, Any]:
    """The subject's evaluation as this actor may see it (computed on `today` by its model)."""
    out: dict[str, Any] = {"subject": subjects.public_view(subject), "access": "public"}
    loaded = model_of(subject, catalog)
    if loaded is None:
        return out | {"evaluation": None, "reason": NO_MODEL}
    graded = sector_grades.current(session, subject.id, catalog=catalog, today=today)
    rules = supervision.rules_of(catalog)
    if may_read_full(session, actor, subject, today=today):
        found = assess(session, subject, catalog=catalog, today=today)
        if found is None:
            return out | {"evaluation": None, "reason": NO_MODEL}
        ev, facts = found
        basis = consent.authorise(
            session, actor, subject, consent.Scope.EVALUATION, purpose=PURPOSE, today=today
        )
        audit.log_query(
            session,
            actor,
            subject.id,
            purpose=basis.purpose,
            surface=surface,
            basis=basis.kind,
            consent_id=basis.consent_id,
        )
        offers = suggestions(session, subject, loaded, facts, ev, catalog=catalog, today=today)
        return out | {
            "access": "full",
            "evaluation": public_part(ev) | ev.as_dict(),
            "what_would_change": [s.as_dict() for s in offers],
            "supervision": supervision_by_sector(ev, rules, graded),  # not public (§10.3)
            "sector_grades": sector_grade_items(graded, rules, public_only=False),
        }
    if actor.role == Role.BANK:
        # A financial institution asks as a lender (信易贷): only with the subject's consent; the
        # public grade stays on the public subject page like for anyone (rules.md §8.2).
        raise consent.NoBasis(
            "金融机构查询企业信用评价须取得该企业对“信用评价详情”的有效授权",
            code="consent.no_basis",
        )
    public_grades = sector_grade_items(graded, rules, public_only=True)
    if not loaded.model.public:
        return out | {
            "evaluation": None,
            "reason": "该评价模型的结果不向社会公开",
            "sector_grades": public_grades,
        }
    # the public part: the stored grade while it is current (issue 17, `shown`), not every record
    chosen = shown.public_grade(session, subject, loaded, catalog=catalog, today=today)
    if chosen.evaluation is None:
        return out | {"evaluation": None, "reason": shown.UPDATING, "updating": True,
                      "sector_grades": public_grades}  # fmt: skip
    part = public_part(chosen.evaluation) | {"source": chosen.source}
    if not chosen.records_known:
        part["explanation"] = shown.explanation_lines(chosen)
        part["indicators"] = [i | {"records": None} for i in part["indicators"]]
    return out | {"evaluation": part, "sector_grades": public_grades}


def sector_grade_items(
    graded: Mapping[str, sector_grades.SectorGrade],
    rules: supervision.SupervisionRules,
    *,
    public_only: bool,
) -> list[dict[str, Any]]:
    """The sector grades in force, beside ours; for the public only those the grading authority
    itself publishes (`public_grades` of the system in catalogs/supervision.yaml)."""
    out = []
    for g in graded.values():
        system = rules.system(g.system)
        public = system is not None and g.grade in system.public_grades
        if public_only and not public:
            continue
        out.append(
            g.as_dict()
            | {
                "supervision_class": system.map.get(g.grade) if system else None,
                "public_basis": system.public_basis if system and public else None,
            }
        )
    return out


def supervision_by_sector(
    ev: Evaluation,
    rules: supervision.SupervisionRules,
    graded: Mapping[str, sector_grades.SectorGrade] | None = None,
) -> list[dict[str, Any]]:
    """The supervision class in every sector (our grade, combined with a sector grade where the
    sector's rule says so), with ratio, frequency and what decided it."""
    row = supervision.GradeRow(ev.grade, ev.model_id, ev.model_version, ev.as_of, ev.score)
    out = []
    for sector in rules.sectors:
        g = supervision.grading(row, rules, sector=sector.id, sector_grades=graded)
        assert g is not None  # our grade always gives a class
        read = g.decision.sector_grade
        out.append(
            {
                "sector": sector.id,
                "sector_title": sector.title,
                "supervision_class": g.supervision_class,
                "title": g.supervision_title,
                "inspection_ratio": g.ratio,
                "frequency": g.frequency,
                "decided_by": g.decision.decided_by,
                "sector_grade": read.as_dict() if read else None,
                "rule": sector.sector_grade.basis if sector.sector_grade else None,
            }
        )
    return out
