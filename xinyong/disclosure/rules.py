"""Disclosure rules: pure functions of a record's facts, the catalog and `today`.

`disclosure_window` decides whether a record is shown, why, and until when. The window is never
stored: the same facts, catalog and day always give the same answer ("time is an input").

Periods follow 民法典 第二百零一、二百零二条: the decision day is not counted, and a period in
months ends on the corresponding day of the last month (`clock.period_last_day`, the one rule).
So a 12-month period from 2026-06-01 is shown up to and including 2027-06-01 (`disclosure_ends`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from xinyong.catalog import Catalog
from xinyong.catalog.schema import FieldRole, InfoClass
from xinyong.catalog.schema_rules import DisclosureRule
from xinyong.clock import period_last_day
from xinyong.disclosure.cutoffs import (
    ListingCutoffs,
    earliest_in_window,
    listing_cutoffs,
)
from xinyong.disclosure.fields import READ_ROLES, cite, date_of, value_of, window_fields
from xinyong.disclosure.severity import (
    SeverityFinding,
    explicit_finding,
    minor_months,
    severity_of,
    severity_table_for,
)
from xinyong.enums import Disclosure, RecordStatus, Severity

# Split at its seams (severity · cutoffs · fields); these names stay importable from here.
__all__ = [
    "OBJECTION_MARK", "READ_ROLES", "DisclosureState", "DisclosureWindow", "ListingCutoffs",
    "RecordFacts", "SeverityFinding", "disclosure_state", "disclosure_window",
    "earliest_in_window", "listing_cutoffs", "severity_of", "severity_table_for", "window_fields",
]  # fmt: skip

OBJECTION_MARK = "异议处理中"
INVALID_STATUS_LABELS = frozenset({"无效"})  # 当前状态 (XK_ZT) = 2 → 无效 (rules.md §3.3 #25)
REPAIR_BASIS = "《信用修复管理办法》（国家发展改革委令第36号）第三条"


@dataclass(frozen=True, slots=True)
class RecordFacts:
    """What the rules read from one record version (plus two facts kept beside it)."""

    info_class: str
    status: RecordStatus
    decision_date: date | None
    data: Mapping[str, Any]
    severity: Severity | None = None  # only when the department sent one explicitly
    provider_kind: str | None = None  # selects the sector's severity table when there is one
    objection_open: bool = False


@dataclass(frozen=True, slots=True)
class DisclosureWindow:
    """Whether a record is shown on public surfaces today, why, and until when (with its basis)."""

    shown: bool
    reason: str
    disclosure_ends: date | None  # last day shown; None = until removed / not applicable
    min_until: date | None  # last day of the minimum period (repair may be applied for after)
    rule_id: str
    regime_id: str | None
    legal_basis: tuple[str, ...]
    catalog_version: str
    severity: SeverityFinding | None = None
    mark: str | None = None  # 异议处理中

    @property
    def until_label(self) -> str:
        if not self.shown:
            return "不公示"
        if self.disclosure_ends is None:
            return "至移出名单之日"
        return f"公示至{self.disclosure_ends.isoformat()}"


class DisclosureState(StrEnum):
    """A record's disclosure state as its subject sees it (the /me pages)."""

    SHOWN = "shown"  # 公示中
    EXPIRED = "expired"  # 公示期满
    REPAIRED = "repaired"  # 已修复
    NOT_PUBLIC = "not_public"  # 未公开

    @property
    def label(self) -> str:
        return {"shown": "公示中", "expired": "公示期满", "repaired": "已修复",
                "not_public": "未公开"}[self.value]  # fmt: skip


def disclosure_state(
    status: RecordStatus, window: DisclosureWindow, today: date
) -> DisclosureState:
    """公示中 while shown; 已修复 once repaired; 公示期满 when its period ended; else 未公开
    (a class not disclosed, a minor penalty, a withdrawn record, a decision not yet in force)."""
    if status == RecordStatus.REPAIRED:
        return DisclosureState.REPAIRED
    if window.shown:
        return DisclosureState.SHOWN
    ends = window.disclosure_ends
    if status == RecordStatus.ACTIVE and ends is not None and today > ends:
        return DisclosureState.EXPIRED
    return DisclosureState.NOT_PUBLIC


# ---- the window -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Span:
    """An intermediate answer: the period that applies, or why none does."""

    reason: str
    ends: date | None = None
    min_until: date | None = None
    regime_id: str | None = None
    basis: tuple[str, ...] = ()
    severity: SeverityFinding | None = None
    hidden: bool = False


def disclosure_window(facts: RecordFacts, *, catalog: Catalog, today: date) -> DisclosureWindow:
    """Shown or not today, with the reason (Chinese), the end date and the rule's basis."""
    info = catalog.info_class(facts.info_class)
    rule = catalog.disclosure_rules.rule(info.disclosure.rule)
    assert rule is not None  # catalog crossref guarantees it
    window = DisclosureWindow(
        shown=False,
        reason="",
        disclosure_ends=None,
        min_until=None,
        rule_id=rule.id,
        regime_id=None,
        legal_basis=cite(rule.legal_basis),
        catalog_version=catalog.version,
    )
    early = _not_disclosed(facts, info)
    if early is not None:
        return replace(window, reason=early)
    start = facts.decision_date or date_of(facts.data, info, rule.start_role)
    if start is None:
        return replace(window, reason="缺少决定日期，无法计算公示期限，暂不公示")
    span = _span(facts, info, rule, start, catalog)
    window = replace(
        window,
        disclosure_ends=span.ends,
        min_until=span.min_until,
        regime_id=span.regime_id,
        legal_basis=span.basis or window.legal_basis,
        severity=span.severity,
    )
    return _decide(window, span, facts, info, rule, start, today)


