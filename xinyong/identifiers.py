"""Subject identifiers: 统一社会信用代码 (GB 32100), 组织机构代码 (GB 11714), 身份证号码 (GB 11643).

Owns: normalising what clerks paste or import (full-width, spaces, Excel's apostrophe), the three
check-character algorithms, validation with one error code per failure and a Chinese message that
names the position and the character, telling the two subject-code shapes apart, and masking ID
numbers for display, logs and free text.
Does not: decide whether a subject exists or is a duplicate (subjects), know GB/T 2260 region
names, or decide who may see an unmasked number (auth, disclosure). Imports stdlib and errors only.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import Literal

from xinyong.errors import InvalidInput

SubjectCodeKind = Literal["uscc", "id_number"]
SuggestedKind = Literal[
    "enterprise", "individual_business", "public_institution", "social_org", "government"
]

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 chars: no I, O, Z, S, V
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)  # 3^(i-1) mod 31
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"
EARLIEST_BIRTH = date(1900, 1, 1)  # no living subject is older; GB 11643 itself sets no floor

# GB 32100-2015 表2 with the later additions A and N (rules.md §4.1): R -> (label, {C: label}).
USCC_AUTHORITIES: dict[str, tuple[str, dict[str, str]]] = {
    "1": (
        "机构编制",
        {"1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体", "9": "其他"},
    ),
    "2": ("外交", {"1": "外国常驻新闻机构", "9": "其他"}),
    "3": (
        "司法行政",
        {
            "1": "律师执业机构",
            "2": "公证处",
            "3": "基层法律服务所",
            "4": "司法鉴定机构",
            "5": "仲裁委员会",
            "9": "其他",
        },
    ),
    "4": ("文化", {"1": "外国在华文化中心", "9": "其他"}),
    "5": ("民政", {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"}),
    "6": (
        "旅游",
        {
            "1": "外国旅游部门常驻代表机构",
            "2": "港澳台地区旅游部门常驻内地（大陆）代表机构",
            "9": "其他",
        },
    ),
    "7": ("宗教", {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"}),
    "8": ("工会", {"1": "基层工会", "9": "其他"}),
    "9": ("工商（市场监管）", {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"}),
    "A": ("中央军委改革和编制办公室", {"1": "军队事业单位", "9": "其他"}),
    "N": (
        "农业（农业农村）",
        {"1": "组级集体经济组织", "2": "村级集体经济组织", "3": "乡镇级集体经济组织", "9": "其他"},
    ),
    "Y": ("其他", {"1": "其他"}),
}

# Only the unambiguous pairs; a clerk confirms the kind, so "其他" and mixed bodies suggest nothing.
_SUGGESTED_KINDS: dict[str, SuggestedKind] = {
    "11": "government",
    "12": "public_institution",
    "13": "social_org",
    "51": "social_org",
    "52": "social_org",
    "53": "social_org",
    "81": "social_org",
    "91": "enterprise",
    "92": "individual_business",
    "93": "enterprise",
    "A1": "public_institution",
}

SUGGESTED_KINDS: Mapping[str, SuggestedKind] = MappingProxyType(_SUGGESTED_KINDS)  # read-only view

_QUOTES = "'\"‘’“”`"
# Excel shows large numbers as "9.14403E+17": the sign after E is always there.
_EXCEL_FLOAT = re.compile(r"[0-9]+(?:\.[0-9]*)?E[+-][0-9]+|[0-9]{15,}\.0*")
_ID_SHAPE = re.compile(r"[0-9]{17}[0-9X]")
_DIGIT = "0-9０-９"
_ID_IN_TEXT = re.compile(
    rf"(?<![{_DIGIT}])(?:[{_DIGIT}]{{17}}[{_DIGIT}XxＸｘ]|[{_DIGIT}]{{15}})(?![{_DIGIT}])"
)
_USCC = "identifiers.uscc"
_ORG = "identifiers.org_code"
_ID = "identifiers.id_number"
_SUBJECT = "identifiers.subject_code"


class IdentifierError(InvalidInput):
    """A code fails a GB rule; `.code` names the rule, `.details` the position and characters."""

    code = "identifiers.invalid"

    def __init__(
        self,
        message: str,
        *,
        code: str,
        position: int | None = None,
        expected: str | None = None,
        actual: str | None = None,
    ) -> None:
        details = {"position": position, "expected": expected, "actual": actual}
        super().__init__(message, code=code, details=details)


@dataclass(frozen=True, slots=True)
class UsccInfo:
    """A valid 统一社会信用代码 taken apart; `warnings` are for the clerk, not failures."""

    code: str
    authority_code: str
    authority_label: str
    category_code: str
    category_label: str | None
    region_code: str
    org_code: str
    suggested_kind: SuggestedKind | None
    warnings: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class IdNumberInfo:
    """A valid 居民身份证号码, always in the 18-character upper-case form."""

    code: str
    birth_date: date
    sex: Literal["male", "female"]
    region_code: str


# --- normalising ------------------------------------------------------------------------------


def _normalise_once(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = "".join(c for c in text if not c.isspace() and unicodedata.category(c) != "Cf")
    if text.startswith('="'):  # CSV exporters write ="914…" to keep Excel from eating digits
        text = text[1:]
    return text.strip(_QUOTES).upper()


def normalise(raw: str) -> str:
    """Full-width → half-width (NFKC), drop whitespace and zero-width marks, strip quotes, upper."""
    text = raw
    for _ in range(5):  # NFKC and upper() can each undo the other's work once; stop at a fixpoint
        cleaned = _normalise_once(text)
        if cleaned == text:
            break
        text = cleaned
    return text


# --- check characters -------------------------------------------------------------------------


def _length_error(
    prefix: str, label: str, length: int, actual: int, note: str = ""
) -> IdentifierError:
    msg = f"{label}应为{length}位{note}，实际为{actual}位"
    return IdentifierError(msg, code=f"{prefix}.length", expected=str(length), actual=str(actual))


def _require(prefix: str, label: str, text: str, length: int, allowed: str, hint: str) -> None:
    if len(text) != length:
        raise _length_error(prefix, label, length, len(text))
    for position, char in enumerate(text, start=1):
        if char not in allowed:
            msg = f"第{position}位字符“{char}”不是{label}允许的字符（{hint}）"
            raise IdentifierError(msg, code=f"{prefix}.charset", position=position, actual=char)


_USCC_HINT = "仅限数字和大写字母，不使用 I、O、Z、S、V"


def uscc_check_char(first17: str) -> str:
    """GB 32100 校验码 for the first 17 characters."""
    _require(_USCC, "统一社会信用代码前17位", first17, 17, USCC_ALPHABET, _USCC_HINT)
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def org_code_check_char(first8: str) -> str:
    """GB 11714 校验码 for the 8-character 组织机构代码 body (A=10 … Z=35)."""
    allowed = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    _require(_ORG, "组织机构代码本体", first8, 8, allowed, "仅限数字和大写字母")
    total = sum(allowed.index(c) * w for c, w in zip(first8, _ORG_WEIGHTS, strict=True))
    remainder = 11 - total % 11
    return "0" if remainder == 11 else "X" if remainder == 10 else str(remainder)


def id_check_char(first17: str) -> str:
    """GB 11643 校验码 for the first 17 digits of an ID number."""
    _require(_ID, "身份证号码前17位", first17, 17, "0123456789", "只能是数字")
    total = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARS[total % 11]


def _uscc_check_ok(code: str) -> bool:
    return uscc_check_char(code[:17]) == code[17]


def _id_check_ok(code: str) -> bool:
    return _ID_SHAPE.fullmatch(code) is not None and id_check_char(code[:17]) == code[17]


def _excel_mangled(code: str, check_ok: bool) -> bool:
    """Excel keeps 15 significant digits: look for scientific notation or a float-rounded tail.

    A code whose check character holds is never called mangled (USCCs such as
    919901007E32666070 legitimately have an E between digits).
    """
    if check_ok:
        return False
    if _EXCEL_FLOAT.fullmatch(code):
        return True
    if len(code) != 18 or not (code.isascii() and code.isdigit()) or check_ok:
        return False
    if code.startswith("0"):  # a number never keeps a leading zero, so Excel did not touch it
        return False
    return code.endswith("000") or int(float(code)) == int(code)


def _excel_error(prefix: str, shown: str) -> IdentifierError:
    return IdentifierError(
        f"疑似被 Excel 按数字保存导致末位失真（{shown}，Excel 只保留15位有效数字），"
        "请将该列设为文本格式后重新导出",
        code=f"{prefix}.excel_mangled",
    )


# --- 统一社会信用代码 ---------------------------------------------------------------------------


def validate_uscc(raw: str) -> UsccInfo:
    """Normalise and check a USCC; raise `IdentifierError` naming the first failed rule."""
    code = normalise(raw)
    if not code:
        raise IdentifierError("统一社会信用代码为空", code=f"{_USCC}.empty")
    uscc_shaped = len(code) == 18 and all(c in USCC_ALPHABET for c in code)
    if _excel_mangled(code, uscc_shaped and _uscc_check_ok(code)):
        raise _excel_error(_USCC, f"读到“{code}”")
    _require(_USCC, "统一社会信用代码", code, 18, USCC_ALPHABET, _USCC_HINT)
    authority = USCC_AUTHORITIES.get(code[0])
    if authority is None:
        msg = f"第1位登记管理部门代码“{code[0]}”无效（应为 1–9、A、N、Y 之一）"
        raise IdentifierError(msg, code=f"{_USCC}.authority", position=1, actual=code[0])
    for position, char in enumerate(code[2:8], start=3):
        if not char.isdigit():
            msg = f"第3–8位登记管理机关行政区划码应为数字，第{position}位为“{char}”"
            raise IdentifierError(msg, code=f"{_USCC}.region", position=position, actual=char)
    org_check = org_code_check_char(code[8:16])
    _check(_USCC, "org_code", "第9–17位组织机构代码校验位", 17, org_check, code)
    _check(_USCC, "check_char", "校验码（第18位）", 18, uscc_check_char(code[:17]), code)
    authority_label, categories = authority
    category_label = categories.get(code[1])
    warnings: tuple[str, ...] = ()
    if category_label is None:
        warnings = (
            f"第2位机构类别代码“{code[1]}”不在登记管理部门“{authority_label}”的已知类别中"
            "（GB 32100 表2），请核实",
        )
    return UsccInfo(
        code=code,
        authority_code=code[0],
        authority_label=authority_label,
        category_code=code[1],
        category_label=category_label,
        region_code=code[2:8],
        org_code=code[8:17],
        suggested_kind=_SUGGESTED_KINDS.get(code[:2]),
        warnings=warnings,
    )


def _check(prefix: str, reason: str, what: str, position: int, expected: str, code: str) -> None:
    actual = code[position - 1]
    if actual != expected:
        msg = f"{what}应为“{expected}”，实际为“{actual}”，请核对是否录入有误"
        error_code = f"{prefix}.{reason}"
        raise IdentifierError(
            msg, code=error_code, position=position, expected=expected, actual=actual
        )


def is_valid_uscc(raw: str) -> bool:
    try:
        validate_uscc(raw)
    except IdentifierError:
        return False
    return True


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
