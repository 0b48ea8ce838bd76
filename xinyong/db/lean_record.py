"""The lean record: `records.data` keeps only what no column of `records` holds.

A record stores each source field once. A field whose value a column already holds (decision
number, dates, authority) or that the natural key spells out (the subject's code and the other
key parts) is left out of `data`; `rebuild` puts it back (`archive.source_row` for a Record, the
one reader every module calls). The content hash stays over the FULL row, so a re-submission of
an old file is still recognised as unchanged. `lean` and `rebuild` are exact inverses for any row
and any column values: a field that differs from its column stays in `data`, and a field the
columns could supply but the row did not have is named under `ABSENT`.

This is the storage format of `records.data` (docs/decisions/0013-lean-record.md): it lives
beside the tables so that the migration converting stored rows (17a) uses the same rule.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, String, case, func, literal, null
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


@dataclass(frozen=True, slots=True)
class Layout:
    """Where an info class's fields live outside `data`: column → field id, and the field ids of
    the natural key in order (`"|".join` of their text, as collection builds it)."""

    columns: tuple[tuple[str, str], ...]
    key: tuple[str, ...]
    # Fields that usually repeat a column's value: the data source (数据来源单位 and its code)
    # is almost always the deciding authority itself. Stored only when they differ.
    alike: tuple[tuple[str, str], ...] = ()


def _pairs(spec: str) -> tuple[tuple[str, str], ...]:
    """ "column" (the field of the same id) or "column=field", blank-separated."""
    return tuple((c, f or c) for c, _, f in (p.partition("=") for p in spec.split()))


def _layout(*, key: str, columns: str, alike: str = "") -> Layout:
    return Layout(_pairs(columns), tuple(key.split()), _pairs(alike))


# The one column → field-id map (derived from the info-class catalog; tests/test_lean_record.py
# holds it equal to the shipped catalog's roles and natural keys). It is part of the storage
# format: changing a field id here needs a migration of the stored records of that class.
LAYOUTS: dict[str, Layout] = {
    "abnormal_operation": _layout(
        key="subject_uscc listed_on reason",
        columns="decision_number decision_date=listed_on authority_name authority_uscc",
        alike="authority_name=source_name",
    ),
    "commitment_breach": _layout(
        key="code",
        columns="decision_number=code decision_date authority_name authority_uscc",
    ),
    "court_defaulter": _layout(
        key="case_number subject_uscc subject_id_number",
        columns="decision_number=basis_number decision_date=published_on authority_name=court",
        alike="authority_name=source_name",
    ),
    "enterprise_arrears": _layout(
        key="decision_number authority_uscc subject_uscc",
        columns="decision_number decision_date authority_name authority_uscc",
        alike="authority_name=source_name authority_uscc=source_uscc",
    ),
    "honour": _layout(
        key="honour_name decision_date subject_uscc subject_id_number",
        columns="decision_number decision_date valid_until authority_name authority_uscc",
        alike="authority_name=source_name authority_uscc=source_uscc",
    ),
    "licence": _layout(
        key="decision_number authority_uscc subject_uscc subject_id_number",
        columns="decision_number decision_date valid_from valid_until authority_name "
        "authority_uscc",
        alike="authority_name=source_name authority_uscc=source_uscc",
    ),
    "penalty": _layout(
        key="decision_number authority_uscc subject_uscc subject_id_number",
        columns="decision_number decision_date valid_until authority_name authority_uscc",
        alike="authority_name=source_name authority_uscc=source_uscc",
    ),
    "registration": _layout(
        key="subject_uscc",
        columns="decision_date=approved_on valid_from=operating_from "
        "valid_until=operating_until authority_name authority_uscc",
        alike="authority_name=source_name",
    ),
    "sector_grade": _layout(
        key="sector grading_year subject_uscc",
        columns="decision_date valid_until authority_name authority_uscc",
        alike="authority_name=source_name authority_uscc=source_uscc",
    ),
    "serious_list": _layout(
        key="list_type decision_number subject_uscc subject_id_number",
        columns="decision_number decision_date valid_until authority_name authority_uscc",
        alike="authority_name=source_name authority_uscc=source_uscc",
    ),
    "tax_serious_violation": _layout(
        key="decision_number subject_uscc subject_id_number",
        columns="decision_number decision_date=published_on authority_name=authority",
        alike="authority_name=source_name",
    ),
}  # fmt: skip
ABSENT = "~"  # the fields a column could supply that the source row did not have
_NO_LAYOUT = Layout((), ())


def layout(info_class: str) -> Layout:
    return LAYOUTS.get(info_class, _NO_LAYOUT)


def column_fields(info_class: str) -> tuple[str, ...]:
    """The field ids of the class the lean format may move to a column (its columns and its
    `alike` fields), sorted."""
    lay = layout(info_class)
    return tuple(sorted({f for _c, f in (*lay.columns, *lay.alike)}))


def override_marks(info_class: str) -> tuple[str, ...]:
    """What a stored `data` text holds when it names a field a column could give — as its own
    key (a value differing from the column's) or under `ABSENT` (a field the row did not
    have): the field id in JSON quotes. `records.data_overrides` is true exactly when the
    stored text contains one of them (an over-approximation of "names the field", never
    less): a reader then asks `data` for such a field, any other row reads the column."""
    return tuple(f'"{field_id}"' for field_id in column_fields(info_class))


def overrides(info_class: str, data: dict[str, Any] | str | None) -> bool:
    """`records.data_overrides` of a record of `info_class` whose lean `data` (or its stored
    text) is this — the one rule: `override_marks` in its stored text; the bulk writers ask the
    same of their text column, the migration that added the column of each stored row."""
    text = data if isinstance(data, str) else dumps(data or {})
    return any(mark in text for mark in override_marks(info_class))


def dumps(data: dict[str, Any]) -> str:
    """The stored text of a lean `data` (sorted keys, UTF-8, no blanks after separators)."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _key_parts(lay: Layout, natural_key: str | None) -> dict[str, str]:
    """The natural key's parts by field id, when the key splits unambiguously (no part holds
    a "|"); empty parts are absent fields."""
    if not lay.key or natural_key is None:
        return {}
    parts = natural_key.split("|")
    if len(parts) != len(lay.key):
        return {}
    return {fid: part for fid, part in zip(lay.key, parts, strict=True) if part != ""}


