"""The lean-record plan of an info class for the column-wise path (frames.py): which fields
`lean_record.lean` leaves out of the stored `data` text, decided once per class from its layout,
so that a block's lean text is one Polars expression (`canonical_frame.canonical_expr`)."""

from __future__ import annotations

from dataclasses import dataclass

from xinyong.catalog.schema import Field, FieldRole, InfoClass
from xinyong.collection.validate import ROLE_COLUMNS
from xinyong.db import lean_record


@dataclass(frozen=True, slots=True)
class LeanPlan:
    """What the fast rule leaves out of `data` (lean_record.lean): the layout's column fields
    (always: collection fills each column from its field), the natural-key parts (when the key
    splits), the `alike` fields (when equal to the field of their column, by field id)."""

    elided: frozenset[str]
    key: tuple[str, ...]
    alike: dict[str, str]


def lean_plan(
    info: InfoClass, roles: dict[FieldRole, Field], date_columns: frozenset[str]
) -> LeanPlan | None:
    """None when the class does not follow its layout exactly (a field of another id or type
    than the layout names, an `alike` field that may be absent): lean_record.lean row by row.
    `date_columns`: the record columns the validated frame holds as dates."""
    lay = lean_record.layout(info.id)
    if list(lay.key) != list(info.natural_key):
        return None
    columns = dict(lay.columns)
    for role, column in ROLE_COLUMNS.items():
        fld = roles.get(role)
        if (fld.id if fld else None) != columns.get(column):
            return None
        if fld is not None and (fld.type == "date") != (column in date_columns):
            return None
        if fld is not None and (fld.multi or fld.type in ("integer", "decimal")):
            return None
    by_id = {f.id: f for f in info.fields}
    alike = {fid: columns[column] for column, fid in lay.alike}
    for fid in alike:
        fld = by_id.get(fid)
        if fld is None or not fld.required or fld.multi or fld.type not in ("text", "uscc"):
            return None
    elided = frozenset(columns.values())
    return LeanPlan(elided, tuple(k for k in lay.key if k not in elided), alike)
