"""Identifier algorithms (rules.md §4): vectors, one test per error code, and properties."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xinyong import identifiers
from xinyong.errors import InvalidInput
from xinyong.identifiers import (
    USCC_ALPHABET,
    USCC_AUTHORITIES,
    IdentifierError,
    classify,
    id_check_char,
    is_valid_id_number,
    is_valid_uscc,
    mask_code,
    mask_id_number,
    mask_text,
    normalise,
    org_code_check_char,
    uscc_check_char,
    validate_id_number,
    validate_subject_code,
    validate_uscc,
)

# rules.md §4.4 — every listed code passes both the USCC and the embedded org-code check.
USCC_VECTORS = [
    ("914403001922038216", "华为技术有限公司"),
    ("9144030071526726XG", "腾讯科技（深圳）有限公司"),
    ("91330100716105852F", "阿里巴巴（中国）有限公司"),
    ("91110000710926094P", "中国石油化工股份有限公司"),
    ("91520000214434146R", "贵州茅台酒股份有限公司"),
    ("91440300192317458F", "比亚迪股份有限公司"),
    ("91110108551385082Q", "小米科技有限责任公司"),
    ("91320100748204660Q", "南京钢铁联合有限公司"),
    ("91320281142232229Q", "江苏华西集团有限公司"),
    ("91310000132215150M", "中国华源集团有限公司"),
    ("91320000134762764K", "江苏宁沪高速公路股份有限公司"),
    ("91320105780688132K", "江苏华祝建设工程有限公司"),
    ("91230500MA1B3N1N2M", "双鸭山智慧城市运营有限公司"),
    ("11320100MB1886843H", "南京市规划和自然资源局"),
    ("11230500001755309F", "双鸭山市公安局"),
    ("11341700MB1915595L", "宣城市市场监督管理局"),
]
HUAWEI = "914403001922038216"
ID_X = "11010519491231002X"  # GB 11643's own example, check X
ID_1880 = "440524188001010014"  # GB 11643's own example, born 1880-01-01

FULL_WIDTH = {c: chr(ord(c) + 0xFEE0) for c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"}


def full_width(code: str) -> str:
    return "".join(FULL_WIDTH[c] for c in code)


def with_check(body17: str) -> str:
    return body17 + uscc_check_char(body17)


def fails(func: Callable[..., object], raw: str, code: str, **kwargs: Any) -> IdentifierError:
    with pytest.raises(IdentifierError) as caught:
        func(raw, **kwargs)
    assert caught.value.code == code, caught.value.message
    return caught.value


# --- vectors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("code", "holder"), USCC_VECTORS, ids=[h for _, h in USCC_VECTORS])
def test_uscc_vectors_pass(code: str, holder: str) -> None:
    info = validate_uscc(code)
    assert info.code == code
    assert info.warnings == ()
    assert org_code_check_char(code[8:16]) == code[16]
    assert is_valid_uscc(code)
    assert classify(code) == "uscc"
    assert validate_subject_code(code) == ("uscc", code)
    assert mask_code(code) == code


def test_uscc_parts_and_suggested_kind() -> None:
    info = validate_uscc("11341700MB1915595L")
    assert (info.authority_code, info.authority_label) == ("1", "机构编制")
    assert (info.category_code, info.category_label) == ("1", "机关")
    assert (info.region_code, info.org_code) == ("341700", "MB1915595")
    assert info.suggested_kind == "government"
    assert validate_uscc(HUAWEI).suggested_kind == "enterprise"


@pytest.mark.parametrize(
    ("prefix", "kind"),
    [("92", "individual_business"), ("12", "public_institution"), ("51", "social_org"),
     ("A1", "public_institution"), ("N2", None), ("19", None), ("Y1", None)],
)  # fmt: skip
def test_suggested_kind_per_category(prefix: str, kind: str | None) -> None:
    org = "MA1B3N1N"
    code = with_check(prefix + "440300" + org + org_code_check_char(org))
    assert validate_uscc(code).suggested_kind == kind


def test_unknown_category_is_a_warning_not_an_error() -> None:
    org = "MA1B3N1N"
    code = with_check("94440300" + org + org_code_check_char(org))
    info = validate_uscc(code)
    assert info.category_label is None
    assert len(info.warnings) == 1
    assert "“4”" in info.warnings[0]
    assert "工商" in info.warnings[0]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(ID_X, ID_X), ("11010519491231002x", ID_X), ("110105491231002", ID_X)],
    ids=["GB11643 example", "lower-case x", "15-digit legacy"],
)
def test_id_vectors_pass(raw: str, expected: str) -> None:
    info = validate_id_number(raw, today=date(2026, 1, 1))
    assert info.code == expected
    assert info.birth_date == date(1949, 12, 31)
    assert info.sex == "female"
    assert info.region_code == "110105"
    assert is_valid_id_number(raw)


def test_1880_vector_has_a_correct_check_digit_but_is_before_the_1900_floor() -> None:
    # rules.md lists it as valid under GB 11643; the platform's policy rejects births before 1900.
    assert id_check_char(ID_1880[:17]) == "4"
    error = fails(validate_id_number, ID_1880, "identifiers.id_number.birth_date")
    assert "早于1900年" in error.message
    assert classify(ID_1880) == "id_number"


def test_sex_from_sequence_parity() -> None:
    body = "11010519800101001"
    assert validate_id_number(body + id_check_char(body)).sex == "male"


# --- USCC failures ----------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["", "   ", "\u3000", "'", '""'])
def test_uscc_empty(raw: str) -> None:
    fails(validate_uscc, raw, "identifiers.uscc.empty")


def test_uscc_length() -> None:
    error = fails(validate_uscc, HUAWEI[:17], "identifiers.uscc.length")
    assert error.message == "统一社会信用代码应为18位，实际为17位"
    assert error.details["expected"] == "18"


def test_uscc_charset_names_position_and_char() -> None:
    error = fails(validate_uscc, HUAWEI[:4] + "I" + HUAWEI[5:], "identifiers.uscc.charset")
    assert error.message.startswith("第5位字符“I”不是统一社会信用代码允许的字符")
    assert "I、O、Z、S、V" in error.message
    assert error.details["position"] == 5
    assert error.details["actual"] == "I"
    fails(validate_uscc, "91440300-192203821", "identifiers.uscc.charset")


@pytest.mark.parametrize("first", ["B", "0", "C"])
def test_uscc_authority(first: str) -> None:
    error = fails(validate_uscc, first + HUAWEI[1:], "identifiers.uscc.authority")
    assert f"第1位登记管理部门代码“{first}”" in error.message
    assert error.details["position"] == 1


def test_uscc_region_must_be_digits() -> None:
    error = fails(validate_uscc, "9144A3001922038216", "identifiers.uscc.region")
    assert "第5位为“A”" in error.message
    assert error.details["position"] == 5


def test_uscc_org_code() -> None:
    error = fails(validate_uscc, "91310000132209291A", "identifiers.uscc.org_code")
    assert error.message.startswith("第9–17位组织机构代码校验位应为“5”，实际为“1”")
    assert error.details == {"position": 17, "expected": "5", "actual": "1"}


def test_uscc_check_char() -> None:
    error = fails(validate_uscc, HUAWEI[:17] + "7", "identifiers.uscc.check_char")
    assert error.message == "校验码（第18位）应为“6”，实际为“7”，请核对是否录入有误"
    assert error.details == {"position": 18, "expected": "6", "actual": "7"}
    assert isinstance(error, InvalidInput)
    assert error.status == 422
    assert error.as_dict()["error"] == "identifiers.uscc.check_char"


@pytest.mark.parametrize(
    "raw",
    [str(int(float(HUAWEI))), "9.14403E+17", "9.14403001922038E+17", "9.14403001922038e+17",
     "914403001922038000", "914403001922038216.0"],
)  # fmt: skip
def test_uscc_excel_mangled(raw: str) -> None:
    error = fails(validate_uscc, raw, "identifiers.uscc.excel_mangled")
    assert "Excel" in error.message
    assert "文本格式" in error.message


def test_check_char_functions_reject_bad_input() -> None:
    fails(uscc_check_char, "9144", "identifiers.uscc.length")
    fails(org_code_check_char, "1922038-", "identifiers.org_code.charset")
    fails(id_check_char, "1101051949123100X", "identifiers.id_number.charset")


# --- ID number failures -----------------------------------------------------------------------


def test_id_empty_and_length() -> None:
    fails(validate_id_number, " ", "identifiers.id_number.empty")
    error = fails(validate_id_number, ID_X[:16], "identifiers.id_number.length")
    assert error.message == "身份证号码应为18位（或15位旧号码），实际为16位"


@pytest.mark.parametrize(("raw", "position", "char"), [(ID_X[:17] + "A", 18, "A"),
                                                        ("1101A5194912310021", 5, "A"),
                                                        ("11010549123100A", 15, "A")])  # fmt: skip
def test_id_charset(raw: str, position: int, char: str) -> None:
    error = fails(validate_id_number, raw, "identifiers.id_number.charset")
    assert error.message.startswith(f"第{position}位字符“{char}”")
    assert error.details["position"] == position


def test_id_birth_date() -> None:
    error = fails(validate_id_number, "11010519491331002X", "identifiers.id_number.birth_date")
    assert error.message == "第7–14位出生日期“19491331”不是有效日期"
    error = fails(validate_id_number, "110105491331002", "identifiers.id_number.birth_date")
    assert error.message == "第7–12位出生日期“491331”不是有效日期"
    fails(validate_id_number, "110105189912310021", "identifiers.id_number.birth_date")


def test_id_future_birth_only_when_today_is_given() -> None:
    body = "11010520300101001"
    code = body + id_check_char(body)
    error = fails(
        validate_id_number, code, "identifiers.id_number.future_birth", today=date(2026, 1, 1)
    )
    assert "20300101" in error.message
    assert "2026-01-01" in error.message
    assert validate_id_number(code).birth_date == date(2030, 1, 1)


def test_id_check_digit() -> None:
    error = fails(validate_id_number, ID_X[:17] + "1", "identifiers.id_number.check_digit")
    assert error.message == "校验码（第18位）应为“X”，实际为“1”，请核对是否录入有误"


def test_id_excel_mangled() -> None:
    body = "44052419800101001"
    code = body + id_check_char(body)
    mangled = str(int(float(code)))
    assert mangled != code
    fails(validate_id_number, mangled, "identifiers.id_number.excel_mangled")
    fails(validate_id_number, "4.40524E+17", "identifiers.id_number.excel_mangled")


# --- classify and validate_subject_code -------------------------------------------------------


def test_classify() -> None:
    assert classify(HUAWEI) == "uscc"
    assert classify(" 11010519491231002x ") == "id_number"
    assert classify("110105491231002") is None
    assert classify("公司") is None
    assert classify("91440300MA5F中KL0Q1") is None


def test_validate_subject_code() -> None:
    assert validate_subject_code("9144030071526726xg") == ("uscc", "9144030071526726XG")
    assert validate_subject_code("11010519491231002x") == ("id_number", ID_X)
    fails(validate_subject_code, "", "identifiers.subject_code.empty")
    fails(validate_subject_code, "9.14403E+17", "identifiers.subject_code.excel_mangled")
    fails(validate_subject_code, "110105491231002", "identifiers.subject_code.length")
    error = fails(validate_subject_code, "91440300MA5F中KL0Q1", "identifiers.subject_code.charset")
    assert error.details["position"] == 13
    fails(validate_subject_code, HUAWEI[:17] + "7", "identifiers.uscc.check_char")
    fails(validate_subject_code, ID_X[:17] + "1", "identifiers.id_number.check_digit")
    body = "11010520300101001"
    fails(
        validate_subject_code,
        body + id_check_char(body),
        "identifiers.id_number.future_birth",
        today=date(2026, 1, 1),
    )


# --- normalise and masking --------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [f"'{HUAWEI}", f'="{HUAWEI}"', f" {HUAWEI[:9]}\u3000{HUAWEI[9:]}\n", f"\u200b{HUAWEI}\ufeff",
     f"{HUAWEI[:6]}\xa0{HUAWEI[6:]}", full_width(HUAWEI), f"“{HUAWEI}”"],
)  # fmt: skip
def test_normalise_cleans_pasted_codes(raw: str) -> None:
    assert normalise(raw) == HUAWEI
    assert normalise("9144030071526726xg") == "9144030071526726XG"


def test_mask_id_number_and_code() -> None:
    assert mask_id_number(ID_X) == "110105********002X"
    assert mask_id_number("110105491231002") == "110105******002"
    assert mask_id_number("abc") == "***"
    assert mask_code("11010519491231002x") == "110105********002X"
    assert mask_code("110105491231002") == "110105******002"
    assert mask_code(HUAWEI) == HUAWEI
    assert mask_code("张三") == "张三"


def test_mask_text() -> None:
    text = (
        f"当事人张三（身份证号{ID_X.lower()}，旧号110105491231002）ID{ID_X}号；"
        f"全角{full_width(ID_X)}；单位{HUAWEI}；电话13800138000；长数字1234567890123456789"
    )
    masked = mask_text(text)
    assert "19491231" not in masked
    assert "491231" not in masked
    assert "１９４９１２３１" not in masked
    assert masked.count("110105********002X") == 3
    assert HUAWEI in masked
    assert "13800138000" in masked
    assert "1234567890123456789" in masked


# --- properties -------------------------------------------------------------------------------

PAIRS = sorted((r, c) for r, (_, cats) in USCC_AUTHORITIES.items() for c in cats)


@st.composite
def valid_usccs(draw: st.DrawFn) -> str:
    authority, category = draw(st.sampled_from(PAIRS))
    region = draw(st.text("0123456789", min_size=6, max_size=6))
    org = draw(st.text(USCC_ALPHABET, min_size=8, max_size=8))
    return with_check(authority + category + region + org + org_code_check_char(org))


@st.composite
def valid_id_numbers(draw: st.DrawFn) -> str:
    region = draw(st.integers(110000, 829999))
    born = draw(st.dates(date(1900, 1, 1), date(2025, 12, 31)))
    sequence = draw(st.integers(0, 999))
    body = f"{region}{born:%Y%m%d}{sequence:03d}"
    return body + id_check_char(body)


@given(valid_usccs())
def test_check_char_makes_any_valid_body_valid(code: str) -> None:
    info = validate_uscc(code)
    assert info.code == code
    assert info.warnings == ()


@given(valid_usccs(), st.integers(0, 17), st.sampled_from(USCC_ALPHABET + "IOZSV-中"))
def test_any_single_substitution_is_rejected(code: str, position: int, char: str) -> None:
    if code[position] == char:
        return
    assert not is_valid_uscc(code[:position] + char + code[position + 1 :])


@given(st.text())
def test_normalise_is_idempotent(raw: str) -> None:
    once = normalise(raw)
    assert normalise(once) == once


@given(valid_usccs(), st.booleans())
def test_full_width_validates_to_same_code(code: str, spaced: bool) -> None:
    raw = full_width(code)
    if spaced:
        raw = f"\u3000{raw[:8]}\u3000{raw[8:]}\u3000"
    assert validate_uscc(raw).code == code


no_digits = st.text(st.characters(exclude_categories=["Nd"]), max_size=20)


@given(valid_id_numbers(), no_digits, no_digits, st.sampled_from(["plain", "lower", "wide"]))
def test_mask_text_never_leaves_the_birth_date(
    code: str, before: str, after: str, form: str
) -> None:
    shown = {"plain": code, "lower": code.lower(), "wide": full_width(code)}[form]
    masked = mask_text(before + shown + after)
    assert code[6:14] not in masked
    assert mask_id_number(code) in masked
    assert code[6:14] not in mask_code(code)


@given(st.text("0123456789", min_size=17, max_size=17), st.integers(0, 16), st.integers(1, 9))
def test_id_check_char_round_trip(body: str, position: int, shift: int) -> None:
    check = id_check_char(body)
    assert check in "0123456789X"
    changed = body[:position] + str((int(body[position]) + shift) % 10) + body[position + 1 :]
    assert id_check_char(changed) != check


@given(valid_id_numbers())
def test_generated_id_numbers_validate(code: str) -> None:
    info = validate_id_number(code.lower(), today=date(2026, 1, 1))
    assert info.code == code
    assert f"{info.birth_date:%Y%m%d}" == code[6:14]
    assert info.sex == ("male" if int(code[16]) % 2 else "female")
    assert classify(code) == "id_number"


def test_valid_uscc_with_e_between_digits_is_not_excel_notation() -> None:
    body = "919901007E3266607"
    code = body + identifiers.uscc_check_char(body)
    assert identifiers.validate_uscc(code).code == code
    assert identifiers.validate_subject_code(code) == ("uscc", code)
