"""Pydantic models of the workflow files: time limits, repair conditions, commitment templates.

`catalogs/workflows/repair.yaml`, `objections.yaml`, `commitment_templates.yaml` and
`registrations.yaml`. The numbers
are catalog data so that a credit office can override them per region (rules.md §1.5, §7.1, §9:
several national figures are UNCERTAIN). The workflows (`repair/`, `objections.py`,
`commitments/`) evaluate them; this module only says what a well-formed file looks like.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

import pydantic
from pydantic import model_validator

from xinyong.catalog.schema import Identifier, LegalBasis, Model, NonEmpty
from xinyong.enums import Severity

# 承诺类型 of the national commitment template (rules.md §7.2, LIKELY).
CommitmentKind = Literal[
    "审批替代型", "容缺受理型", "证明事项型", "信用修复型", "行业自律型", "主动型", "其他"
]
# 公开类型 of the national commitment template (rules.md §7.2); labels of code table `publicity`.
PublicationType = Literal["可向社会公开", "特定范围内公开", "不可公开"]
MaterialType = Literal["pdf", "png", "jpeg"]
REPAIR_COMMITMENT_KIND = "信用修复型"


class TimeLimit(Model):
    """A limit in working days (工作日), counted from the day after the triggering event."""

    working_days: Annotated[int, pydantic.Field(ge=0)]
    legal_basis: list[LegalBasis] = pydantic.Field(default_factory=list)
    note: str | None = None
    # The figure is not confirmed from the national text (a research finding marked UNCERTAIN):
    # public pages state it with "以认定单位告知为准" rather than as certain.
    uncertain: bool = False


class RepeatLimit(Model):
    """令36号 bars repeat offenders for N years (rules.md §1.6, §9 item 2: N UNCERTAIN).

    Off by default; a region that knows its number sets `enabled: true` and the figures.
    """

    enabled: bool = False
    years: Annotated[int, pydantic.Field(gt=0)] | None = None
    max_repairs: Annotated[int, pydantic.Field(gt=0)] | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _numbers_when_enabled(self) -> RepeatLimit:
        if self.enabled and (self.years is None or self.max_repairs is None):
            raise ValueError("启用重复修复限制时须写明 years 与 max_repairs")
        return self


class Material(Model):
    """A kind of material a repair application carries."""

    id: Identifier
    title: NonEmpty
    required: bool = False  # for every application
    required_for: list[Severity] = pydantic.Field(default_factory=list)  # only for these classes
    note: str | None = None


class RepairRules(Model):
    """catalogs/workflows/repair.yaml."""

    id: Literal["repair"]
    title: NonEmpty
    version: NonEmpty
    legal_basis: Annotated[list[LegalBasis], pydantic.Field(min_length=1)]
    acceptance: TimeLimit
    decision: TimeLimit
    decision_extension: TimeLimit
    repeat_limit: RepeatLimit = RepeatLimit()
    materials: Annotated[list[Material], pydantic.Field(min_length=1)]
    max_upload_bytes: Annotated[int, pydantic.Field(gt=0)]
    upload_types: Annotated[list[MaterialType], pydantic.Field(min_length=1)]
    commitment_template: Identifier  # the 信用修复型 template signed with every application

    @model_validator(mode="after")
    def _unique_materials(self) -> RepairRules:
        ids = [m.id for m in self.materials]
        if len(set(ids)) != len(ids):
            raise ValueError("materials 中有重复的 id")
        return self

    def material(self, material_id: str) -> Material | None:
        return next((m for m in self.materials if m.id == material_id), None)


class ObjectionRules(Model):
    """catalogs/workflows/objections.yaml."""

    id: Literal["objections"]
    title: NonEmpty
    version: NonEmpty
    legal_basis: Annotated[list[LegalBasis], pydantic.Field(min_length=1)]
    marking: TimeLimit  # 0 = marked 异议处理中 at once
    answer: TimeLimit


class CommitmentTemplate(Model):
    """One commitment a subject may sign (告知承诺 item, industry commitment, repair commitment)."""

    id: Identifier
    title: NonEmpty
    kind: CommitmentKind
    matter: Identifier | None = None  # 核查事项 (catalogs/matters.yaml) it serves, if any
    reason: NonEmpty  # 承诺事由
    content: NonEmpty  # 承诺内容
    liability: NonEmpty  # 违诺责任
    breach_consequence: NonEmpty  # 违诺责任追究内容 written on the dishonesty record
    publication: PublicationType
    validity_months: Annotated[int, pydantic.Field(gt=0)] | None = None
    self_service: bool = True  # offered on the enterprise pages (false: signed inside a workflow)
    legal_basis: Annotated[list[LegalBasis], pydantic.Field(min_length=1)]


class CommitmentTemplates(Model):
    """catalogs/workflows/commitment_templates.yaml."""

    id: Literal["commitment_templates"]
    title: NonEmpty
    version: NonEmpty
    templates: Annotated[list[CommitmentTemplate], pydantic.Field(min_length=1)]

    @model_validator(mode="after")
    def _unique(self) -> CommitmentTemplates:
        ids = [t.id for t in self.templates]
        if len(set(ids)) != len(ids):
            raise ValueError("templates 中有重复的 id")
        return self


class RegistrationKind(Model):
    """One kind of voluntarily registered fact and the department that verifies it."""

    id: Identifier
    title: NonEmpty
    verifier: Identifier  # providers.kind of the responsible department (谁主管、谁核实)
    note: str | None = None


class RegistrationRules(Model):
    """catalogs/workflows/registrations.yaml: kinds of 自愿注册 and who verifies each."""

    id: Literal["registrations"]
    title: NonEmpty
    version: NonEmpty
    legal_basis: Annotated[list[LegalBasis], pydantic.Field(min_length=1)]
    kinds: Annotated[list[RegistrationKind], pydantic.Field(min_length=1)]

    @model_validator(mode="after")
    def _unique_kinds(self) -> RegistrationRules:
        ids = [k.id for k in self.kinds]
        if len(set(ids)) != len(ids):
            raise ValueError("kinds 中有重复的 id")
        return self

    def kind(self, kind_id: str) -> RegistrationKind | None:
        return next((k for k in self.kinds if k.id == kind_id), None)


@dataclass(frozen=True, slots=True)
class Workflows:
    """The workflow files, as the catalog exposes them."""

    repair: RepairRules
    objections: ObjectionRules
    commitment_templates: CommitmentTemplates
    registrations: RegistrationRules

    def template(self, template_id: str) -> CommitmentTemplate | None:
        return next((t for t in self.commitment_templates.templates if t.id == template_id), None)


WORKFLOW_FILES: dict[str, type[Model]] = {
    "workflows/repair.yaml": RepairRules,
    "workflows/objections.yaml": ObjectionRules,
    "workflows/commitment_templates.yaml": CommitmentTemplates,
    "workflows/registrations.yaml": RegistrationRules,
}


def workflow_issues(workflows: Workflows, matters: set[str]) -> list[tuple[str, str]]:
    """Cross-file checks: (file key, reason)."""
    out: list[tuple[str, str]] = []
    repair_template = workflows.template(workflows.repair.commitment_template)
    if repair_template is None or repair_template.kind != REPAIR_COMMITMENT_KIND:
        out.append(("commitment_template", "须引用一个承诺类型为“信用修复型”的承诺模板"))
    for i, t in enumerate(workflows.commitment_templates.templates):
        if t.matter is not None and t.matter not in matters:
            out.append((f"templates[{i}].matter", f"引用了不存在的核查事项“{t.matter}”"))
    return out
