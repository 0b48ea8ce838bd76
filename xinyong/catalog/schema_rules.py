"""Pydantic models of the rule files: disclosure regimes and rules, severity tables, calendar years.

These files are declarative. The disclosure engine (`xinyong/disclosure/rules.py`) evaluates
them; this module only says what a well-formed file looks like.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Annotated, Literal

import pydantic
from pydantic import model_validator

from xinyong.catalog.schema import FieldRole, Identifier, LegalBasis, Model, NonEmpty
from xinyong.enums import Severity

SATURDAY = 5
MINOR_MAX_MONTHS = 3  # 令36号: minor information, if a sector insists on disclosing it, ≤ 3 months


class Period(Model):
    """Disclosure period of one severity class, in calendar months from the decision date."""

    disclosed: bool
    min_months: Annotated[int, pydantic.Field(ge=0)] | None = None
    max_months: Annotated[int, pydantic.Field(ge=0)] | None = None
    note: str | None = None
    # Not confirmed from the law's text (UNCERTAIN): public pages add "以认定单位告知为准".
    uncertain: bool = False

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.disclosed and self.max_months is None:
            raise ValueError("公示的失信信息须写 max_months（最长公示期）")
        if (
            self.min_months is not None
            and self.max_months is not None
            and self.min_months > self.max_months
        ):
            raise ValueError("min_months 不能大于 max_months")
        return self


class Regime(Model):
    """A repair regime (令36号, 令58号 …) with the dates it governs (by decision date)."""

    id: Identifier
    title: NonEmpty
    legal_basis: Annotated[list[LegalBasis], pydantic.Field(min_length=1)]
    applies_from: dt.date | None = None  # decisions on or after this date
    applies_until: dt.date | None = None  # decisions before this date
    periods: dict[Severity, Period]

    @model_validator(mode="after")
    def _complete(self) -> Regime:
        missing = [s.value for s in Severity if s not in self.periods]
        if missing:
            raise ValueError(f"periods 缺少严重程度：{', '.join(missing)}")
        if self.applies_from and self.applies_until and self.applies_from >= self.applies_until:
            raise ValueError("applies_from 须早于 applies_until")
        minor = self.periods[Severity.MINOR]
        if minor.max_months is not None and minor.max_months > MINOR_MAX_MONTHS:
            raise ValueError("轻微失信信息最长公示期不得超过 3 个月")
        return self


class DisclosureRule(Model):
    """How long records of an information class are shown on public surfaces.

    - `severity`: classify by `severity_table`, then take the period of the regime in force on the
      decision date (失信信息: penalties).
    - `validity`: from `start_role` until the date in `end_role`; when that date is empty or equals
      `long_term_sentinel` (2099-12-31, "long-term"), `fallback_months` from the start apply.
    - `list_validity`: from `start_role` for the validity of the entry's list type; an end date
      sent by the deciding body (court, market regulator) wins.
    Any filled field in `stopped_by` (a removal date) ends the disclosure early.
    """

    id: Identifier
    title: NonEmpty
    method: Literal["severity", "validity", "list_validity"]
    start_role: FieldRole
    end_role: FieldRole | None = None
    stopped_by: list[FieldRole] = pydantic.Field(default_factory=list)
    severity_table: Identifier | None = None
    fallback_months: Annotated[int, pydantic.Field(gt=0)] | None = None
    long_term_sentinel: dt.date | None = None
    legal_basis: Annotated[list[LegalBasis], pydantic.Field(min_length=1)]
    note: str | None = None

    @model_validator(mode="after")
    def _method_inputs(self) -> DisclosureRule:
        if self.method == "severity" and self.severity_table is None:
            raise ValueError("method 为 severity 时须指定 severity_table")
        if self.method != "severity" and self.severity_table is not None:
            raise ValueError("只有 method 为 severity 时才可指定 severity_table")
        if self.method == "validity" and (self.end_role is None or self.fallback_months is None):
            raise ValueError("method 为 validity 时须指定 end_role 与 fallback_months")
        return self


class DisclosureRules(Model):
    """catalogs/disclosure_rules.yaml."""

    id: Identifier
    title: NonEmpty
    version: NonEmpty
    regimes: Annotated[list[Regime], pydantic.Field(min_length=1)]
    rules: Annotated[list[DisclosureRule], pydantic.Field(min_length=1)]

    @model_validator(mode="after")
    def _unique_and_disjoint(self) -> DisclosureRules:
        for name, ids in (
            ("regimes", [r.id for r in self.regimes]),
            ("rules", [r.id for r in self.rules]),
        ):
            if len(set(ids)) != len(ids):
                raise ValueError(f"{name} 中有重复的 id")
        spans = sorted(
            (r.applies_from or dt.date.min, r.applies_until or dt.date.max, r.id)
            for r in self.regimes
        )
        for (_, end, first), (start, _, second) in itertools.pairwise(spans):
            if start < end:
                raise ValueError(f"适用期间重叠：{first} 与 {second}")
        return self

    def regime_for(self, decision_date: dt.date) -> Regime | None:
        """The regime governing a decision made on `decision_date` (None if no regime covers it)."""
        for regime in self.regimes:
            if (regime.applies_from is None or decision_date >= regime.applies_from) and (
                regime.applies_until is None or decision_date < regime.applies_until
            ):
                return regime
        return None

    def rule(self, rule_id: str) -> DisclosureRule | None:
        return next((r for r in self.rules if r.id == rule_id), None)


class SeverityWhen(Model):
    """Conditions of one severity rule; all given conditions must hold. A missing amount never
    satisfies an amount condition. Amounts are in 万元 (the unit of CF_NR_FK)."""

    kinds_any: list[NonEmpty] | None = None  # at least one 处罚类别 is in this list
    kinds_only: list[NonEmpty] | None = None  # every 处罚类别 is in this list
    amount_above: Annotated[float, pydantic.Field(ge=0)] | None = None  # > (万元)
    amount_at_most: Annotated[float, pydantic.Field(ge=0)] | None = None  # ≤ (万元)
    subject_categories: list[NonEmpty] | None = None

    def is_empty(self) -> bool:
        return all(value is None for value in self.model_dump().values())


class SeverityRule(Model):
    id: Identifier
    severity: Severity
    when: SeverityWhen = SeverityWhen()
    reason: NonEmpty
    legal_basis: list[LegalBasis] = pydantic.Field(default_factory=list)
    # Minor rules only: false = never disclosed even where the table discloses minor information
    # for `minor_disclosure_months` (e.g. 令45号 第二条: warning-only penalties are not published).
    disclose: bool = True

    @model_validator(mode="after")
    def _disclose_only_for_minor(self) -> SeverityRule:
        if not self.disclose and self.severity != Severity.MINOR:
            raise ValueError("disclose: false 只适用于轻微（minor）规则")
        return self


class SeverityTable(Model):
    """A sector's classification of penalties into 轻微 / 一般 / 严重 (令36号: each sector publishes
    its own). Ordered rules, first match wins; the last rule has no conditions."""

    id: Identifier
    title: NonEmpty
    version: NonEmpty
    sector: NonEmpty
    legal_basis: Annotated[list[LegalBasis], pydantic.Field(min_length=1)]
    minor_disclosure_months: Annotated[int, pydantic.Field(ge=1, le=MINOR_MAX_MONTHS)] | None = None
    rules: Annotated[list[SeverityRule], pydantic.Field(min_length=1)]

    @model_validator(mode="after")
    def _ends_with_default(self) -> SeverityTable:
        ids = [r.id for r in self.rules]
        if len(set(ids)) != len(ids):
            raise ValueError("rules 中有重复的 id")
        for index, rule in enumerate(self.rules):
            last = index == len(self.rules) - 1
            if rule.when.is_empty() and not last:
                raise ValueError(f"规则 {rule.id} 没有条件，其后的规则永远不会命中")
            if last and not rule.when.is_empty():
                raise ValueError("最后一条规则须无条件（兜底），保证每条处罚都有严重程度")
        return self


class Holiday(Model):
    date: dt.date
    name: NonEmpty


class CalendarArrangement(Model):
    """One published version of a year's arrangement: its notice, days off, make-up days."""

    version: Annotated[int, pydantic.Field(ge=1)] = 1
    published_on: dt.date | None = None
    source: NonEmpty  # the State Council notice, e.g. 国办发明电〔2026〕N号
    holidays: list[Holiday]
    workdays: list[dt.date] = pydantic.Field(default_factory=list)

    def check_in_year(self, year: int) -> None:
        for day in [h.date for h in self.holidays] + list(self.workdays):
            if day.year != year:
                raise ValueError(f"第 {self.version} 版：日期 {day.isoformat()} 不属于 {year} 年")
        for day in self.workdays:
            if day.weekday() < SATURDAY:
                raise ValueError(
                    f"第 {self.version} 版：调休上班日 {day.isoformat()} 不是周末，"
                    "无需列入 workdays"
                )
        overlap = {h.date for h in self.holidays} & set(self.workdays)
        if overlap:
            raise ValueError(
                f"第 {self.version} 版：{min(overlap).isoformat()} 同时列为放假日和调休上班日"
            )


class CalendarYear(CalendarArrangement):
    """catalogs/calendar/<year>.yaml: the whole year's days off and make-up working days.

    Arrangements have been amended after publication (2015, 2019, 2020), so a file keeps its
    versions: the top level is the one in force, `previous` the ones it replaced (oldest first,
    version numbers increasing to the current one)."""

    year: Annotated[int, pydantic.Field(ge=1949, le=2200)]
    previous: list[CalendarArrangement] = pydantic.Field(default_factory=list)

    @model_validator(mode="after")
    def _dates_in_year(self) -> CalendarYear:
        for arrangement in [*self.previous, self]:
            arrangement.check_in_year(self.year)
        versions = [a.version for a in self.previous] + [self.version]
        if versions != sorted(set(versions)):
            raise ValueError(f"版本号须逐版递增，当前版本最大：{versions}")
        return self
