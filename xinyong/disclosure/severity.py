"""A penalty's severity (轻微 / 一般 / 严重): its sector's severity table, first matching rule wins.

`severity_of` is the one rule. Collection stores its answer on each record (`stored.py`:
`records.severity_class` and `severity_basis`, the table, version and rule that gave it) so that
the 双公示 listing can filter in SQL; the window (`rules.disclosure_window`) still asks this rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from xinyong.catalog import Catalog
from xinyong.catalog.schema import FieldRole, InfoClass
from xinyong.catalog.schema_rules import DisclosureRule, SeverityTable, SeverityWhen
from xinyong.disclosure.fields import as_decimal, as_list, cite, dec, value_of
from xinyong.enums import Severity


@dataclass(frozen=True, slots=True)
class SeverityFinding:
    """A penalty's severity with the rule that gave it."""

    severity: Severity
    table_id: str | None  # None when the department sent the severity explicitly
    table_version: str | None
    rule_id: str
    reason: str
    disclose_minor: bool  # False when the matched minor rule says "never disclosed"
    legal_basis: tuple[str, ...]


def severity_of(data: Mapping[str, Any], table: SeverityTable, info: InfoClass) -> SeverityFinding:
    """Classify a penalty by the table's rules, in order; the last rule always matches."""
    kinds = as_list(value_of(data, info, FieldRole.PENALTY_KINDS))
    amount = as_decimal(value_of(data, info, FieldRole.AMOUNT))
    category = value_of(data, info, FieldRole.SUBJECT_CATEGORY)
    for rule in table.rules:
        if _matches(rule.when, kinds, amount, category):
            return SeverityFinding(
                severity=rule.severity,
                table_id=table.id,
                table_version=table.version,
                rule_id=rule.id,
                reason=rule.reason,
                disclose_minor=rule.disclose,
                legal_basis=cite([*rule.legal_basis, *table.legal_basis]),
            )
    raise AssertionError("severity table without a default rule")  # schema guarantees one


def _matches(when: SeverityWhen, kinds: list[str], amount: Decimal | None, category: Any) -> bool:
    if when.kinds_any is not None and not set(kinds) & set(when.kinds_any):
        return False
    if when.kinds_only is not None and (not kinds or not set(kinds) <= set(when.kinds_only)):
        return False
    if when.amount_above is not None and (amount is None or amount <= dec(when.amount_above)):
        return False
    if when.amount_at_most is not None and (amount is None or amount > dec(when.amount_at_most)):
        return False
    return not (when.subject_categories is not None and category not in when.subject_categories)


def severity_table_for(
    catalog: Catalog, rule: DisclosureRule, provider_kind: str | None
) -> SeverityTable:
    """The provider's sector table when one is shipped under its kind, else the rule's default."""
    if provider_kind and provider_kind in catalog.severity_tables:
        return catalog.severity_tables[provider_kind]
    assert rule.severity_table is not None
    return catalog.severity_table(rule.severity_table)


def minor_months(
    table: SeverityTable | None, disclose_minor: bool, regime_cap: int | None
) -> int | None:
    """Minor information: only where the sector insists, never beyond the regime's cap."""
    if table is None or table.minor_disclosure_months is None or not disclose_minor:
        return None
    if regime_cap is None:
        return None  # the regime does not allow minor information to be published at all
    return min(table.minor_disclosure_months, regime_cap)


def explicit_finding(severity: Severity | None) -> SeverityFinding:
    assert severity is not None
    return SeverityFinding(
        severity=severity,
        table_id=None,
        table_version=None,
        rule_id="explicit",
        reason="报送部门认定",
        disclose_minor=False,
        legal_basis=(),
    )
