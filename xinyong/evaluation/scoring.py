"""Pure scoring: facts → indicator values → score → grade, with the explanation.

No database, no clock: a model, the subject's facts and the as-of date in, an `Evaluation` out.
Both engines (embedded and Spark) and the "what would change my grade" suggestions call `score`,
so a grade can never depend on which of them computed it.

A fact counts on `as_of` when: it has happened (`on` ≤ as_of), it is still within the period it
counts (`until`: the disclosure engine's last day, or a list entry's last day in force), it is not
repaired or withdrawn, and — for minor records that were never published — only when the model
says so (`settings.count_unpublished_minor`, off by default).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from xinyong.clock import add_months
from xinyong.enums import RecordStatus, Severity
from xinyong.evaluation.schema import (
    Dimension,
    EvaluationModel,
    Indicator,
    Override,
    Rule,
    Source,
)

PLACES = 4  # points are rounded so that engines summing in another order agree exactly


@dataclass(frozen=True, slots=True)
class Fact:
    """One thing the evaluation may read about a subject, whatever its source.

    `keys` are the sources it matches (`info_class:penalty`; a list entry matches both
    `list_type:<id>` and `list_kind:<kind>`), `ref` names the row behind it (`record:12`,
    `list_entry:3`, `commitment:5`, `registration:7`)."""

    keys: frozenset[str]
    ref: str
    on: date | None
    until: date | None = None  # last day it counts; None: until something else ends it
    status: str = RecordStatus.ACTIVE.value
    severity: str | None = None
    published: bool = True
    numbers: tuple[tuple[str, float], ...] = ()  # numeric fields of a record (fine_amount …)
    label: str = ""

    def number(self, name: str) -> float:
        return next((v for k, v in self.numbers if k == name), 0.0)

    def as_row(self) -> dict[str, Any]:
        return {
            "keys": sorted(self.keys),
            "ref": self.ref,
            "on": self.on,
            "until": self.until,
            "status": self.status,
            "severity": self.severity,
            "published": self.published,
            "numbers": [list(n) for n in self.numbers],
            "label": self.label,
        }


@dataclass(frozen=True, slots=True)
class IndicatorResult:
    id: str
    title: str
    dimension: str
    dimension_title: str
    direction: str
    value: float
    points: float  # signed, after the indicator's cap (before the dimension's)
    refs: tuple[str, ...]
    public_text: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "dimension": self.dimension,
            "dimension_title": self.dimension_title,
            "direction": self.direction,
            "value": self.value,
            "points": self.points,
            "refs": list(self.refs),
            "public_text": self.public_text,
        }


@dataclass(frozen=True, slots=True)
class Evaluation:
    model_id: str
    model_title: str
    model_version: str
    public: bool
    as_of: date
    score: float
    grade: str
    grade_title: str
    indicators: tuple[IndicatorResult, ...]
    dimension_points: tuple[tuple[str, float], ...]  # after dimension caps
    overrides: tuple[str, ...] = ()  # reasons of the overrides that capped the grade
    base_score: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "model": self.model_id,
            "model_title": self.model_title,
            "version": self.model_version,
            "public": self.public,
            "as_of": self.as_of.isoformat(),
            "score": self.score,
            "base_score": self.base_score,
            "grade": self.grade,
            "grade_title": self.grade_title,
            "dimensions": [{"id": d, "points": p} for d, p in self.dimension_points],
            "indicators": [i.as_dict() for i in self.indicators],
            "overrides": list(self.overrides),
        }

    def compact(self) -> dict[str, Any]:
        """What a whole run stores per subject: `as_dict` without titles and record ids, and only
        the indicators that gave points (the full explanation is computed on demand: `assess`)."""
        return {
            "model": self.model_id,
            "version": self.model_version,
            "public": self.public,
            "as_of": self.as_of.isoformat(),
            "score": self.score,
            "base_score": self.base_score,
            "grade": self.grade,
            "grade_title": self.grade_title,
            "dimensions": [{"id": d, "points": p} for d, p in self.dimension_points],
            "indicators": [
                {"id": i.id, "value": i.value, "points": i.points}
                for i in self.indicators
                if i.points
            ],
            "overrides": list(self.overrides),
        }

    def explanation(self, *, with_counts: bool = True) -> list[str]:
        """Plain Chinese, one line per indicator that gave points; `with_counts=False` leaves out
        "依据 N 条记录" (a run's stored result keeps no record ids)."""
        lines = [f"基准分 {_num(self.base_score)} 分。"]
        for i in self.indicators:
            if i.points:
                sign = "加" if i.points > 0 else "扣"
                basis = f"（依据 {len(i.refs)} 条记录）" if with_counts else ""
                lines.append(
                    f"{i.dimension_title}·{i.title}：{sign} {_num(abs(i.points))} 分{basis}。"
                )
        lines.append(f"综合得分 {_num(self.score)} 分，等级 {self.grade}（{self.grade_title}）。")
        lines += [f"等级上限：{r}。" for r in self.overrides]
        return lines


def _num(value: float) -> str:
    return f"{value:g}"


# ---- counting -------------------------------------------------------------------------------


def counts(fact: Fact, model: EvaluationModel, as_of: date) -> bool:
    """Whether the fact counts at all on `as_of` (see the module docstring)."""
    if fact.status != RecordStatus.ACTIVE.value:
        return False  # repaired or withdrawn records never count
    if fact.on is not None and fact.on > as_of:
        return False
    if fact.until is not None and as_of > fact.until:
        return False  # its disclosure period (or list validity) has ended
    minor = fact.severity == Severity.MINOR.value
    return not (minor and not fact.published and not model.settings.count_unpublished_minor)


def matches(source: Source, fact: Fact) -> bool:
    if source.key not in fact.keys:
        return False
    return not source.severity or fact.severity in {s.value for s in source.severity}


def _in_window(fact: Fact, months: int | None, as_of: date) -> bool:
    return months is None or fact.on is None or as_of < add_months(fact.on, months)


def _weight(rule: Rule, fact: Fact, as_of: date) -> float:
    for w in rule.weights:
        if _in_window(fact, w.within_months, as_of):
            return w.weight
    return 0.0


def selected(
    source: Source, rule: Rule, facts: Iterable[Fact], model: EvaluationModel, as_of: date
) -> list[Fact]:
    return [
        f
        for f in facts
        if matches(source, f)
        and counts(f, model, as_of)
        and _in_window(f, rule.window_months, as_of)
    ]


def indicator_value(
    ind: Indicator, facts: Sequence[Fact], model: EvaluationModel, as_of: date
) -> tuple[float, float, tuple[str, ...]]:
    """(value, unsigned points before the indicator's cap, refs) of one indicator."""
    rule = ind.rule
    chosen = selected(ind.source, rule, facts, model, as_of)
    refs = tuple(sorted(f.ref for f in chosen))
    n = len(chosen)
    amount = float(sum(f.number(ind.source.field) for f in chosen)) if ind.source.field else n
    weight = sum(_weight(rule, f, as_of) for f in chosen) if rule.type == "recency" else 0.0
    of = len(selected(rule.of, rule, facts, model, as_of)) if rule.of is not None else 0
    value, points = rule_points(ind, Tally(n, float(amount), of, weight))
    return value, points, refs


@dataclass(frozen=True, slots=True)
class Tally:
    """What an indicator's rule reads from the facts it selected: how many (`n`), the sum of the
    source's field (`amount`; `n` without a field), the ratio's denominator count (`of`) and the
    recency weights' sum (`weight`). The vectorised plan computes these for every subject at once
    (`plan.py`); `rule_points` turns them into value and points for both."""

    n: int
    amount: float
    of: int = 0
    weight: float = 0.0


def rule_points(ind: Indicator, tally: Tally) -> tuple[float, float]:
    """(value, unsigned points before the indicator's cap) of one indicator from its tally."""
    rule, n, amount = ind.rule, tally.n, tally.amount
    if rule.type == "presence":
        return (1.0 if n else 0.0), (ind.points if n else 0.0)
    if rule.type == "count":
        return float(n), ind.points * n
    if rule.type == "threshold":
        reached = rule.at_least is not None and n and amount >= rule.at_least
        return amount, (ind.points if reached else 0.0)
    if rule.type == "interval":
        band = next(
            (b for b in rule.bands if amount >= b.min and (b.max is None or amount < b.max)), None
        )
        return amount, (band.points if band else 0.0)
    if rule.type == "ratio":
        assert rule.of is not None  # the schema requires it
        ratio = round(n / tally.of, PLACES) if tally.of else 0.0
        return ratio, ind.points * ratio
    weight = round(tally.weight, PLACES)  # recency
    return weight, ind.points * weight


def score(model: EvaluationModel, version: str, facts: Sequence[Fact], as_of: date) -> Evaluation:
    """The evaluation of one subject on `as_of`."""
    values = [indicator_value(ind, facts, model, as_of) for _d, ind in model.indicators]
    hits = [override_hit(o, facts, model, as_of) for o in model.overrides]
    return assemble(model, version, as_of, values, hits)


def assemble(
    model: EvaluationModel,
    version: str,
    as_of: date,
    values: Sequence[tuple[float, float, tuple[str, ...]]],
    hits: Sequence[bool],
) -> Evaluation:
    """Caps, dimension caps, the score's bounds, the grade band and the overrides: from each
    indicator's (value, unsigned points, refs) in `model.indicators` order and whether each
    override's condition holds. `score` and the vectorised plan both end here."""
    results: list[IndicatorResult] = []
    dims: list[tuple[str, float]] = []
    pending = iter(values)
    for dim in model.dimensions:
        signed_points = []
        for ind in dim.indicators:
            value, points, refs = next(pending)
            signed = signed_points_of(ind, points)
            signed_points.append(signed)
            results.append(
                IndicatorResult(
                    ind.id,
                    ind.title,
                    dim.id,
                    dim.title,
                    ind.direction,
                    value,
                    signed,
                    refs,
                    ind.public_text,
                )
            )
        dims.append((dim.id, dimension_points(dim, signed_points)))
    final, grade, reasons = graded(model, [p for _d, p in dims], hits)
    return Evaluation(
        model_id=model.id,
        model_title=model.title,
        model_version=version,
        public=model.public,
        as_of=as_of,
        score=final,
        grade=grade,
        grade_title=model.band(grade).title,
        indicators=tuple(results),
        dimension_points=tuple(dims),
        overrides=reasons,
        base_score=model.base_score,
    )


def signed_points_of(ind: Indicator, points: float) -> float:
    """An indicator's points after its cap, signed by its direction."""
    if ind.cap is not None:
        points = min(points, ind.cap)
    return round(points if ind.direction == "plus" else -points, PLACES)


def dimension_points(dim: Dimension, signed_points: Sequence[float]) -> float:
    """A dimension's points: its indicators' signed points summed in order, within its cap."""
    total = 0.0
    for signed in signed_points:
        total += signed
    if dim.cap is not None:
        total = max(-dim.cap, min(dim.cap, total))
    return round(total, PLACES)


def graded(
    model: EvaluationModel, dims: Sequence[float], hits: Sequence[bool]
) -> tuple[float, str, tuple[str, ...]]:
    """(score, grade, override reasons) from the dimensions' points and the overrides' hits."""
    raw = model.base_score + sum(dims)
    final = round(max(model.min_score, min(model.max_score, raw)), 2)
    band = next(g for g in model.grades if final >= g.min_score)
    grade, reasons = _overridden(model, band.grade, hits)
    return final, grade, reasons


def override_keys(o: Override) -> set[str]:
    """The fact keys whose presence (counting on the as-of date) caps the grade."""
    return {f"list_kind:{k.value}" for k in o.when.list_kind} | {
        f"list_type:{t}" for t in o.when.list_type
    }


def override_hit(o: Override, facts: Sequence[Fact], model: EvaluationModel, as_of: date) -> bool:
    keys = override_keys(o)
    return any(f.keys & keys and counts(f, model, as_of) for f in facts)


def _overridden(
    model: EvaluationModel, grade: str, hits: Sequence[bool]
) -> tuple[str, tuple[str, ...]]:
    order = [g.grade for g in model.grades]
    reasons = []
    for o, hit in zip(model.overrides, hits, strict=True):
        if hit:
            if order.index(o.max_grade) > order.index(grade):
                grade = o.max_grade
            reasons.append(o.reason)
    return grade, tuple(reasons)


def without(facts: Sequence[Fact], ref: str) -> list[Fact]:
    """The facts as they would be once the record `ref` is repaired."""
    return [replace(f, status=RecordStatus.REPAIRED.value) if f.ref == ref else f for f in facts]


def window_months(model: EvaluationModel) -> set[int]:
    """Every window and recency horizon of the model (a fact may stop counting at each)."""
    months = {i.rule.window_months for _d, i in model.indicators if i.rule.window_months}
    months |= {w.within_months for _d, i in model.indicators for w in i.rule.weights}
    return {m for m in months if m}