def key_part(info_class: str, natural_key: str | None, field_id: str) -> str | None:
    """One field the natural key spells out (None when the key does not split cleanly: then the
    field stayed in `data`)."""
    return _key_parts(layout(info_class), natural_key).get(field_id)


class _KeyPart(FunctionElement[str]):
    """The n-th (0-based) "|"-separated part of a natural key, in SQL."""

    type = String()
    inherit_cache = True


@compiles(_KeyPart, "postgresql")
def _key_part_pg(element: _KeyPart, compiler: Any, **kw: Any) -> str:
    key, n = list(element.clauses)
    return f"split_part({compiler.process(key, **kw)}, '|', {compiler.process(n, **kw)} + 1)"


@compiles(_KeyPart)
def _key_part_sqlite(element: _KeyPart, compiler: Any, **kw: Any) -> str:
    key, n = list(element.clauses)
    rest = compiler.process(key, **kw)
    for _ in range(int(n.value)):  # drop the parts before the n-th
        rest = f"substr({rest}, instr({rest}, '|') + 1)"
    return f"substr({rest}, 1, instr({rest} || '|', '|') - 1)"


def key_field_sql(
    info_class: str, field_id: str, *, natural_key: Any, data: Any
) -> ColumnElement[str | None]:
    """A source-row field of records of `info_class` as text, in SQL, from the stored `data`
    (a JSON column) and `natural_key` columns: data's value, else the key part the lean format
    left it in (`key_part`'s SQL twin; an empty part is an absent field)."""
    stored: ColumnElement[str | None] = data[field_id].as_string()
    lay = layout(info_class)
    if field_id not in lay.key:
        return stored
    part = _KeyPart(natural_key, literal(lay.key.index(field_id)))
    bars = func.length(natural_key) - func.length(func.replace(natural_key, "|", ""))
    clean = case((bars == len(lay.key) - 1, func.nullif(part, "")), else_=null())
    value: ColumnElement[str | None] = func.coalesce(stored, clean)
    return value


def _derived(info_class: str, natural_key: str | None, columns: Any) -> dict[str, Any]:
    """The field values the columns and the natural key supply (`columns`: a Record, or any
    object / mapping with the column attributes)."""
    lay = layout(info_class)
    out: dict[str, Any] = dict(_key_parts(lay, natural_key))
    if not isinstance(columns, dict):  # a Record (getattr loads an expired attribute)
        record = columns
        columns = {c: getattr(record, c, None) for c, _ in (*lay.columns, *lay.alike)}
    for column, fid in (*lay.alike, *lay.columns):
        value = columns.get(column)
        if value is not None:
            out[fid] = value.isoformat() if isinstance(value, date) else value
    return out


def lean(
    info_class: str, natural_key: str | None, columns: Any, row: dict[str, Any]
) -> dict[str, Any]:
    """The stored form of a full source `row`: the fields the columns and the natural key do not
    already hold, plus `ABSENT` naming the derivable fields the row did not have."""
    derived = _derived(info_class, natural_key, columns)
    out = {k: v for k, v in row.items() if k not in derived or derived[k] != v}
    missing = sorted(k for k in derived if k not in row)
    if missing:
        out[ABSENT] = missing
    return out


def rebuild(
    info_class: str, natural_key: str | None, columns: Any, data: dict[str, Any] | None
) -> dict[str, Any]:
    """The full source row from its stored (lean) `data`, the columns and the natural key."""
    data = data or {}
    derived = _derived(info_class, natural_key, columns)
    absent = set(data.get(ABSENT, ()))
    row = {k: v for k, v in derived.items() if k not in absent}
    row.update((k, v) for k, v in data.items() if k != ABSENT)
    return row
