"""Screening: exact codes after the check character, names normalised with a score and reason,
reviewer verdicts remembered, files in and out, and the HTTP batch API."""

from __future__ import annotations

import random
from datetime import date

import polars as pl
import pytest

from tests.factories import make_subject
from tests.factories.lists import listed
from xinyong import demo, identifiers
from xinyong.audit import Actor
from xinyong.enums import Role
from xinyong.identifiers import frames
from xinyong.measures import screening
from xinyong.measures.names import normalise_name
from xinyong.measures.screening import ScreeningRow

MONDAY = date(2026, 11, 23)
DECIDED = date(2026, 12, 1)
OFFICER = Actor(kind="user", id=1, label="认定人员", role=Role.OFFICER)


@pytest.fixture
def on_list(session, catalog, calendar):
    subject = make_subject(session, name="示范区鸿瑞科技有限公司")
    listed(session, subject, "wage_arrears", catalog=catalog, calendar=calendar, actor=OFFICER,
           proposed_on=MONDAY)  # fmt: skip
    return subject


@pytest.mark.parametrize(
    ("raw", "core"),
    [("示范区鸿瑞科技有限公司", "鸿瑞科技"), ("鸿瑞科技（示范区）有限责任公司", "鸿瑞科技"),
     ("ＡＢＣ贸易股份有限公司", "ABC贸易"), ("广东省鸿瑞科技有限公司", "鸿瑞科技"),
     ("城市之光有限公司", "城市之光")],
)  # fmt: skip
def test_names_are_normalised_for_width_region_and_legal_form(raw, core):
    assert normalise_name(raw)[0] == core


def _screen(session, catalog, rows) -> list[screening.ScreeningResult]:
    index = screening.build_index(session, catalog=catalog, today=DECIDED)
    return list(screening.screen_rows(rows, "procurement", index, catalog=catalog, today=DECIDED))


def test_codes_are_verified_before_they_are_matched(session, catalog, on_list):
    bad = on_list.code[:-1] + ("0" if on_list.code[-1] != "0" else "1")
    hit, invalid, clean = _screen(session, catalog, [
        ScreeningRow(1, on_list.code, None), ScreeningRow(2, bad, None),
        ScreeningRow(3, "91350100M000100Y43", None)])  # fmt: skip
    assert (hit.outcome, hit.score, hit.mandatory) == ("hit", 1.0, True)
    assert "依法限制参加政府采购活动" in hit.measures
    assert invalid.outcome == "invalid_code"
    assert "校验" in invalid.reason
    assert clean.outcome == "clean"


def test_name_only_rows_match_with_score_and_reason(session, catalog, on_list):
    (found,) = _screen(session, catalog, [ScreeningRow(1, None, "鸿瑞科技（示范区）有限责任公司")])
    assert found.outcome == "possible_hit"
    assert found.score == screening.CORE_NAME_SCORE
    assert "去除组织形式“有限责任公司”" in found.reason
    assert found.subject_code == on_list.code


def test_a_remembered_non_match_does_not_return(session, catalog, on_list):
    name = "广东省鸿瑞科技有限公司"
    screening.remember_decision(session, name, on_list.code, False, "不同主体，注册地不同",
                                actor=OFFICER, today=DECIDED)  # fmt: skip
    (found,) = _screen(session, catalog, [ScreeningRow(1, None, name)])
    assert found.outcome == "clean"


def test_screen_file_roundtrip(session, catalog, on_list, tmp_path):
    source = tmp_path / "in.csv"
    pl.DataFrame(
        {"统一社会信用代码": [on_list.code, ""], "名称": ["", "鸿瑞科技有限公司"]}
    ).write_csv(source)
    rows = screening.read_rows(source)
    out = tmp_path / "out.xlsx"
    assert screening.write_results(out, _screen(session, catalog, rows)) == 2
    back = pl.read_excel(out)
    assert back["outcome"].to_list() == ["hit", "possible_hit"]


def test_vectorised_check_characters_agree_with_the_row_by_row_rule():
    rng = random.Random(7)
    good = [demo.make_uscc(rng, rng.choice("19ANY"), rng.choice("1239")) for _ in range(2000)]
    bad = []
    for c in good[:2000]:
        i = rng.randrange(18)
        bad.append(c[:i] + rng.choice("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZa ") + c[i + 1 :])
    codes = [*good, *bad, "", "123", "91350100M000100Y43", "91350100M000100Y44", None]
    found = frames.uscc_ok(pl.Series(codes, dtype=pl.String)).to_list()
    canonical = [c is not None and c == identifiers.normalise(c) for c in codes]
    expected = [
        ok and identifiers.is_valid_uscc(str(c)) for c, ok in zip(codes, canonical, strict=True)
    ]
    assert found == expected
    assert sum(found) > len(good)  # every good code, plus corruptions that still check out


def test_a_file_of_codes_is_screened_as_a_frame(session, catalog, on_list, tmp_path):
    source = tmp_path / "in.csv"
    bad = on_list.code[:-1] + ("0" if on_list.code[-1] != "0" else "1")
    pl.DataFrame({"代码": [on_list.code.lower(), bad, "91350100M000100Y43", None]}).write_csv(
        source
    )
    index = screening.build_index(session, catalog=catalog, today=DECIDED)
    frame = screening.read_frame(source)
    found = screening.screen_frame(frame, "procurement", index, catalog=catalog, today=DECIDED)
    assert found["outcome"].to_list() == ["hit", "invalid_code", "clean", "no_input"]
    assert found["row_no"].to_list() == [2, 3, 4, 5]
    assert found["mandatory"].to_list() == [True, False, False, False]
