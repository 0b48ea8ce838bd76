"""python-stdnum as the oracle: the scalar and the vectorised identifier checks agree with it and
with each other on random codes and on codes with one character changed.

stdnum knows the USCC check character (stdnum.cn.uscc) and the ID-number check digit
(stdnum.cn.ric); it does not check the embedded organisation code nor GB/T 2260 regions the way
the platform does, so those rules are compared with the platform's own scalar function.
"""

from __future__ import annotations

from datetime import date

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import ric as stdnum_ric
from stdnum.cn import uscc as stdnum_uscc
from stdnum.exceptions import ValidationError

from xinyong import identifiers
from xinyong.identifiers import frames

TODAY = date(2026, 11, 23)
AUTHORITIES = "".join(identifiers.USCC_AUTHORITIES)
ALPHABET = identifiers.USCC_ALPHABET
MUTATIONS = ALPHABET + "IOZSVx -"


@st.composite
def usccs(draw: st.DrawFn) -> str:
    """A USCC that is valid, or valid but for one character (sometimes the org-code check)."""
    body = draw(st.sampled_from(AUTHORITIES)) + draw(st.text("0123456789", min_size=1,
                                                             max_size=1))  # fmt: skip
    body += draw(st.text("0123456789", min_size=6, max_size=6))
    org = draw(st.text(ALPHABET, min_size=8, max_size=8))
    org_check = draw(st.one_of(st.just(identifiers.org_code_check_char(org)),
                               st.sampled_from(ALPHABET)))  # fmt: skip
    code = body + org + org_check
    code += identifiers.uscc_check_char(code)
    if draw(st.booleans()):
        i = draw(st.integers(0, 17))
        code = code[:i] + draw(st.sampled_from(MUTATIONS)) + code[i + 1 :]
    return code


@st.composite
def id_numbers(draw: st.DrawFn) -> str:
    region = draw(st.integers(110000, 829999))
    born = draw(st.dates(date(1880, 1, 1), date(2030, 12, 31)))
    body = f"{region}{born:%Y%m%d}{draw(st.integers(0, 999)):03d}"
    code = body + identifiers.id_check_char(body)
    if draw(st.booleans()):
        i = draw(st.integers(0, 17))
        code = code[:i] + draw(st.sampled_from("0123456789Xx ")) + code[i + 1 :]
    return code


def _stdnum_uscc_check_holds(code: str) -> bool:
    return stdnum_uscc.calc_check_digit(code[:17]) == code[17]


@settings(max_examples=300, deadline=None)
@given(st.text(ALPHABET, min_size=17, max_size=17))
def test_check_characters_are_stdnums(body: str) -> None:
    assert identifiers.uscc_check_char(body) == stdnum_uscc.calc_check_digit(body)
    digits = "".join(str(ALPHABET.index(c) % 10) for c in body)
    assert identifiers.id_check_char(digits) == stdnum_ric.calc_check_digit(digits + "?")


@settings(max_examples=100, deadline=None)
@given(st.lists(usccs(), min_size=1, max_size=40))
def test_uscc_scalar_vectorised_and_stdnum_agree(codes: list[str]) -> None:
    fast = frames.uscc_ok(pl.Series(codes, dtype=pl.String)).to_list()
    for code, vectorised in zip(codes, fast, strict=True):
        scalar = identifiers.is_valid_uscc(code)
        # The vectorised form takes canonical codes only (others go to the scalar validator).
        assert vectorised == (scalar and code == identifiers.normalise(code)), code
        canonical = len(code) == 18 and all(c in ALPHABET for c in code)
        if canonical and code[:8].isdigit():
            org_ok = identifiers.org_code_check_char(code[8:16]) == code[16]
            assert scalar == (stdnum_uscc.is_valid(code) and org_ok), code
        if scalar:
            assert _stdnum_uscc_check_holds(code)


@settings(max_examples=100, deadline=None)
@given(st.lists(id_numbers(), min_size=1, max_size=40))
def test_id_number_scalar_vectorised_and_stdnum_agree(codes: list[str]) -> None:
    fast = frames.id_number_ok(pl.Series(codes, dtype=pl.String), TODAY).to_list()
    for code, vectorised in zip(codes, fast, strict=True):
        try:
            scalar = identifiers.validate_id_number(code, today=TODAY).code == code
        except identifiers.IdentifierError:
            scalar = False
        assert vectorised == (scalar and code == identifiers.normalise(code)), code
        shaped = len(code) == 18 and code[:17].isdigit() and code[17] in "0123456789X"
        if shaped:
            check_ok = stdnum_ric.calc_check_digit(code) == code[17]
            try:
                born = stdnum_ric.get_birth_date(code)
            except ValidationError:
                born = None
            assert scalar == (check_ok and born is not None and date(1900, 1, 1) <= born <= TODAY)


def test_vectorised_forms_take_nulls_and_garbage() -> None:
    codes = pl.Series([None, "", "abc", "91350100M000100Y43", "11010519491231002X"])
    assert frames.uscc_ok(codes).to_list() == [False, False, False, True, False]
    assert frames.id_number_ok(codes, TODAY).to_list() == [False, False, False, False, True]


def test_log_masks_with_the_portals_function() -> None:
    from xinyong import log  # noqa: PLC0415

    text = "查询 11010519491231002X 与 110105491231002 及 91350100M000100Y43"
    event = log.mask_identifiers(None, "info", {"event": text, "n": 1})
    assert event == {"event": identifiers.mask_text(text), "n": 1}
    assert "19491231" not in event["event"]
    assert "91350100M000100Y43" in event["event"]
