"""Pydantic models of the catalog files: legal bases, code tables and information classes.

Every model forbids unknown keys and is frozen: the catalog is our own configuration, so a typo is
an error, never a silently ignored key (STYLE.md §8). Checks that need one file only live here as
validators; checks across files (a field's code table exists …) live in `catalog/crossref.py`.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import Annotated, Literal, get_args

import pydantic
from pydantic import BaseModel, ConfigDict, model_validator

from xinyong.enums import Disclosure

ID_PATTERN = r"^[a-z][a-z0-9_]*$"
Identifier = Annotated[str, pydantic.Field(pattern=ID_PATTERN, max_length=64)]
NonEmpty = Annotated[str, pydantic.Field(min_length=1)]

# 全国公共信用信息基础目录 categories, 2024 edition (rules.md §2.2: 13 categories; the names after
# 经营（活动）异常名录 are carried over from 2022 — LIKELY).
Category = Literal[
    "登记注册基本信息",
    "司法裁判及执行信息",
    "行政管理信息",
    "职称和职业信息",
    "经营（活动）异常名录（状态）信息",
    "严重失信主体名单信息",
    "有关合同履行信息",
    "信用承诺及其履行情况信息",
    "信用评价结果信息",
    "诚实守信相关荣誉信息",
    "市场主体自愿提供的信用信息",
    "遵守法律法规情况信息",
    "知识产权信息",
]
CATEGORIES: tuple[str, ...] = get_args(Category)

FieldType = Literal["text", "date", "decimal", "integer", "enum", "uscc", "id_number", "code"]
ProviderKind = Literal["authority", "court", "market_regulator", "credit_office"]


class FieldRole(StrEnum):
    """What a field means to the platform, whatever the standard calls it."""

    SUBJECT_NAME = "subject_name"
    SUBJECT_CATEGORY = "subject_category"
    SUBJECT_USCC = "subject_uscc"
    SUBJECT_ID_KIND = "subject_id_kind"
    SUBJECT_ID_NUMBER = "subject_id_number"
    LEGAL_REP = "legal_rep"
    LEGAL_REP_ID_KIND = "legal_rep_id_kind"
    LEGAL_REP_ID_NUMBER = "legal_rep_id_number"
    DECISION_NUMBER = "decision_number"
    DECISION_DATE = "decision_date"
    VALID_FROM = "valid_from"
    VALID_UNTIL = "valid_until"
    DISCLOSURE_UNTIL = "disclosure_until"
    AUTHORITY_NAME = "authority_name"
    AUTHORITY_USCC = "authority_uscc"
    SOURCE_NAME = "source_name"
    SOURCE_USCC = "source_uscc"
    AMOUNT = "amount"
    CONFISCATED_AMOUNT = "confiscated_amount"
    PENALTY_KINDS = "penalty_kinds"
    STATUS = "status"
    LIST_TYPE = "list_type"
    REASON = "reason"
    REMOVAL_DATE = "removal_date"
    REMOVAL_REASON = "removal_reason"
    TITLE = "title"
    CASE_NUMBER = "case_number"
    PERFORMANCE_STATUS = "performance_status"
    REMARKS = "remarks"


class Model(BaseModel):
    """Base of every catalog model: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class LegalBasis(Model):
    """A citation: the law (or policy document) and, where there is one, the article."""

    law: NonEmpty
    article: str | None = None
    issued_by: str | None = None
    date: dt.date | None = None
    doc_number: str | None = None

    def cite(self) -> str:
        """Short citation for explanations: 《政府采购法》第二十二条."""
        parts = [f"《{self.law}》"]
        if self.doc_number:
            parts.append(f"（{self.doc_number}）")
        if self.article:
            parts.append(self.article)
        return "".join(parts)


# A law or regulation (not a policy notice): names end like 法 / 条例 / 规定 / 解释 / 办法.
_LAW_NAME = re.compile(r"(法|条例|规定|解释|办法|决定)(（[^（）]*）)?$")


def names_law_and_article(basis: LegalBasis) -> bool:
    """True when the basis cites a law/regulation by name *and* an article (class-1 measures)."""
    return bool(basis.article and basis.article.strip() and _LAW_NAME.search(basis.law.strip()))


class CodeValue(Model):
    code: NonEmpty
    label: NonEmpty


class CodeTable(Model):
    """A closed vocabulary. Departments usually send the label; the code is accepted as well."""

    id: Identifier
    title: NonEmpty
    version: NonEmpty
    values: Annotated[list[CodeValue], pydantic.Field(min_length=1)]
    allow_prefix: str | None = None  # e.g. "其他-": free text after this prefix is accepted
    legal_basis: list[LegalBasis] = pydantic.Field(default_factory=list)

    @model_validator(mode="after")
    def _unique(self) -> CodeTable:
        seen: set[str] = set()
        for value in self.values:
            for token in {value.code, value.label}:
                if token in seen:
                    raise ValueError(f"代码或名称“{token}”重复")
                seen.add(token)
        return self

    def normalise(self, value: str) -> str | None:
        """The label for a code or a label; the value itself for an allowed prefix; else None."""
        text = value.strip()
        for item in self.values:
            if text in (item.code, item.label):
                return item.label
        if self.allow_prefix and text.startswith(self.allow_prefix) and text != self.allow_prefix:
            return text
        return None


