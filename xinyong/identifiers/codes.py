"""Either kind of subject code: tell the shapes apart and validate whichever it is."""

from __future__ import annotations

from datetime import date

from xinyong.identifiers.core import (
    _EXCEL_FLOAT,
    _ID_SHAPE,
    _SUBJECT,
    USCC_ALPHABET,
    IdentifierError,
    SubjectCodeKind,
    _excel_error,
    _id_check_ok,
    _length_error,
    normalise,
)
from xinyong.identifiers.id_number import _plausible_birth, validate_id_number
from xinyong.identifiers.uscc import is_valid_uscc, validate_uscc

# --- either kind ------------------------------------------------------------------------------


def _classify_normalised(code: str) -> SubjectCodeKind | None:
    if len(code) != 18:
        return None
    if _ID_SHAPE.fullmatch(code) and _plausible_birth(code[6:14]):
        # Both shapes fit (digits, maybe a final X): a code passing only the USCC checks is a USCC.
        if not _id_check_ok(code) and is_valid_uscc(code):
            return "uscc"
        return "id_number"
    return "uscc" if all(c in USCC_ALPHABET for c in code) else None


def classify(raw: str) -> SubjectCodeKind | None:
    """Which subject code this looks like (18 characters only), without validating it."""
    return _classify_normalised(normalise(raw))


def validate_subject_code(raw: str, *, today: date | None = None) -> tuple[SubjectCodeKind, str]:
    """Validate a USCC or an 18-character ID number; return its kind and normalised code."""
    code = normalise(raw)
    if not code:
        raise IdentifierError("主体代码为空", code=f"{_SUBJECT}.empty")
    if _EXCEL_FLOAT.fullmatch(code):
        raise _excel_error(_SUBJECT, f"读到“{code}”")
    kind = _classify_normalised(code)
    if kind == "uscc":
        return kind, validate_uscc(code).code
    if kind == "id_number":
        return kind, validate_id_number(code, today=today).code
    if len(code) != 18:
        raise _length_error(_SUBJECT, "主体代码", 18, len(code), "（统一社会信用代码或身份证号码）")
    position = next(i for i, c in enumerate(code, start=1) if c not in USCC_ALPHABET)
    char = code[position - 1]
    msg = f"第{position}位字符“{char}”既不是统一社会信用代码也不是身份证号码允许的字符"
    raise IdentifierError(msg, code=f"{_SUBJECT}.charset", position=position, actual=char)
