"""Pydantic models of an evaluation model file (`catalogs/evaluation/<id>.yaml`).

A model is data: the subject kinds it grades, a tree of dimensions → indicators (each reading one
catalogued source with one rule), grade bands, overrides and settings. Unknown keys are errors, as
in every catalog file; checks against the rest of the catalog (is the source catalogued credit
information?) live in `models.py`.
"""

from __future__ import annotations

from typing import Annotated, Literal

import pydantic
from pydantic import model_validator

from xinyong.catalog.schema import Identifier, LegalBasis, Model, NonEmpty
from xinyong.enums import ListKind, Severity, SubjectKind

# Facts the platform's own workflows produce about a subject (not records of an info class).
WORKFLOW_FACTS: dict[str, str] = {
    "commitment_in_force": "已作出且未违背的信用承诺",
    "commitment_kept": "经核查已履行的信用承诺",
    "commitment_verified": "已核查履行情况的信用承诺",
    "registration_verified": "经核实的自愿注册信息",
}
WorkflowFact = Literal[
    "commitment_in_force", "commitment_kept", "commitment_verified", "registration_verified"
]
RuleType = Literal["presence", "count", "threshold", "interval", "ratio", "recency"]
Grade = Annotated[str, pydantic.Field(pattern=r"^[A-Z]$")]


class Source(Model):
    """Exactly one catalogued source: an info class (kind record), a list type, a list kind, or a
    workflow fact. `severity` narrows penalties; `field` is the numeric field a threshold reads."""

    info_class: Identifier | None = None
    list_type: Identifier | None = None
    list_kind: ListKind | None = None
    workflow: WorkflowFact | None = None
    severity: list[Severity] = pydantic.Field(default_factory=list)
    field: Identifier | None = None

    @model_validator(mode="after")
    def _one(self) -> Source:
        named = [
            k for k in ("info_class", "list_type", "list_kind", "workflow") if getattr(self, k)
        ]
        if len(named) != 1:
            raise ValueError("source 须且只能写 info_class、list_type、list_kind、workflow 之一")
        if (self.severity or self.field) and self.info_class is None:
            raise ValueError("severity 与 field 只适用于 info_class 来源")
        return self

    @property
    def key(self) -> str:
        """The fact key this source matches (`Fact.keys`)."""
        if self.info_class:
            return f"info_class:{self.info_class}"
        if self.list_type:
            return f"list_type:{self.list_type}"
        if self.list_kind:
            return f"list_kind:{self.list_kind.value}"
        return f"workflow:{self.workflow}"


class Band(Model):
    """An interval rule's band: `min` ≤ value (< `max` when given) → `points`."""

    min: float
    max: float | None = None
    points: float


class AgeWeight(Model):
    """A recency rule's weight for facts at most `within_months` old (first match wins)."""

    within_months: Annotated[int, pydantic.Field(gt=0)]
    weight: Annotated[float, pydantic.Field(ge=0, le=1)]


class Rule(Model):
    type: RuleType
    window_months: Annotated[int, pydantic.Field(gt=0)] | None = None  # only facts this recent
    at_least: float | None = None  # threshold: the value (count, or the field's sum) to reach
    bands: list[Band] = pydantic.Field(default_factory=list)  # interval
    of: Source | None = None  # ratio: the denominator's source (the indicator's source / this)
    weights: list[AgeWeight] = pydantic.Field(default_factory=list)  # recency

    @model_validator(mode="after")
    def _complete(self) -> Rule:
        needs = {
            "threshold": self.at_least is not None,
            "interval": bool(self.bands),
            "ratio": self.of is not None,
            "recency": bool(self.weights),
        }
        if not needs.get(self.type, True):
            what = {
                "threshold": "at_least",
                "interval": "bands",
                "ratio": "of",
                "recency": "weights",
            }[self.type]
            raise ValueError(f"规则类型 {self.type} 须写 {what}")
        return self


class Indicator(Model):
    id: Identifier
    title: NonEmpty
    source: Source
    rule: Rule
    points: Annotated[float, pydantic.Field(ge=0)]  # per fact (count, recency) or per rule hit
    direction: Literal["plus", "minus"]
    cap: Annotated[float, pydantic.Field(gt=0)] | None = None  # most points this indicator gives
    provenance: NonEmpty  # where the indicator comes from (a standard, a local rule)
    weight_basis: NonEmpty  # where the points come from ("本平台设定" when ours)
    public_text: NonEmpty | None = None  # plain Chinese for the public explanation


class Dimension(Model):
    id: Identifier
    title: NonEmpty
    cap: Annotated[float, pydantic.Field(gt=0)] | None = None  # most points, either direction
    indicators: Annotated[list[Indicator], pydantic.Field(min_length=1)]


class GradeBand(Model):
    grade: Grade
    title: NonEmpty  # 优 / 良 / 中 / 差
    min_score: float


class OverrideWhen(Model):
    list_kind: list[ListKind] = pydantic.Field(default_factory=list)
    list_type: list[Identifier] = pydantic.Field(default_factory=list)

    @model_validator(mode="after")
    def _some(self) -> OverrideWhen:
        if not (self.list_kind or self.list_type):
            raise ValueError("when 须写 list_kind 或 list_type")
        return self


class Override(Model):
    id: Identifier
    when: OverrideWhen
    max_grade: Grade
    reason: NonEmpty
    basis_note: (
        NonEmpty  # whose rule this is (UNCERTAIN: no national text states it, rules.md §10.2)
    )


class Settings(Model):
    # Repaired records and records whose disclosure period has ended never count (令36号 §1.3):
    # these are not settings. Only this is (rules.md §5: minor records never published).
    count_unpublished_minor: bool = False


class EvaluationModel(Model):
    id: Identifier
    title: NonEmpty
    version: NonEmpty
    subject_kinds: Annotated[list[SubjectKind], pydantic.Field(min_length=1)]
    public: bool  # whether grades and explanations are shown to everyone
    legal_basis: list[LegalBasis] = pydantic.Field(default_factory=list)
    base_score: float
    min_score: float = 0
    max_score: float = 100
    dimensions: Annotated[list[Dimension], pydantic.Field(min_length=1)]
    grades: Annotated[list[GradeBand], pydantic.Field(min_length=2)]
    overrides: list[Override] = pydantic.Field(default_factory=list)
    settings: Settings = Settings()
    note: str | None = None

    @model_validator(mode="after")
    def _bands(self) -> EvaluationModel:
        cuts = [g.min_score for g in self.grades]
        if cuts != sorted(cuts, reverse=True) or len(set(cuts)) != len(cuts):
            raise ValueError("grades 须按 min_score 从高到低排列且不重复")
        if cuts[-1] > self.min_score:
            raise ValueError("最低一档的 min_score 须不高于 min_score（每个分数都有等级）")
        grades = [g.grade for g in self.grades]
        if len(set(grades)) != len(grades):
            raise ValueError("等级符号重复")
        for o in self.overrides:
            if o.max_grade not in grades:
                raise ValueError(f"override {o.id} 的 max_grade {o.max_grade} 不在 grades 中")
        ids = [i.id for d in self.dimensions for i in d.indicators]
        if len(set(ids)) != len(ids):
            raise ValueError("指标 id 重复")
        return self

    @property
    def indicators(self) -> list[tuple[Dimension, Indicator]]:
        return [(d, i) for d in self.dimensions for i in d.indicators]

    def band(self, grade: str) -> GradeBand:
        return next(g for g in self.grades if g.grade == grade)