class Condition(Model):
    """`required_when`: `{field: x, in: [a, b]}` (value is one of) or `{field: x, contains: a}`
    (a multi-valued field holds a)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    field: Identifier
    in_: list[NonEmpty] | None = pydantic.Field(default=None, alias="in")
    contains: list[NonEmpty] | None = None

    @model_validator(mode="before")
    @classmethod
    def _contains_as_list(cls, data: object) -> object:
        if isinstance(data, dict) and isinstance(data.get("contains"), str):
            return {**data, "contains": [data["contains"]]}
        return data

    @model_validator(mode="after")
    def _one_test(self) -> Condition:
        if (self.in_ is None) == (self.contains is None):
            raise ValueError("required_when 须且只能写 in 或 contains 之一")
        return self

    @property
    def values(self) -> list[str]:
        return self.in_ if self.in_ is not None else (self.contains or [])


class Field(Model):
    """One column of an information class. Collection matches a header by label, code or alias."""

    id: Identifier
    code: NonEmpty
    label: NonEmpty
    aliases: list[NonEmpty] = pydantic.Field(default_factory=list)
    type: FieldType
    max_length: Annotated[int, pydantic.Field(gt=0)] | None = None
    required: bool = False
    required_when: Condition | None = None
    code_table: Identifier | None = None
    multi: bool = False
    unit: str | None = None
    public: bool = True
    role: FieldRole | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Field:
        if self.type == "enum" and self.code_table is None:
            raise ValueError("type 为 enum 的数据项须指定 code_table")
        if self.code_table is not None and self.type not in ("enum", "code"):
            raise ValueError("只有 enum 或 code 类型的数据项可以指定 code_table")
        if self.multi and self.type != "enum":
            raise ValueError("multi 只适用于 enum 类型")
        if self.unit is not None and self.type not in ("decimal", "integer"):
            raise ValueError("unit 只适用于 decimal 或 integer 类型")
        if self.required and self.required_when is not None:
            raise ValueError("required 为 true 时不应再写 required_when")
        if self.type == "id_number" and self.public:
            raise ValueError("证件号码类数据项不得对社会公开（public 须为 false）")
        return self

    @property
    def headers(self) -> tuple[str, ...]:
        """Every column header that maps to this field."""
        return (self.label, self.code, *self.aliases)


class DisclosureRef(Model):
    rule: Identifier  # id of a rule in disclosure_rules.yaml
    attribute: Disclosure  # 公开属性


class Quality(Model):
    """zavod-style assertions: a batch breaching them is flagged in its report."""

    min_fill_rate: Annotated[float, pydantic.Field(ge=0, le=1)]
    max_rejection_ratio: Annotated[float, pydantic.Field(ge=0, le=1)]


class InfoClass(Model):
    """An entry of the 公共信用信息目录 (信息类) with its columns (数据项)."""

    id: Identifier
    title: NonEmpty
    version: NonEmpty
    category: Category
    provider_kind: ProviderKind
    legal_basis: Annotated[list[LegalBasis], pydantic.Field(min_length=1)]
    disclosure: DisclosureRef
    natural_key: Annotated[list[Identifier], pydantic.Field(min_length=1)]
    fields: Annotated[list[Field], pydantic.Field(min_length=1)]
    quality: Quality
    timeliness_working_days: Annotated[int, pydantic.Field(gt=0)] | None = None
    kind: Literal["record", "list_entry", "registration"]
    list_type: Identifier | None = None  # the list type its entries belong to, when fixed
    note: str | None = None

    @model_validator(mode="after")
    def _fields_consistent(self) -> InfoClass:
        ids = [f.id for f in self.fields]
        if dup := _first_duplicate(ids):
            raise ValueError(f"数据项 id“{dup}”重复")
        headers = [h for f in self.fields for h in f.headers]
        if dup := _first_duplicate(headers):
            raise ValueError(f"列名“{dup}”同时对应多个数据项（label、code、aliases 须互不相同）")
        roles = [f.role for f in self.fields if f.role is not None]
        if dup_role := _first_duplicate([str(r) for r in roles]):
            raise ValueError(f"role“{dup_role}”被多个数据项使用")
        return self

    def field(self, field_id: str) -> Field:
        for f in self.fields:
            if f.id == field_id:
                return f
        raise KeyError(field_id)

    def field_by_role(self, role: FieldRole) -> Field | None:
        return next((f for f in self.fields if f.role == role), None)


def _first_duplicate(items: list[str]) -> str | None:
    seen: set[str] = set()
    for item in items:
        if item in seen:
            return item
        seen.add(item)
    return None
