"""Validation: catalog field rules → an accepted row (normalised data) or a rejected row (issues).

Every rule comes from the info class in the catalog: types, lengths, code tables, `required` and
`required_when`, roles (which field is the decision date, the subject's USCC …) and the natural
key. Nothing here is written per class. Pure: no session, no clock.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from xinyong import archive, clock, identifiers
from xinyong.catalog import Catalog
from xinyong.catalog.schema import Field, FieldRole, InfoClass
from xinyong.collection.cells import (
    CellError,
    check_length,
    clean,
    compact,
    parse_date,
    parse_decimal,
    parse_enum,
    parse_integer,
    parse_multi,
)
from xinyong.enums import SubjectKind
from xinyong.errors import InvalidInput

PERSON, INDIVIDUAL, ORGANISATION = "自然人", "个体工商户", "法人及非法人组织"
ID_CARD = "身份证"
_ID_KIND_OF = {
    FieldRole.SUBJECT_ID_NUMBER: FieldRole.SUBJECT_ID_KIND,
    FieldRole.LEGAL_REP_ID_NUMBER: FieldRole.LEGAL_REP_ID_KIND,
}
ROLE_COLUMNS = {
    FieldRole.DECISION_NUMBER: "decision_number",
    FieldRole.DECISION_DATE: "decision_date",
    FieldRole.VALID_FROM: "valid_from",
    FieldRole.VALID_UNTIL: "valid_until",
    FieldRole.AUTHORITY_NAME: "authority_name",
    FieldRole.AUTHORITY_USCC: "authority_uscc",
}


class MissingColumns(InvalidInput):
    code = "collection.missing_columns"


class DuplicateColumn(InvalidInput):
    code = "collection.duplicate_column"


@dataclass(frozen=True, slots=True)
class RowIssue:
    """One problem of one source row: the batch report lists these."""

    row_no: int
    field: str  # the column header as the clerk knows it (or "" for the whole row)
    code: str
    message: str


@dataclass(frozen=True, slots=True)
class ColumnMap:
    fields: dict[int, Field]  # column index → catalog field
    unused: tuple[str, ...]  # headers no field consumes (reported as warnings)


@dataclass(frozen=True, slots=True)
class Context:
    """What validation needs besides the row: class, catalog, the two dates, the calendar."""

    info_class: InfoClass
    catalog: Catalog
    today: date
    received_on: date
    calendar: clock.Calendar


@dataclass(slots=True)
class ValidRow:
    row_no: int
    data: dict[str, Any]
    natural_key: str
    content_hash: str
    subject_code: str
    subject_kind: SubjectKind
    subject_name: str
    columns: dict[str, Any]
    timely: bool | None
    data_json: str = "{}"  # the canonical JSON text of `data` (hashed; archive.lean stores it)
    calendar_gap: int | None = None  # a year without working-day data (timeliness unknown)


@dataclass(slots=True)
class RejectedRow:
    row_no: int
    issues: list[RowIssue] = field(default_factory=list)


# ---- columns ----------------------------------------------------------------------------------


def header_key(header: str) -> str:
    """Headers match after NFKC (full-width brackets) and with all blanks removed."""
    return "".join(c for c in unicodedata.normalize("NFKC", header) if not c.isspace())


def map_columns(info_class: InfoClass, headers: Sequence[str]) -> ColumnMap:
    """Match headers by label, code or alias; refuse the batch if a required column is missing."""
    lookup = {header_key(h): f for f in info_class.fields for h in f.headers}
    fields: dict[int, Field] = {}
    seen: dict[str, str] = {}
    unused: list[str] = []
    for index, header in enumerate(headers):
        found = lookup.get(header_key(header))
        if found is None:
            unused.append(header)
            continue
        if found.id in seen:
            msg = f"列“{header}”与列“{seen[found.id]}”都对应数据项“{found.label}”，请删去其一"
            raise DuplicateColumn(msg)
        seen[found.id] = header
        fields[index] = found
    missing = [f.label for f in info_class.fields if f.required and f.id not in seen]
    if missing:
        raise MissingColumns(
            f"缺少必填列：{'、'.join(missing)}。整批未入库，请按{info_class.title}标准模板补齐后重新报送",
            details={"missing": missing},
        )
    return ColumnMap(fields=fields, unused=tuple(unused))


# ---- one row ----------------------------------------------------------------------------------


def validate_row(
    ctx: Context, columns: ColumnMap, row_no: int, cells: Sequence[object]
) -> ValidRow | RejectedRow:
    """Parse every mapped cell, then the cross-field rules; any issue rejects the row."""
    rejected = RejectedRow(row_no)
    raw: dict[str, str] = {}
    for index, fld in columns.fields.items():
        value = clean(cells[index]) if index < len(cells) else None
        if value is not None:
            raw[fld.id] = value
    data: dict[str, Any] = {}
    for fld in ctx.info_class.fields:
        text = raw.get(fld.id)
        if text is None:
            continue
        try:
            data[fld.id] = _parse(ctx, fld, text, raw)
        except CellError as exc:
            rejected.issues.append(RowIssue(row_no, fld.label, exc.code, exc.message))
    rejected.issues.extend(_required(ctx.info_class, row_no, data, raw))
    if rejected.issues:
        return rejected
    rejected.issues.extend(_date_logic(ctx, row_no, data))
    subject = _subject(ctx.info_class, row_no, data, rejected.issues)
    if rejected.issues or subject is None:
        return rejected
    return _accepted(ctx, row_no, data, subject)


def _text(fld: Field, text: str) -> str:
    check_length(text, fld.max_length)
    return text


_SIMPLE: dict[str, Callable[[Field, str], Any]] = {
    "text": _text,
    "date": lambda _f, t: parse_date(t).isoformat(),
    "decimal": lambda _f, t: parse_decimal(t),
    "integer": lambda _f, t: parse_integer(t),
}


def _parse(ctx: Context, fld: Field, text: str, raw: dict[str, str]) -> Any:
    kind = fld.type
    if kind in _SIMPLE:
        return _SIMPLE[kind](fld, text)
    if kind == "enum":
        table = ctx.catalog.code_tables[fld.code_table or ""]
        return parse_multi(text, table) if fld.multi else parse_enum(text, table)
    if kind == "uscc":
        return _checked_uscc(text)[0]
    if kind == "id_number":
        kind_role = _ID_KIND_OF.get(fld.role) if fld.role else None
        kind_field = _by_role(ctx.info_class, kind_role) if kind_role else None
        document = raw.get(kind_field.id) if kind_field else None
        if document is not None and document not in (ID_CARD, "1"):
            value = identifiers.normalise(text)  # passport etc.: kept as given, not checked
            check_length(value, fld.max_length)
            return value
        return _checked_id_number(text, ctx.today)
    value = compact(text).upper()  # "code": organisation code and the like
    check_length(value, fld.max_length)
    return value


# Identifier checks are pure and the same codes recur in every row (the authority, repeat
# offenders): memoised per process, so a 1M-row batch checks each distinct code once.
@lru_cache(maxsize=200_000)
def _uscc_result(text: str) -> tuple[str, str | None] | CellError:
    try:
        info = identifiers.validate_uscc(text)
    except identifiers.IdentifierError as exc:
        return CellError(exc.code, exc.message)
    return info.code, info.suggested_kind


def _checked_uscc(text: str) -> tuple[str, str | None]:
    result = _uscc_result(text)
    if isinstance(result, CellError):
        raise result
    return result


@lru_cache(maxsize=200_000)
def _id_result(text: str, today: date) -> str | CellError:
    try:
        return identifiers.validate_id_number(text, today=today).code
    except identifiers.IdentifierError as exc:
        return CellError(exc.code, exc.message)


def _checked_id_number(text: str, today: date) -> str:
    result = _id_result(text, today)
    if isinstance(result, CellError):
        raise result
    return result


_ROLE_MAPS: dict[tuple[str, str], dict[FieldRole, Field]] = {}


def _by_role(info_class: InfoClass, role: FieldRole) -> Field | None:
    key = (info_class.id, info_class.version)
    roles = _ROLE_MAPS.get(key)
    if roles is None:
        roles = {f.role: f for f in info_class.fields if f.role is not None}
        _ROLE_MAPS[key] = roles
    return roles.get(role)


def _is_id_number(code: str) -> bool:
    """An already normalised value is a resident ID number (not a passport number)."""
    return identifiers.is_valid_id_number(code) if len(code) in (15, 18) else False


def _required(
    info_class: InfoClass, row_no: int, data: dict[str, Any], raw: dict[str, str]
) -> list[RowIssue]:
    issues = []
    for fld in info_class.fields:
        if fld.id in data or fld.id in raw:
            continue
        if fld.required:
            issues.append(
                RowIssue(row_no, fld.label, "collection.required", f"“{fld.label}”不能为空")
            )
            continue
        cond = fld.required_when
        if cond is None:
            continue
        value = data.get(cond.field)
        present = set(value) if isinstance(value, list) else {value}
        if present & set(cond.values):
            other = info_class.field(cond.field).label
            hit = "、".join(sorted(str(v) for v in present & set(cond.values)))
            msg = f"“{other}”为“{hit}”时“{fld.label}”不能为空"
            issues.append(RowIssue(row_no, fld.label, "collection.required", msg))
    return issues


def _date_logic(ctx: Context, row_no: int, data: dict[str, Any]) -> list[RowIssue]:
    issues = []
    decided = _role_date(ctx.info_class, data, FieldRole.DECISION_DATE)
    if decided is not None and decided[1] > ctx.today:
        msg = f"决定日期 {decided[1].isoformat()} 晚于今天（{ctx.today.isoformat()}）"
        issues.append(RowIssue(row_no, decided[0], "collection.future_date", msg))
    for role in (FieldRole.VALID_FROM, FieldRole.VALID_UNTIL, FieldRole.REMOVAL_DATE):
        later = _role_date(ctx.info_class, data, role)
        if decided is not None and later is not None and later[1] < decided[1]:
            msg = f"“{later[0]}”（{later[1]}）早于“{decided[0]}”（{decided[1]}）"
            issues.append(RowIssue(row_no, later[0], "collection.date_order", msg))
    return issues


def _role_date(
    info_class: InfoClass, data: dict[str, Any], role: FieldRole
) -> tuple[str, date] | None:
    fld = _by_role(info_class, role)
    if fld is None or fld.id not in data:
        return None
    return fld.label, date.fromisoformat(data[fld.id])


def _subject(
    info_class: InfoClass, row_no: int, data: dict[str, Any], issues: list[RowIssue]
) -> tuple[str, SubjectKind] | None:
    """The linking identifier and the subject kind: USCC first, else a resident ID number."""
    uscc_field = _by_role(info_class, FieldRole.SUBJECT_USCC)
    id_field = _by_role(info_class, FieldRole.SUBJECT_ID_NUMBER)
    category_field = _by_role(info_class, FieldRole.SUBJECT_CATEGORY)
    category = data.get(category_field.id) if category_field else None
    uscc = data.get(uscc_field.id) if uscc_field else None
    id_number = data.get(id_field.id) if id_field else None
    if category == PERSON:
        if id_number and _is_id_number(id_number):
            return id_number, SubjectKind.PERSON
    elif uscc:
        suggested = _checked_uscc(uscc)[1]
        if category == INDIVIDUAL:
            return uscc, SubjectKind.INDIVIDUAL_BUSINESS
        return uscc, SubjectKind(suggested or "enterprise")
    elif category == INDIVIDUAL and id_number and _is_id_number(id_number):
        return id_number, SubjectKind.INDIVIDUAL_BUSINESS
    label = (id_field or uscc_field or info_class.fields[0]).label
    msg = "无法关联信用主体：须有统一社会信用代码或居民身份证号码（不按名称关联）"
    issues.append(RowIssue(row_no, label, "collection.unlinkable", msg))
    return None


def _accepted(
    ctx: Context, row_no: int, data: dict[str, Any], subject: tuple[str, SubjectKind]
) -> ValidRow:
    info_class = ctx.info_class
    key = "|".join(str(data.get(f, "")) for f in info_class.natural_key)
    columns = record_columns(info_class, data)
    name_field = _by_role(info_class, FieldRole.SUBJECT_NAME)
    canonical = archive.canonical_json(data)
    row = ValidRow(
        row_no=row_no,
        data=data,
        natural_key=key,
        content_hash=archive.hash_canonical(canonical),
        data_json=canonical,
        subject_code=subject[0],
        subject_kind=subject[1],
        subject_name=str(data.get(name_field.id, "")) if name_field else "",
        columns=columns,
        timely=None,
    )
    decided = columns.get("decision_date")
    if isinstance(decided, date):
        row.timely, row.calendar_gap = timeliness(ctx, decided)
    return row


def record_columns(info_class: InfoClass, data: dict[str, Any]) -> dict[str, Any]:
    """The record columns a row fills (`ROLE_COLUMNS`: the field of each role → its column)."""
    columns: dict[str, Any] = {}
    for role, column in ROLE_COLUMNS.items():
        fld = _by_role(info_class, role)
        value = data.get(fld.id) if fld else None
        is_date = fld is not None and fld.type == "date" and value is not None
        columns[column] = date.fromisoformat(str(value)) if is_date else value
    return columns


def timeliness(ctx: Context, decided: date) -> tuple[bool | None, int | None]:
    """Reported within the class's working days of the decision? Or the year without calendar."""
    days = ctx.info_class.timeliness_working_days
    if not days:
        return None, None
    try:
        deadline = clock.add_working_days(decided, days, ctx.calendar)
    except clock.CalendarYearMissing as exc:
        return None, exc.year
    return ctx.received_on <= deadline, None
