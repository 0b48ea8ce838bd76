"""统一社会信用代码 (GB 32100-2015) with its embedded 组织机构代码 (GB 11714) check."""

from __future__ import annotations

from xinyong.identifiers.core import (
    _SUGGESTED_KINDS,
    _USCC,
    _USCC_HINT,
    USCC_ALPHABET,
    USCC_AUTHORITIES,
    IdentifierError,
    UsccInfo,
    _excel_error,
    _excel_mangled,
    _require,
    _uscc_check_ok,
    normalise,
    org_code_check_char,
    uscc_check_char,
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
