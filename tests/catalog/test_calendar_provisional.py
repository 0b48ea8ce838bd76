"""A calendar that never runs out: provisional years from the statute, never early (§10.1)."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from pathlib import Path

import chinese_calendar
import pytest

from tests.catalog.conftest import write_yaml
from xinyong.catalog import CatalogError, load_calendar
from xinyong.catalog.checking import check
from xinyong.catalog.statutory import provisional_days_off, statutory_days
from xinyong.clock import Calendar, add_working_days

# 2015-09-03/04: the one-off 抗战胜利70周年 days, a 特殊情形 no statute-based rule foresees
SPECIAL = {date(2015, 9, 3), date(2015, 9, 4)}

# A plausible 2027 arrangement (not the State Council's: it has not published one) for the tests.
OFFICIAL_2027 = {
    "year": 2027,
    "source": "测试用：假定的2027年放假安排",
    "holidays": [
        {"date": date(2027, 1, 1), "name": "元旦"},
        *({"date": date(2027, 2, d), "name": "春节"} for d in range(5, 13)),
        {"date": date(2027, 4, 5), "name": "清明节"},
        *({"date": date(2027, 5, d), "name": "劳动节"} for d in range(1, 6)),
        {"date": date(2027, 6, 9), "name": "端午节"},
        {"date": date(2027, 9, 15), "name": "中秋节"},
        *({"date": date(2027, 10, d), "name": "国庆节"} for d in range(1, 8)),
    ],
    "workdays": [date(2027, 2, 20), date(2027, 4, 25), date(2027, 9, 26), date(2027, 10, 9)],
}


def test_statutory_days_follow_the_measures_in_force_that_year() -> None:
    assert len(statutory_days(2024)) == 11  # 2014–2024 text
    assert len(statutory_days(2025)) == 13  # 国务院令第795号, from 2025-01-01
    days = statutory_days(2027)
    assert len(days) == 13
    # rules.md §10.1: 除夕 Fri 5 Feb + 6–8 Feb; 清明 5 Apr; 端午 Wed 9 Jun; 中秋 Wed 15 Sep
    assert [d for d, n in days.items() if n == "春节"] == [date(2027, 2, d) for d in (5, 6, 7, 8)]
    assert days[date(2027, 4, 5)] == "清明节"
    assert days[date(2027, 6, 9)] == "端午节"
    assert days[date(2027, 9, 15)] == "中秋节"
    assert date(2027, 5, 2) in days
    assert date(2024, 5, 2) not in statutory_days(2024)


@pytest.mark.parametrize("year", range(2014, 2027))
def test_provisional_days_off_cover_every_official_weekday_off(year: int) -> None:
    provisional = set(provisional_days_off(year))
    day, missed = date(year, 1, 1), []
    while day.year == year:
        off = day.weekday() < 5 and not chinese_calendar.is_workday(day)
        if off and day not in provisional and day not in SPECIAL:
            missed.append(day)
        day += timedelta(days=1)
    assert missed == [], f"{year}: official days off the provisional year would work"
    assert all(d.weekday() < 5 for d in provisional)


def _as_if_unpublished(official: Calendar, year: int) -> Calendar:
    """The official calendar with `year` replaced by its provisional computation."""
    holidays = {d for d in official.holidays if d.year != year} | set(provisional_days_off(year))
    return dataclasses.replace(
        official,
        holidays=frozenset(holidays),
        workdays=frozenset(d for d in official.workdays if d.year != year),
        provisional_years=frozenset({year}),
    )


@pytest.mark.parametrize("year", [2019, 2023, 2024, 2025, 2026])
def test_a_provisional_deadline_is_never_earlier_than_the_official_one(
    calendar: Calendar, year: int
) -> None:
    guessed = _as_if_unpublished(calendar, year)
    start = date(year - 1, 12, 1)
    while start < date(year, 12, 1):
        for n in (1, 5, 10, 15, 20):
            assert add_working_days(start, n, guessed) >= add_working_days(start, n, calendar), (
                start,
                n,
            )
        start += timedelta(days=3)


def test_2026_into_2027_without_an_official_file(shipped_dir: Path) -> None:
    cal = load_calendar(shipped_dir)
    assert 2027 in cal.provisional_years
    assert not cal.is_provisional(date(2026, 12, 31))
    due = add_working_days(date(2026, 12, 24), 10, cal)
    assert due == date(2027, 1, 8)  # 12-25 … 12-31 = 5; 01-01 off; 01-04 … 01-08 = 5
    assert cal.is_provisional(due)
    assert not cal.is_working_day(date(2027, 2, 12))  # 正月初七, a Friday: provisionally off
    assert not any(cal.is_working_day(d) for d in (date(2027, 2, 20), date(2027, 2, 21)))


def test_2026_into_2027_with_an_official_file_and_no_deadline_moves_earlier(
    shipped_dir: Path, tmp_path: Path
) -> None:
    before = load_calendar(shipped_dir)
    write_yaml(tmp_path / "calendar/2027.yaml", OFFICIAL_2027)
    after = load_calendar(shipped_dir, override_dir=tmp_path)
    assert 2027 not in after.provisional_years
    assert 2028 in after.provisional_years
    assert after.is_working_day(date(2027, 2, 20))  # the official make-up Saturday
    start = date(2026, 11, 2)
    while start < date(2027, 12, 1):
        for n in (5, 10, 15, 20):
            given = add_working_days(start, n, before)
            assert given >= add_working_days(start, n, after), (start, n)
        start += timedelta(days=2)


def test_catalog_check_warns_while_next_year_is_provisional(
    shipped_dir: Path, tmp_path: Path
) -> None:
    report = check(shipped_dir, today=date(2026, 11, 29))
    assert any("2027" in w and "暂定" in w for w in report.warnings)
    write_yaml(tmp_path / "calendar/2027.yaml", OFFICIAL_2027)
    report = check(shipped_dir, tmp_path, today=date(2026, 11, 29))
    assert not any("2027" in w for w in report.warnings)


def test_an_amended_year_keeps_its_versions_and_the_current_one_applies(
    shipped_dir: Path, tmp_path: Path
) -> None:
    first = {k: OFFICIAL_2027[k] for k in ("source", "holidays", "workdays")}
    amended = {
        **OFFICIAL_2027,
        "version": 2,
        "published_on": date(2027, 3, 1),
        "source": "测试用：调整劳动节安排",
        "workdays": [date(2027, 2, 20), date(2027, 9, 26), date(2027, 10, 9)],
        "previous": [{"version": 1, "published_on": date(2026, 11, 20), **first}],
    }
    write_yaml(tmp_path / "calendar/2027.yaml", amended)
    cal = load_calendar(shipped_dir, override_dir=tmp_path)
    assert not cal.is_working_day(date(2027, 4, 25))  # the make-up Sunday the amendment dropped


@pytest.mark.parametrize(
    ("previous", "why"),
    [
        ([{"version": 1, "source": "旧", "holidays": [], "workdays": [date(2027, 2, 22)]}],
         "不是周末"),
        ([{"version": 1, "source": "旧", "holidays": [{"date": date(2026, 2, 1), "name": "x"}]}],
         "不属于 2027 年"),
        ([{"version": 3, "source": "旧", "holidays": []}], "逐版递增"),
    ],
)  # fmt: skip
def test_catalog_check_refuses_a_bad_previous_version(
    shipped_dir: Path, tmp_path: Path, previous: list[dict[str, object]], why: str
) -> None:
    write_yaml(tmp_path / "calendar/2027.yaml", {**OFFICIAL_2027, "version": 2,
                                                 "previous": previous})  # fmt: skip
    with pytest.raises(CatalogError) as caught:
        check(shipped_dir, tmp_path)
    assert "2027.yaml" in str(caught.value)
    assert why in str(caught.value)
