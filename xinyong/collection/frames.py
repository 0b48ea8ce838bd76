"""Frames: a block of source rows validated column by column, with the result of validate_row.

`BlockValidator.check(block)` parses every mapped column with columns.py, applies the cross-field
rules of validate.py (required, required_when, date order, subject linkage) as expressions, and
builds the accepted rows (natural key, canonical JSON, content hash, record columns, timeliness)
for the rows the fast rules vouch for. Every other row goes through `validate.validate_row` one
by one, so a rejected row has exactly the issues (field, code, Chinese message) it always had.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl

from xinyong import archive
from xinyong.catalog.schema import Field, FieldRole
from xinyong.collection import columns as col
from xinyong.collection.canonical_frame import Shared, canonical_expr, with_json_texts
from xinyong.collection.cells import parse_date, parse_enum, parse_multi
from xinyong.collection.lean_plan import lean_plan
from xinyong.collection.validate import (
    ID_CARD,
    INDIVIDUAL,
    PERSON,
    ROLE_COLUMNS,
    ColumnMap,
    Context,
    RejectedRow,
    ValidRow,
    record_columns,
    timeliness,
    validate_row,
)
from xinyong.db import lean_record
from xinyong.disclosure import stored
from xinyong.enums import RowOutcome, SubjectKind

ACCEPTED: dict[str, Any] = {
    "row_no": pl.Int64, "natural_key": pl.String, "content_hash": pl.String, "data": pl.String,
    "subject_code": pl.String, "subject_kind": pl.String, "subject_name": pl.String,
    "decision_number": pl.String, "decision_date": pl.Date, "valid_from": pl.Date,
    "valid_until": pl.Date, "authority_name": pl.String, "authority_uscc": pl.String,
    "timely": pl.Boolean, "calendar_gap": pl.Int32,
}  # fmt: skip
FILLED = "filled:"  # + field id: one Boolean column per field (the cell was present)
INPUT = stored.INPUT_COLUMN  # + field id: a severity input's value (stored.classify_frame)
_ID_KIND_OF = {
    FieldRole.SUBJECT_ID_NUMBER: FieldRole.SUBJECT_ID_KIND,
    FieldRole.LEGAL_REP_ID_NUMBER: FieldRole.LEGAL_REP_ID_KIND,
}
_DATE_ROLES = (FieldRole.VALID_FROM, FieldRole.VALID_UNTIL, FieldRole.REMOVAL_DATE)


@dataclass(frozen=True, slots=True)
class Checked:
    accepted: pl.DataFrame  # ACCEPTED + FILLED columns, by row number
    rejected: list[dict[str, Any]]  # batch_rows dicts (row_no, issues, source cells)


class BlockValidator:
    """Validates blocks of one file; distinct values are parsed once for the whole file."""

    def __init__(self, ctx: Context, columns: ColumnMap, *, control_free: bool = False) -> None:
        self.ctx, self.columns = ctx, columns
        self.control_free = control_free  # readers.Table.control_free: nothing to search for
        self.fields = ctx.info_class.fields
        self.roles = {f.role: f for f in self.fields if f.role is not None}
        self.source = {f.id: f"c{i}" for i, f in columns.fields.items()}
        self.memo = col.Memo()
        self.deadlines: dict[date, tuple[bool | None, int | None]] = {}
        by_id = {f.id: f for f in self.fields}
        self.vectorised = not any(by_id[k].multi for k in ctx.info_class.natural_key)
        dates = frozenset(c for c, kind in ACCEPTED.items() if kind == pl.Date)
        self.lean_plan = lean_plan(ctx.info_class, self.roles, dates)
        # the severity inputs as values (text, or a list for a multi-valued code), so that
        # classifying a chunk parses no JSON per row
        listed = {f.id for f in self.fields if f.type == "enum" and f.multi}
        self.inputs: dict[str, pl.DataType] = {
            fid: pl.List(pl.String) if fid in listed else pl.String()
            for fid in stored.input_fields(ctx.info_class)
        }

    def check(self, block: pl.DataFrame) -> Checked:
        raw = {f: col.clean(block[c]) for f, c in self.source.items()}
        values, ok, kinds = self._parse(raw, block.height)
        ok = ok & self._required(raw, values) & self._dates(values)
        subject = self._subject(values, kinds)
        ok = ok & subject["subject_code"].is_not_null()
        if not self.vectorised:
            ok = pl.Series([False] * block.height)
        fast, unsafe = self._accepted(block["_row"], values, subject, ok)
        if unsafe.len():  # a value json.dumps would escape as \u00XX: the row goes to Python
            ok = ok & ~block["_row"].is_in(unsafe.implode())
        slow, rejected = self._one_by_one(block.filter(~ok))
        accepted = pl.concat([fast, slow.select(fast.columns)], how="vertical").sort("row_no")
        return Checked(accepted, rejected)

    # ---- cells ---------------------------------------------------------------------------

    def _parse(
        self, raw: dict[str, pl.Series], height: int
    ) -> tuple[dict[str, pl.Series], pl.Series, pl.Series | None]:
        values: dict[str, pl.Series] = {}
        ok = pl.Series([True] * height)
        kinds = None
        for fld in self.fields:
            if fld.id not in raw:
                continue
            text = raw[fld.id]
            if fld.type == "uscc":
                subject = fld.role == FieldRole.SUBJECT_USCC
                value, good, suggested = col.uscc(text, kinds=subject)
                kinds = suggested if subject else kinds
            else:
                value, good = self._cell(fld, text, raw)
            values[fld.id] = value
            ok = ok & good  # control characters: one look at each row's text (_accepted)
        return values, ok, kinds

    def _cell(self, fld: Field, text: pl.Series, raw: dict[str, pl.Series]) -> col.Fast:
        kind = fld.type
        if kind in ("text", "code"):
            rule = col.text if kind == "text" else col.code
            return rule(text, fld.max_length)
        if kind in ("decimal", "integer"):
            return col.decimal(text) if kind == "decimal" else col.integer(text)
        if kind == "date":
            return self.memo.by_distinct("date", text, parse_date, pl.Date())
        if kind == "enum":
            table = self.ctx.catalog.code_tables[fld.code_table or ""]
            if fld.multi:
                multi = pl.List(pl.String)
                return self.memo.by_distinct(fld.id, text, lambda t: parse_multi(t, table), multi)
            return self.memo.by_distinct(fld.id, text, lambda t: parse_enum(t, table), pl.String())
        return self._id_number(fld, text, raw)

    def _id_number(self, fld: Field, text: pl.Series, raw: dict[str, pl.Series]) -> col.Fast:
        """Resident ID numbers only (no document kind, or 身份证); passports etc. go to Python."""
        value, good = col.id_number(text, self.ctx.today)
        kind_role = _ID_KIND_OF.get(fld.role) if fld.role else None
        kind_field = self.roles.get(kind_role) if kind_role else None
        if kind_field is None or kind_field.id not in raw:
            return value, good
        document = raw[kind_field.id]
        resident = document.is_null() | document.is_in([ID_CARD, "1"])
        return value, good & (resident | text.is_null())

    # ---- rows ----------------------------------------------------------------------------

    def _required(self, raw: dict[str, pl.Series], values: dict[str, pl.Series]) -> pl.Series:
        ok = pl.Series([True] * len(next(iter(raw.values()))))
        for fld in self.fields:
            present = raw[fld.id].is_not_null() if fld.id in raw else pl.Series([False] * len(ok))
            if fld.required:
                ok = ok & present
            cond = fld.required_when
            if cond is None or cond.field not in values:
                continue
            hit = _holds(values[cond.field], cond.values)
            ok = ok & (present | ~hit)
        return ok

    def _dates(self, values: dict[str, pl.Series]) -> pl.Series:
        height = len(next(iter(values.values())))
        decided_field = self.roles.get(FieldRole.DECISION_DATE)
        if decided_field is None or decided_field.id not in values:
            return pl.Series([True] * height)
        decided = values[decided_field.id]
        if decided.dtype != pl.Date:
            return pl.Series([False] * height)
        ok = (decided <= self.ctx.today).fill_null(True)
        for role in _DATE_ROLES:
            later = self.roles.get(role)
            if later is None or later.id not in values:
                continue
            if values[later.id].dtype != pl.Date:
                return pl.Series([False] * height)
            ok = ok & (values[later.id] >= decided).fill_null(True)
        return ok

    def _subject(self, values: dict[str, pl.Series], kinds: pl.Series | None) -> pl.DataFrame:
        """validate._subject as expressions: USCC first, else a resident ID number."""
        height = len(next(iter(values.values())))
        none = pl.Series([None] * height, dtype=pl.String)

        def role(r: FieldRole) -> pl.Series:
            fld = self.roles.get(r)
            return values[fld.id] if fld is not None and fld.id in values else none

        frame = pl.DataFrame({
            "cat": role(FieldRole.SUBJECT_CATEGORY), "uscc": role(FieldRole.SUBJECT_USCC),
            "idn": role(FieldRole.SUBJECT_ID_NUMBER), "hint": kinds if kinds is not None else none,
        })  # fmt: skip
        cat, uscc, idn = pl.col("cat"), pl.col("uscc"), pl.col("idn")
        person, individual = cat == PERSON, cat == INDIVIDUAL
        return frame.select(
            subject_code=pl.when(person)
            .then(idn)
            .when(uscc.is_not_null())
            .then(uscc)
            .when(individual)
            .then(idn),
            subject_kind=pl.when(person & idn.is_not_null())
            .then(pl.lit(SubjectKind.PERSON.value))
            .when(uscc.is_not_null() & individual)
            .then(pl.lit(SubjectKind.INDIVIDUAL_BUSINESS.value))
            .when(uscc.is_not_null())
            .then(pl.col("hint"))
            .when(individual & idn.is_not_null())
            .then(pl.lit(SubjectKind.INDIVIDUAL_BUSINESS.value)),
        )

    def _accepted(
        self,
        row_no: pl.Series,
        values: dict[str, pl.Series],
        subject: pl.DataFrame,
        ok: pl.Series,
    ) -> tuple[pl.DataFrame, pl.Series]:
        """The accepted rows' frame, and the rows left to Python after all: a value with a
        control character json.dumps escapes as \\u00XX (the canonical text holds every mapped
        value as the row's JSON would, so one search of it per row replaces one per cell)."""
        frame = pl.DataFrame({"row_no": row_no, **values}).hstack(subject).filter(ok)
        # each value's JSON form once, for the canonical text (hashed) and the stored lean one
        frame, texts = with_json_texts(frame, self.fields, values)
        canonical = frame.select(canonical_expr(self.fields, values, escapes=texts.escapes,
                                                present=texts.present)).to_series()  # fmt: skip
        left = pl.Series("row_no", [], dtype=pl.Int64)
        if not self.control_free:
            unsafe = col.json_unsafe(canonical)
            left = frame.filter(unsafe)["row_no"]
        if left.len():
            frame, canonical = frame.filter(~unsafe), canonical.filter(~unsafe)
        # the UTF-8 bytes as Polars holds them: no str per row (archive.hash_canonical_utf8)
        digests = list(map(archive.hash_canonical_utf8, canonical.cast(pl.Binary).to_list()))
        name = self.roles.get(FieldRole.SUBJECT_NAME)
        natural_key = pl.concat_str(
            [_as_text(k, values) for k in self.ctx.info_class.natural_key], separator="|"
        )
        out = frame.select(
            pl.col("row_no").cast(pl.Int64),
            natural_key=natural_key,
            content_hash=pl.Series(digests, dtype=pl.String),
            data=self._lean(frame, canonical, natural_key, values, texts),
            subject_code=pl.col("subject_code"),
            subject_kind=pl.col("subject_kind"),
            subject_name=_as_text(name.id, values) if name else pl.lit(""),
            **self._record_columns(values),
            **{FILLED + f.id: _filled(f.id, values) for f in self.fields},
            **{INPUT + fid: _input(fid, dtype, values) for fid, dtype in self.inputs.items()},
        )
        return self._with_timeliness(out), left

    def _lean(
        self,
        frame: pl.DataFrame,
        canonical: pl.Series,
        natural_key: pl.Expr,
        values: dict[str, pl.Series],
        texts: Shared,
    ) -> pl.Series:
        """The stored text of `data` (`archive.lean` of the row as canonical JSON): without the
        fields the record's columns hold, and the natural-key parts when the key splits
        unambiguously. A class whose layout the fast rule cannot follow goes row by row."""
        plan = self.lean_plan
        if plan is None:
            name, info_class = self.ctx.info_class.id, self.ctx.info_class
            keys = frame.select(natural_key).to_series().to_list()
            rows = [json.loads(t) for t in canonical.to_list()]
            columns = [record_columns(info_class, row) for row in rows]
            stored_texts = [lean_record.dumps(lean_record.lean(name, k, c, r))
                            for k, c, r in zip(keys, columns, rows, strict=True)]  # fmt: skip
            return pl.Series("data", stored_texts, dtype=pl.String)
        parts = len(self.ctx.info_class.natural_key)
        unambiguous = natural_key.str.count_matches("|", literal=True) == parts - 1
        kept = [f for f in self.fields if f.id not in plan.elided]
        drop = {
            fid: unambiguous & pl.col(fid).is_not_null() & (_as_text(fid, values) != "")
            for fid in plan.key
            if fid in values and values[fid].dtype in (pl.String, pl.Date)
        }
        for fid, own in plan.alike.items():  # the data source, when it is the authority
            if fid in values and own in values:
                drop[fid] = (pl.col(fid) == pl.col(own)).fill_null(False)
        lean = canonical_expr(kept, values, drop=drop, escapes=texts.escapes, present=texts.present,
                              compact=True)  # fmt: skip
        return frame.select(lean).to_series()

    def _record_columns(self, values: dict[str, pl.Series]) -> dict[str, pl.Expr]:
        out: dict[str, pl.Expr] = {}
        for role, column in ROLE_COLUMNS.items():
            fld = self.roles.get(role)
            found = fld is not None and fld.id in values
            expr = pl.col(fld.id) if found and fld is not None else pl.lit(None)
            out[column] = expr.cast(ACCEPTED[column])
        return out

    def _with_timeliness(self, out: pl.DataFrame) -> pl.DataFrame:
        known = self.deadlines
        for day in out["decision_date"].drop_nulls().unique().to_list():
            if day not in known:
                known[day] = timeliness(self.ctx, day)
        days = list(known)
        return out.with_columns(
            timely=pl.col("decision_date").replace_strict(
                days, [known[d][0] for d in days], default=None, return_dtype=pl.Boolean
            ),
            calendar_gap=pl.col("decision_date").replace_strict(
                days, [known[d][1] for d in days], default=None, return_dtype=pl.Int32
            ),
        )

    def _one_by_one(self, rows: pl.DataFrame) -> tuple[pl.DataFrame, list[dict[str, Any]]]:
        valid: list[dict[str, Any]] = []
        rejected: list[dict[str, Any]] = []
        for source in rows.rows():
            row_no, cells = int(source[0]), source[1:]
            result = validate_row(self.ctx, self.columns, row_no, cells)
            if isinstance(result, RejectedRow):
                rejected.append(rejected_outcome(result, cells))
            else:
                valid.append(self._from_row(result))
        schema = {
            **ACCEPTED,
            **{FILLED + f.id: pl.Boolean for f in self.fields},
            **{INPUT + fid: dtype for fid, dtype in self.inputs.items()},
        }
        return pl.DataFrame(valid, schema=schema, orient="row"), rejected

    def _from_row(self, row: ValidRow) -> dict[str, Any]:
        return {
            "row_no": row.row_no,
            "natural_key": row.natural_key,
            "content_hash": row.content_hash,
            "data": lean_record.dumps(
                lean_record.lean(self.ctx.info_class.id, row.natural_key, row.columns, row.data)
            ),
            "subject_code": row.subject_code,
            "subject_kind": row.subject_kind.value,
            "subject_name": row.subject_name,
            **{k: row.columns.get(k) for k in ROLE_COLUMNS.values()},
            "timely": row.timely,
            "calendar_gap": row.calendar_gap,
            **{FILLED + f.id: f.id in row.data for f in self.fields},
            **{INPUT + fid: _input_of(row.data.get(fid)) for fid in self.inputs},
        }


def rejected_outcome(row: RejectedRow, cells: tuple[Any, ...]) -> dict[str, Any]:
    return {
        "row_no": row.row_no,
        "outcome": RowOutcome.REJECTED.value,
        "timely": None,
        "issues": [{"field": i.field, "code": i.code, "message": i.message} for i in row.issues],
        "source": {"cells": [None if c is None else str(c) for c in cells]},
    }


def _holds(value: pl.Series, wanted: list[str]) -> pl.Series:
    """required_when: the condition field's value is (or, multi-valued, contains) one of these."""
    if value.dtype == pl.List(pl.String):
        hit = value.list.eval(pl.element().is_in(wanted)).list.any()
    elif value.dtype == pl.String:
        hit = value.is_in(wanted)
    elif value.dtype == pl.Date:
        hit = value.dt.to_string("%Y-%m-%d").is_in(wanted)
    else:
        return pl.Series([False] * len(value))  # an integer never equals a code-table text
    return hit.fill_null(False)


def _filled(field_id: str, values: dict[str, pl.Series]) -> pl.Expr:
    return pl.col(field_id).is_not_null() if field_id in values else pl.lit(False)


def _input(field_id: str, dtype: pl.DataType, values: dict[str, pl.Series]) -> pl.Expr:
    """A severity input as `_input_of` gives it row by row: the list, or the value as text."""
    if field_id not in values:
        return pl.lit(None, dtype=dtype)
    return pl.col(field_id) if values[field_id].dtype == dtype else pl.col(field_id).cast(dtype)


def _input_of(value: Any) -> Any:
    return value if value is None or isinstance(value, list) else str(value)


def _as_text(field_id: str, values: dict[str, pl.Series]) -> pl.Expr:
    """str(value) as validate.py writes it into the natural key ("" when absent)."""
    if field_id not in values:
        return pl.lit("")
    series = values[field_id]
    expr = pl.col(field_id)
    if series.dtype == pl.Date:
        expr = expr.dt.to_string("%Y-%m-%d")
    return expr.cast(pl.String).fill_null("")
