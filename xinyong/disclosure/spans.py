"""The exact SQL plan of a severity-disclosed class: which decision dates are shown today, per
stored severity basis (stored.py), asked of the same rules the window uses.

For every basis the loaded catalog can give, each decision date from the earliest one any period
could still cover up to today is tried with `regime_for`, the regime's period for that severity
(`minor_months` for minor) and `clock.period_last_day` — the steps of `rules._severity_span` and
`rules._decide` — and the shown days are kept as ranges. Bases with equal ranges form one group:
SQL shows a classified record exactly when its decision date lies in its group's ranges. A class
whose window also reads fields (a status field, a removal date) gets no plan: the rules decide.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from xinyong.catalog import Catalog
from xinyong.catalog.schema import FieldRole
from xinyong.catalog.schema_rules import Regime
from xinyong.clock import period_last_day
from xinyong.disclosure.cutoffs import earliest_in_window
from xinyong.disclosure.severity import minor_months
from xinyong.disclosure.stored import Basis, bases
from xinyong.enums import Severity

Ranges = tuple[tuple[date, date], ...]


@dataclass(frozen=True, slots=True)
class SeverityPlan:
    """`groups`: (bases, decision-date ranges shown today); `known`: every current basis (a
    record with another basis, or none, is left to the rules)."""

    groups: tuple[tuple[tuple[str, ...], Ranges], ...]
    known: tuple[str, ...]


_KEPT = 64  # plans kept (a day × class × catalog each)
_plans: dict[tuple[str, str, date], SeverityPlan | None] = {}


def severity_plan(catalog: Catalog, info_class: str, today: date) -> SeverityPlan | None:
    """The plan as of `today` (kept per catalog version, class and day), or None."""
    key = (catalog.version, info_class, today)
    if key not in _plans:
        if len(_plans) > _KEPT:
            _plans.clear()
        _plans[key] = _plan(catalog, info_class, today)
    return _plans[key]


def _plan(catalog: Catalog, info_class: str, today: date) -> SeverityPlan | None:
    info = catalog.info_class(info_class)
    rule = catalog.disclosure_rules.rule(info.disclosure.rule)
    if rule is None or rule.method != "severity" or rule.stopped_by:
        return None
    if rule.start_role != FieldRole.DECISION_DATE or info.field_by_role(FieldRole.STATUS):
        return None
    known = bases(catalog)
    longest = max((m for b in known.values() for r in catalog.disclosure_rules.regimes
                   if (m := months_of(r, b)) is not None), default=0)  # fmt: skip
    first = earliest_in_window(today, longest)
    days = [first + timedelta(days=n) for n in range((today - first).days + 1)]
    regimes = [catalog.disclosure_rules.regime_for(day) for day in days]
    groups: dict[Ranges, list[str]] = {}
    for name, basis in sorted(known.items()):
        shown = [r is not None and _shows(r, basis, day, today)
                 for day, r in zip(days, regimes, strict=True)]  # fmt: skip
        groups.setdefault(_ranges(days, shown), []).append(name)
    return SeverityPlan(
        groups=tuple((tuple(names), ranges) for ranges, names in groups.items() if ranges),
        known=tuple(sorted(known)),
    )


def months_of(regime: Regime, basis: Basis) -> int | None:
    """The months a record of this basis is shown for under `regime`, or None (not shown)."""
    period = regime.periods.get(basis.severity)
    if period is None:
        return None
    if basis.severity == Severity.MINOR:
        return minor_months(basis.table, basis.disclose_minor, period.max_months)
    return period.max_months if period.disclosed else None


def _shows(regime: Regime, basis: Basis, day: date, today: date) -> bool:
    months = months_of(regime, basis)
    return months is not None and period_last_day(day, months) >= today


def _ranges(days: list[date], shown: list[bool]) -> Ranges:
    out: list[tuple[date, date]] = []
    start: date | None = None
    for day, on in zip(days, shown, strict=True):
        if on and start is None:
            start = day
        if not on and start is not None:
            out.append((start, day - timedelta(days=1)))
            start = None
    if start is not None:
        out.append((start, days[-1]))
    return tuple(out)