def _not_disclosed(facts: RecordFacts, info: InfoClass) -> str | None:
    if info.disclosure.attribute != Disclosure.PUBLIC:
        return f"{info.title}不向社会公开"
    if facts.status == RecordStatus.WITHDRAWN:
        return "该信用记录已被撤销或删除，不予公示"
    if facts.status == RecordStatus.REPAIRED:
        return f"已完成信用修复，终止公示（{REPAIR_BASIS}）"
    status = value_of(facts.data, info, FieldRole.STATUS)
    if status in INVALID_STATUS_LABELS:
        return f"{info.title}当前状态为“{status}”，不予公示"
    return None


def _decide(
    window: DisclosureWindow,
    span: _Span,
    facts: RecordFacts,
    info: InfoClass,
    rule: DisclosureRule,
    start: date,
    today: date,
) -> DisclosureWindow:
    if span.hidden:
        return replace(window, reason=span.reason)
    for role in rule.stopped_by:
        removed = date_of(facts.data, info, role)
        if removed is not None:  # the removal ends the window early, past or future
            last = removed - timedelta(days=1)
            ends = last if window.disclosure_ends is None else min(window.disclosure_ends, last)
            window = replace(window, disclosure_ends=ends)
        if removed is not None and removed <= today:
            return replace(window, reason=f"已于{removed.isoformat()}移出或删除，停止公示")
    if start > today:
        return replace(window, reason=f"决定日期{start.isoformat()}晚于今天，暂不公示")
    if window.disclosure_ends is not None and today > window.disclosure_ends:
        ended = window.disclosure_ends.isoformat()
        return replace(window, reason=f"公示期已于{ended}届满，自动停止公示（{span.reason}）")
    mark = OBJECTION_MARK if facts.objection_open else None
    return replace(window, shown=True, reason=span.reason, mark=mark)


def _span(
    facts: RecordFacts, info: InfoClass, rule: DisclosureRule, start: date, catalog: Catalog
) -> _Span:
    if rule.method == "severity":
        return _severity_span(facts, info, rule, start, catalog)
    if rule.method == "list_validity":
        return _list_span(info, start, catalog)
    return _validity_span(facts, info, rule, start, catalog)


def _severity_span(
    facts: RecordFacts, info: InfoClass, rule: DisclosureRule, start: date, catalog: Catalog
) -> _Span:
    regime = catalog.disclosure_rules.regime_for(start)
    if regime is None:
        return _Span(reason=f"决定日期{start.isoformat()}不在任何公示规则的适用期间内", hidden=True)
    table = None if facts.severity else severity_table_for(catalog, rule, facts.provider_kind)
    if table is None:
        finding = explicit_finding(facts.severity)
    else:
        finding = severity_of(facts.data, table, info)
    period = regime.periods[finding.severity]
    basis = tuple(dict.fromkeys(cite(regime.legal_basis) + finding.legal_basis))  # no repeats
    base = _Span(reason="", regime_id=regime.id, basis=basis, severity=finding)
    label = f"{finding.severity.label}失信信息（{finding.reason}）"
    if finding.severity == Severity.MINOR:
        months = minor_months(table, finding.disclose_minor, period.max_months)
        if months is None:
            return replace(base, reason=f"{label}，依《{regime.title}》原则上不予公示", hidden=True)
        why = f"{label}，行业主管部门规定公示{months}个月，自决定日期{start.isoformat()}起算"
        return replace(base, reason=why, ends=period_last_day(start, months))
    if not period.disclosed or period.max_months is None:
        return replace(base, reason=f"{label}，依《{regime.title}》不予公示", hidden=True)
    low = period.min_months or 0
    why = (
        f"{label}，依《{regime.title}》最短公示{low}个月、最长{period.max_months}个月，"
        f"自决定日期{start.isoformat()}起算"
    )
    min_until = period_last_day(start, low) if period.min_months else None
    return replace(
        base, reason=why, ends=period_last_day(start, period.max_months), min_until=min_until
    )


def _validity_span(
    facts: RecordFacts, info: InfoClass, rule: DisclosureRule, start: date, catalog: Catalog
) -> _Span:
    assert rule.end_role is not None
    assert rule.fallback_months is not None
    end = date_of(facts.data, info, rule.end_role)
    if end is not None and end != rule.long_term_sentinel:
        return _Span(reason=f"在有效期内公示（有效期至{end.isoformat()}）", ends=end)
    months, source = _fallback_months(facts, info, rule, catalog)
    why = f"未载明有效期或为长期，自决定日期{start.isoformat()}起公示{months}个月（{source}）"
    return _Span(reason=why, ends=period_last_day(start, months))


def _fallback_months(
    facts: RecordFacts, info: InfoClass, rule: DisclosureRule, catalog: Catalog
) -> tuple[int, str]:
    """serious_list entries name their list type: its validity wins over the rule's fallback."""
    assert rule.fallback_months is not None
    named = value_of(facts.data, info, FieldRole.LIST_TYPE)
    for list_type in catalog.list_types.values():
        if named in (list_type.id, list_type.title) and list_type.validity.months:
            return list_type.validity.months, f"{list_type.title}的有效期"
    return rule.fallback_months, "平台公示规则"


def _list_span(info: InfoClass, start: date, catalog: Catalog) -> _Span:
    assert info.list_type is not None
    list_type = catalog.list_type(info.list_type)
    basis = cite(list_type.legal_basis)
    if list_type.validity.months is None:
        why = f"列入{list_type.title}，至认定机关决定移出之日止公示"
        return _Span(reason=why, basis=basis)
    months = list_type.validity.months
    why = f"列入{list_type.title}，自{start.isoformat()}起{months}个月，认定机关决定删除的除外"
    return _Span(reason=why, ends=period_last_day(start, months), basis=basis)
