"""Pydantic models of list types, measures and matters.

Cross-file rules (a measure's target list exists, 过惩相当 between a measure's class and the list's
cap, class-1 measures cite a law and an article) are checked in `catalog/crossref.py`.
"""

from __future__ import annotations

from typing import Annotated, Literal

import pydantic
from pydantic import field_validator, model_validator

from xinyong.catalog.schema import Identifier, LegalBasis, Model, NonEmpty
from xinyong.enums import ListKind

MeasureClass = Literal[1, 2, 3]
# The steps `enums.ListStep` implements. 听证 (hearing) is not one (ADR 0018 §4): it is a right
# of the penalty procedure (行政处罚法 第六十三至六十五条) a serious-list decision is made with.
StepId = Literal["prior_notice", "statement", "approval", "publicity", "decision", "publication"]
NOT_LIST_STEPS = {
    "hearing": (
        "听证（hearing）不是名单认定程序的步骤：听证是行政处罚程序中当事人的权利（行政处罚法"
        "第六十三至六十五条，告知后五日内提出），在与列入决定一并作出的行政处罚决定程序中进行，"
        "平台的名单认定程序无法办理；请在 prior_notice 的 title 中写明告知陈述申辩、听证权利，"
        "陈述申辩使用 statement 步骤（domain rules §6.2、§6.5）"
    ),
}


class ProcedureStep(Model):
    """One due-process step, with the period that must pass (or may not be exceeded)."""

    step: StepId
    title: NonEmpty
    period_working_days: Annotated[int, pydantic.Field(ge=0)] | None = None
    note: str | None = None

    @field_validator("step", mode="before")
    @classmethod
    def _a_list_step(cls, value: object) -> object:
        """A step the list procedure cannot run is refused with the reason, not a bare list."""
        if isinstance(value, str) and value in NOT_LIST_STEPS:
            raise ValueError(NOT_LIST_STEPS[value])
        return value


class ListValidity(Model):
    """How long an entry stays on the list: a number of months, or until removed."""

    months: Annotated[int, pydantic.Field(gt=0)] | None = None
    until_removed: bool = False
    extension_months_max: Annotated[int, pydantic.Field(gt=0)] | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _one_form(self) -> ListValidity:
        if (self.months is None) == (not self.until_removed):
            raise ValueError("validity 须且只能写 months 或 until_removed: true 之一")
        return self


class EarlyExit(Model):
    allowed: bool
    after_months: Annotated[int, pydantic.Field(ge=0)] | None = None
    conditions: list[NonEmpty] = pydantic.Field(default_factory=list)

    @model_validator(mode="after")
    def _conditions(self) -> EarlyExit:
        if self.allowed and not self.conditions:
            raise ValueError("允许提前移出时须列明 conditions")
        return self


class ListType(Model):
    """A kind of list (严重失信主体名单, 重点关注名单, 红名单, or one imported from elsewhere)."""

    id: Identifier
    title: NonEmpty
    version: NonEmpty
    kind: ListKind
    domain: NonEmpty
    legal_basis: Annotated[list[LegalBasis], pydantic.Field(min_length=1)]
    deciding_authority: NonEmpty
    entry_criteria: Annotated[list[NonEmpty], pydantic.Field(min_length=1)]
    procedure: list[ProcedureStep] = pydantic.Field(default_factory=list)
    validity: ListValidity
    exit_conditions: Annotated[list[NonEmpty], pydantic.Field(min_length=1)]
    early_exit: EarlyExit
    max_measure_class: MeasureClass
    info_class: Identifier | None = None  # the info class that carries imported entries
    # the entries in force are published on the portal's /lists pages (公开); watch lists are
    # shared within government only
    public: bool = False
    note: str | None = None

    @model_validator(mode="after")
    def _due_process(self) -> ListType:
        steps = [s.step for s in self.procedure]
        if self.kind == ListKind.IMPORTED:
            if self.info_class is None:
                raise ValueError("外部导入的名单须指定承载其数据的 info_class")
            return self
        if "decision" not in steps:
            raise ValueError("本地认定的名单，procedure 须包含 decision（认定决定）步骤")
        if self.kind in (ListKind.SERIOUS, ListKind.WATCH):
            for required in ("prior_notice", "statement"):
                if required not in steps or steps.index(required) > steps.index("decision"):
                    raise ValueError(
                        f"失信类名单须在 decision 之前有 {required} 步骤（事前告知、陈述申辩）"
                    )
        if self.kind == ListKind.WATCH and self.max_measure_class < 2:  # noqa: PLR2004
            raise ValueError("重点关注名单只能适用第二、三类措施（max_measure_class 不得小于 2）")
        return self


class Measure(Model):
    """One entry of a 失信惩戒措施清单 or a 守信激励措施 list."""

    id: Identifier
    content: NonEmpty
    measure_class: MeasureClass
    kind: Literal["punishment", "incentive"]
    target_list_types: Annotated[list[Identifier], pydantic.Field(min_length=1)]
    matters: Annotated[list[Identifier], pydantic.Field(min_length=1)]
    implementer: NonEmpty
    legal_basis: list[LegalBasis] = pydantic.Field(default_factory=list)
    mandatory: bool
    source: NonEmpty
    note: str | None = None


class MeasureGroup(Model):
    """catalogs/measures/<group>.yaml: measures from one source (a national list, a local list)."""

    id: Identifier
    title: NonEmpty
    version: NonEmpty
    measures: Annotated[list[Measure], pydantic.Field(min_length=1)]


class Matter(Model):
    """核查事项: the business a joint check is made for."""

    id: Identifier
    title: NonEmpty
    note: str | None = None


class Matters(Model):
    """catalogs/matters.yaml."""

    id: Identifier
    title: NonEmpty
    version: NonEmpty
    matters: Annotated[list[Matter], pydantic.Field(min_length=1)]

    @model_validator(mode="after")
    def _unique(self) -> Matters:
        ids = [m.id for m in self.matters]
        if len(set(ids)) != len(ids):
            raise ValueError("matters 中有重复的 id")
        return self
