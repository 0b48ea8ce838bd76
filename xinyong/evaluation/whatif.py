"""What would change my grade: the actions open to the subject today, each with the grade it
would give, computed by the same model (`scoring.score`) on facts changed as the action would.

- repair of a record that is eligible today — asked of the repair module
  (`repair.check_eligibility`), never re-derived here;
- a credit commitment (a self-service template), when the model counts commitments;
- a voluntary registration, once verified, when the model counts them;
- the date a record or list entry stops counting (its disclosure period or validity, from the
  disclosure and lists modules, or a window of the model), when the grade changes that day.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from xinyong import archive, commitments, repair
from xinyong.catalog import Catalog
from xinyong.clock import add_months
from xinyong.db.tables import Subject
from xinyong.evaluation.models import LoadedModel
from xinyong.evaluation.scoring import Evaluation, Fact, counts, score, window_months, without

MAX_DATES = 3
HORIZON_DAYS = 5 * 366


@dataclass(frozen=True, slots=True)
class Suggestion:
    kind: str  # repair | commitment | registration | date
    title: str
    detail: str
    grade: str
    score: float
    ref: str | None = None  # the record behind a repair or a date
    on: date | None = None  # the date, for kind "date"
    template_id: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "title": self.title,
            "detail": self.detail,
            "grade": self.grade,
            "score": self.score,
            "ref": self.ref,
            "on": self.on.isoformat() if self.on else None,
            "template_id": self.template_id,
        }


def reads(loaded: LoadedModel, key: str) -> bool:
    return any(i.source.key == key for _d, i in loaded.model.indicators)


def suggestions(
    session: Session,
    subject: Subject,
    loaded: LoadedModel,
    facts: Sequence[Fact],
    current: Evaluation,
    *,
    catalog: Catalog,
    today: date,
) -> list[Suggestion]:
    model, version = loaded.model, loaded.version
    out: list[Suggestion] = []
    negative = {r for i in current.indicators if i.points < 0 for r in i.refs}
    for fact in facts:
        if fact.ref not in negative or not fact.ref.startswith("record:"):
            continue
        record = archive.get(session, int(fact.ref.split(":")[1]))
        if not repair.check_eligibility(session, record, catalog=catalog, today=today).eligible:
            continue
        ev = score(model, version, without(facts, fact.ref), today)
        out.append(
            Suggestion(
                "repair",
                f"申请信用修复：{fact.label}",
                "该记录现已符合信用修复条件；修复后不再计入评价。",
                ev.grade,
                ev.score,
                ref=fact.ref,
            )
        )
    templates = commitments.templates(catalog, self_service=True)
    if templates and reads(loaded, "workflow:commitment_in_force"):
        new = Fact(frozenset({"workflow:commitment_in_force"}), "new:commitment", today)
        ev = score(model, version, [*facts, new], today)
        out.append(
            Suggestion(
                "commitment",
                f"作出信用承诺：{templates[0].title}",
                "在线签署信用承诺并如实履行；违背承诺将被记录并扣分。",
                ev.grade,
                ev.score,
                template_id=templates[0].id,
            )
        )
    if reads(loaded, "workflow:registration_verified"):
        new = Fact(frozenset({"workflow:registration_verified"}), "new:registration", today)
        ev = score(model, version, [*facts, new], today)
        out.append(
            Suggestion(
                "registration",
                "提交自愿注册信息（经核实后计入）",
                "如实提交合同履约、公益活动、资质证书等信息，经核实后计入评价。",
                ev.grade,
                ev.score,
            )
        )
    out += _dates(loaded, facts, current, today)
    return out


def stop_dates(loaded: LoadedModel, facts: Sequence[Fact], today: date) -> list[tuple[date, str]]:
    """Days on which a counted fact stops counting or leaves a window of the model."""
    found: set[tuple[date, str]] = set()
    months = window_months(loaded.model)
    for f in facts:
        if not counts(f, loaded.model, today):
            continue
        if f.until is not None:
            found.add((f.until + timedelta(days=1), f.ref))
        if f.on is not None:
            found |= {(d, f.ref) for m in months if (d := add_months(f.on, m)) > today}
    return sorted(d for d in found if d[0] <= today + timedelta(days=HORIZON_DAYS))


def _dates(
    loaded: LoadedModel, facts: Sequence[Fact], current: Evaluation, today: date
) -> list[Suggestion]:
    out: list[Suggestion] = []
    grade = current.grade
    labels = {f.ref: f.label for f in facts}
    for day, ref in stop_dates(loaded, facts, today):
        ev = score(loaded.model, loaded.version, facts, day)
        if ev.grade != grade:
            better = [g.grade for g in loaded.model.grades].index(ev.grade) < [
                g.grade for g in loaded.model.grades
            ].index(grade)
            word = "升为" if better else "变为"
            out.append(
                Suggestion(
                    "date",
                    f"{day.isoformat()} 起等级{word} {ev.grade}",
                    f"{labels.get(ref, ref)} 自该日起不再计入（公示期或有效期届满）。",
                    ev.grade,
                    ev.score,
                    ref=ref,
                    on=day,
                )
            )
            grade = ev.grade
            if len(out) >= MAX_DATES:
                break
    return out
