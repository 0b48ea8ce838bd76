"""居民身份证号码 (GB 11643-1999): check digit, birth date, 15-digit legacy numbers."""

from __future__ import annotations

from datetime import date
from typing import Literal

from xinyong.identifiers.core import (
    _ID,
    EARLIEST_BIRTH,
    IdentifierError,
    IdNumberInfo,
    _excel_error,
    _excel_mangled,
    _id_check_ok,
    _length_error,
    _require,
    id_check_char,
    normalise,
)
from xinyong.identifiers.uscc import _check

# --- 居民身份证号码 -----------------------------------------------------------------------------


def _parse_date(text: str) -> date | None:
    if not (len(text) == 8 and text.isascii() and text.isdigit()):
        return None
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


def _plausible_birth(text: str) -> bool:
    """A real calendar date in 1800–2099: enough to tell an ID number's shape from a USCC's."""
    parsed = _parse_date(text)
    return parsed is not None and 1800 <= parsed.year <= 2099


def _birth_date(code: str, today: date | None) -> date:
    legacy = len(code) == 15
    date_text = "19" + code[6:12] if legacy else code[6:14]
    shown, span = (date_text[2:], "7–12") if legacy else (date_text, "7–14")
    birth = _parse_date(date_text)
    if birth is None or birth < EARLIEST_BIRTH:
        why = "早于1900年，" if birth is not None else ""
        msg = f"第{span}位出生日期“{shown}”{why}不是有效日期"
        raise IdentifierError(msg, code=f"{_ID}.birth_date", position=7, actual=shown)
    if today is not None and birth > today:
        msg = f"第{span}位出生日期“{shown}”晚于今天（{today.isoformat()}），请核对"
        raise IdentifierError(msg, code=f"{_ID}.future_birth", position=7, actual=shown)
    return birth


def validate_id_number(raw: str, *, today: date | None = None) -> IdNumberInfo:
    """Normalise and check an ID number (18 digits/X, or 15-digit legacy, converted to 18)."""
    code = normalise(raw)
    if not code:
        raise IdentifierError("身份证号码为空", code=f"{_ID}.empty")
    if _excel_mangled(code, _id_check_ok(code)):
        raise _excel_error(_ID, "末几位已被改动")
    if len(code) not in (15, 18):
        raise _length_error(_ID, "身份证号码", 18, len(code), "（或15位旧号码）")
    digits = "0123456789"
    if len(code) == 15:
        _require(_ID, "身份证号码", code, 15, digits, "15位旧号码只能是数字")
    else:
        hint = "前17位只能是数字，第18位为数字或 X"
        _require(_ID, "身份证号码", code[:17], 17, digits, hint)
        _require(_ID, "身份证号码", code, 18, digits + "X", hint)
    birth = _birth_date(code, today)
    if len(code) == 15:
        body = code[:6] + "19" + code[6:]
        code = body + id_check_char(body)
    _check(_ID, "check_digit", "校验码（第18位）", 18, id_check_char(code[:17]), code)
    sex: Literal["male", "female"] = "male" if int(code[16]) % 2 else "female"
    return IdNumberInfo(code=code, birth_date=birth, sex=sex, region_code=code[:6])


def is_valid_id_number(raw: str) -> bool:
    try:
        validate_id_number(raw)
    except IdentifierError:
        return False
    return True
