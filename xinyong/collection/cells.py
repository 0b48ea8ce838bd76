"""Cells: how one submitted value becomes a normalised value of a catalog field type.

Pure functions, no catalog lookups beyond the code table handed in. Each parser returns the
normalised value or raises `CellError` with an error code and a Chinese message for the clerk.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from xinyong.catalog.schema import CodeTable

# What departments write for "nothing here": treated as an empty cell.
EMPTY_TOKENS = frozenset(
    {"无", "—", "——", "-", "--", "/", "／", "null", "NULL", "None", "N/A", "空"}
)
_STRIP = " \t\r\n\u3000\u00a0\u200b\ufeff"
_MULTI_SPLIT = re.compile(r"[;；,，、|]")
_EXCEL_EPOCH = date(1899, 12, 30)
_SERIAL = re.compile(r"[0-9]{4,5}(?:\.[0-9]+)?")
_DATE_PATTERNS = (
    re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]?00:00(?::00(?:\.0+)?)?)?"),
    re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})(?:[ T]?0?0:00(?::00)?)?"),
    re.compile(r"(\d{4})\.(\d{1,2})\.(\d{1,2})"),
    re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日"),
    re.compile(r"(\d{4})(\d{2})(\d{2})"),
)
SERIAL_MIN, SERIAL_MAX = 10000, 80000  # Excel serials 1927 … 2119: plausible decision dates


class CellError(Exception):
    """One cell fails its field's rule."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def clean(raw: object) -> str | None:
    """Trim blanks (incl. full-width and zero-width), map 无 / — and the like to empty."""
    if raw is None:
        return None
    text = str(raw).strip(_STRIP)
    if not text or text in EMPTY_TOKENS:
        return None
    return text


def compact(text: str) -> str:
    """Full-width → half-width and no inner blanks: for dates, amounts and codes, never names."""
    folded = unicodedata.normalize("NFKC", text)
    return "".join(c for c in folded if not c.isspace())


def parse_date(text: str) -> date:
    value = compact(text)
    if _SERIAL.fullmatch(value) and SERIAL_MIN <= float(value) < SERIAL_MAX:
        return _EXCEL_EPOCH + timedelta(days=int(float(value)))
    for pattern in _DATE_PATTERNS:
        match = pattern.fullmatch(value)
        if match:
            year, month, day = (int(g) for g in match.groups())
            try:
                return date(year, month, day)
            except ValueError:
                break
    raise CellError("collection.bad_date", f"“{text[:40]}”不是有效日期（应为 YYYY-MM-DD）")


def parse_decimal(text: str) -> str:
    value = compact(text).replace(",", "")
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise CellError("collection.bad_decimal", f"“{text[:40]}”不是有效数值") from None
    if not number.is_finite():
        raise CellError("collection.bad_decimal", f"“{text[:40]}”不是有效数值")
    if number < 0:
        raise CellError("collection.negative_amount", f"金额不能为负数（“{text[:40]}”）")
    return format(number.normalize(), "f")


def parse_integer(text: str) -> int:
    value = compact(text)
    if value.endswith(".0"):
        value = value[:-2]
    if not value.isdigit():
        raise CellError("collection.bad_integer", f"“{text[:40]}”不是非负整数")
    return int(value)


def parse_enum(text: str, table: CodeTable) -> str:
    label = table.normalise(text)
    if label is None:
        allowed = "、".join(v.label for v in table.values[:8])
        more = "等" if len(table.values) > 8 else ""  # noqa: PLR2004 — display only
        raise CellError(
            "collection.unknown_code",
            f"“{text[:40]}”不在代码表“{table.title}”中（可填：{allowed}{more}）",
        )
    return label


def parse_multi(text: str, table: CodeTable) -> list[str]:
    labels: list[str] = []
    for part in _MULTI_SPLIT.split(text):
        item = clean(part)
        if item is not None:
            label = parse_enum(item, table)
            if label not in labels:
                labels.append(label)
    if not labels:
        raise CellError("collection.unknown_code", f"“{text[:40]}”中没有可识别的代码")
    return labels


def check_length(text: str, max_length: int | None) -> None:
    if max_length is not None and len(text) > max_length:
        raise CellError("collection.too_long", f"长度 {len(text)} 超过上限 {max_length} 个字符")
