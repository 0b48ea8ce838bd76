"""Masking ID numbers for display, logs and free text; USCCs stay readable."""

from __future__ import annotations

import re

from xinyong.identifiers.core import _ID_IN_TEXT, _ID_SHAPE, _id_check_ok, normalise
from xinyong.identifiers.id_number import _plausible_birth
from xinyong.identifiers.uscc import is_valid_uscc

# --- masking ----------------------------------------------------------------------------------


def _is_person_number(code: str) -> bool:
    """Mask unless it is surely not an ID number: privacy wins every tie."""
    if len(code) == 15:
        return code.isascii() and code.isdigit()
    if not _ID_SHAPE.fullmatch(code):
        return False
    if not is_valid_uscc(code):
        return True
    return _plausible_birth(code[6:14]) and _id_check_ok(code)


def mask_id_number(code: str) -> str:
    """Hide the birth date: "110105********002X"; 15-digit legacy keeps 6 + 3; others all '*'."""
    code = normalise(code)
    if len(code) == 18:
        return code[:6] + "*" * 8 + code[-4:]
    if len(code) == 15:
        return code[:6] + "*" * 6 + code[-3:]
    return "*" * len(code)


def mask_code(code: str) -> str:
    """Mask an ID number (18 or 15 digits); return a USCC or anything else unchanged."""
    return mask_id_number(code) if _is_person_number(normalise(code)) else code


def _mask_match(match: re.Match[str]) -> str:
    token = match.group(0)
    return mask_id_number(token) if _is_person_number(normalise(token)) else token


def mask_text(text: str) -> str:
    """Mask every ID-number-shaped token (17 digits + digit/X, or 15 digits) in free text."""
    return _ID_IN_TEXT.sub(_mask_match, text)
