"""Shared parts of the identifier rules: code tables, weights, the error, normalising, check
characters and the Excel-damage heuristic."""

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
_ORG_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # GB 11714: A=10 … Z=35
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
    if raw.isascii() and raw.isalnum() and raw == raw.upper():
        return raw  # already its own fixpoint: nothing for NFKC, spaces, quotes or upper()
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
    _require(_ORG, "组织机构代码本体", first8, 8, _ORG_ALPHABET, "仅限数字和大写字母")
    total = sum(_ORG_ALPHABET.index(c) * w for c, w in zip(first8, _ORG_WEIGHTS, strict=True))
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
