"""Screening: exact codes after the check character, names normalised with a score and reason,
reviewer verdicts remembered, files in and out, and the HTTP batch API."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from tests.factories import make_subject
from tests.factories.lists import listed
from xinyong.audit import Actor
from xinyong.enums import Role
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
