"""How the disclosure rules read a record's fields: by role only (`value_of`), and which fields
a record's window can therefore depend on (`window_fields`)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from xinyong.catalog import Catalog
from xinyong.catalog.schema import FieldRole, InfoClass, LegalBasis

# The roles `severity_of` reads (severity.py): its answer is stored per record (`stored.py`).
SEVERITY_INPUT_ROLES = (FieldRole.PENALTY_KINDS, FieldRole.AMOUNT, FieldRole.SUBJECT_CATEGORY)
READ_ROLES = (  # every role the window reads by `value_of` besides the rule's own roles below
    *SEVERITY_INPUT_ROLES,
    FieldRole.STATUS,
    FieldRole.LIST_TYPE,
)


def window_fields(
    info: InfoClass, catalog: Catalog, *, classified: bool = False, dated: bool = False
) -> tuple[str, ...]:
    """The data fields a record's window can depend on (the rules read data only by role, with
    `value_of`: READ_ROLES and the class's rule's start, end and stop roles). Two records of a class
    that agree on these fields, status, decision date, explicit severity and provider kind have
    the same window: whole-population runs ask once per distinct combination
    (`evaluation.fact_table.record_table`). `classified`: the records' `severity_basis` is one
    the loaded catalog gives (`stored.bases`) — records agreeing on it agree on `severity_of`'s
    answer, so its inputs (SEVERITY_INPUT_ROLES, read by `severity_of` alone, for rules by
    severity alone) leave the list. `dated`: the records have a decision date (the column) —
    the window starts on it (`rules.disclosure_window`: the start role's field is read only
    without one), so the start role leaves the list unless another role reads it. Keep
    READ_ROLES in step with the `value_of` calls in rules.py and severity.py."""
    rule = catalog.disclosure_rules.rule(info.disclosure.rule)
    by_severity = rule is not None and rule.method == "severity"
    roles = set(READ_ROLES) - (
        set(SEVERITY_INPUT_ROLES) if classified or not by_severity else set()
    )
    if rule is not None:
        starts = () if dated else (rule.start_role,)
        roles |= {r for r in (*starts, rule.end_role, *rule.stopped_by) if r is not None}
    return tuple(f.id for f in info.fields if f.role in roles)


def value_of(data: Mapping[str, Any], info: InfoClass, role: FieldRole) -> Any:
    field = info.field_by_role(role)
    return None if field is None else data.get(field.id)


def date_of(data: Mapping[str, Any], info: InfoClass, role: FieldRole) -> date | None:
    value = value_of(data, info, role)
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return [part for part in str(value).split(";") if part]


def as_decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def dec(value: float) -> Decimal:
    return Decimal(str(value))


def cite(items: list[LegalBasis] | tuple[LegalBasis, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(b.cite() for b in items))
