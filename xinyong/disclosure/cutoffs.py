"""Listing cutoffs: what SQL may drop before the rules decide (the earliest decision date still in
window for a class or an explicit severity, asked of `clock.period_last_day`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from xinyong.catalog import Catalog
from xinyong.catalog.schema import FieldRole
from xinyong.clock import period_last_day
from xinyong.enums import Severity


def earliest_in_window(today: date, months: int) -> date:
    """The earliest decision date whose period of `months` still includes `today`: the inverse of
    `clock.period_last_day`, found by asking it (its end never moves back as the start moves on)."""
    low = today - timedelta(days=31 * months + 1)  # its period ends before today
    high = today  # its period (≥ 0 months) includes today
    while (high - low).days > 1:
        middle = low + timedelta(days=(high - low).days // 2)
        if period_last_day(middle, months) >= today:
            high = middle
        else:
            low = middle
    return high


@dataclass(frozen=True, slots=True)
class ListingCutoffs:
    """Necessary conditions for a record of one class to be shown `today`, on columns only.

    A record decided before `decided_since` (or after today) cannot be shown whatever its fields;
    a penalty whose department sent its severity explicitly cannot be shown when decided before
    `by_severity[severity]` (a severity absent from it is never shown); a record of a class whose
    end date is the `valid_until` column cannot be shown once that date has passed, and without an
    end date (or with `long_term_sentinel`) when decided before `undated_since`. The rules still
    decide each remaining record (a severity classified from the fields, a removal, a status field).
    """

    today: date
    decided_since: date | None
    by_severity: Mapping[str, date]
    end_is_valid_until: bool = False
    long_term_sentinel: date | None = None
    undated_since: date | None = None


def listing_cutoffs(catalog: Catalog, info_class: str, today: date) -> ListingCutoffs:
    """The cutoffs of a class as of `today`, each asked of `earliest_in_window` with the longest
    period the catalog's rules give that class (or that explicit severity)."""
    info = catalog.info_class(info_class)
    rule = catalog.disclosure_rules.rule(info.disclosure.rule)
    assert rule is not None
    if rule.method == "severity":
        months = _severity_months(catalog)
        by = {s.value: earliest_in_window(today, m) for s, m in months.items()}
        return ListingCutoffs(today, min(by.values(), default=today), by)
    if rule.method == "list_validity":
        assert info.list_type is not None
        months_of_list = catalog.list_type(info.list_type).validity.months
        since = None if months_of_list is None else earliest_in_window(today, months_of_list)
        return ListingCutoffs(today, since, {})
    assert rule.fallback_months is not None
    undated = rule.fallback_months  # a named list type's validity may be longer (_fallback_months)
    if info.field_by_role(FieldRole.LIST_TYPE) is not None:
        undated = max([undated, *(t.validity.months or 0 for t in catalog.list_types.values())])
    if rule.end_role != FieldRole.VALID_UNTIL:
        return ListingCutoffs(today, None, {})  # the end date is a field only the rules read
    return ListingCutoffs(today, None, {}, True, rule.long_term_sentinel,
                          earliest_in_window(today, undated))  # fmt: skip


def _severity_months(catalog: Catalog) -> dict[Severity, int]:
    """The longest period any regime shows each severity for (minor: a sector's months, capped)."""
    minor = max((t.minor_disclosure_months or 0 for t in catalog.severity_tables.values()),
                default=0)  # fmt: skip
    out: dict[Severity, int] = {}
    for regime in catalog.disclosure_rules.regimes:
        for severity, period in regime.periods.items():
            if severity == Severity.MINOR:
                months = min(minor, period.max_months) if minor and period.max_months else None
            else:
                months = period.max_months if period.disclosed else None
            if months is not None:
                out[severity] = max(out.get(severity, 0), months)
    return out
