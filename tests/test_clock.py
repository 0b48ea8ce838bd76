"""Working days over the State Council calendar with 调休, and today() from XINYONG_TODAY."""

from __future__ import annotations

from datetime import date

import pytest

from xinyong import clock
from xinyong.clock import Calendar, CalendarYearMissing
from xinyong.errors import InvalidInput


@pytest.mark.parametrize(
    ("start", "n", "expected", "case"),
    [
        (date(2026, 9, 30), 5, date(2026, 10, 13), "国庆 2026 with make-up Saturday 10-10"),
        (date(2026, 9, 18), 1, date(2026, 9, 20), "make-up Sunday 09-20 is a working day"),
        (date(2026, 11, 20), 1, date(2026, 11, 23), "plain weekend"),
        (date(2026, 11, 23), 0, date(2026, 11, 23), "zero days is the same day"),
        (date(2026, 12, 30), 1, date(2026, 12, 31), "inside the year"),
    ],
)
def test_add_working_days(
    start: date, n: int, expected: date, case: str, calendar: Calendar
) -> None:
    assert clock.add_working_days(start, n, calendar) == expected, case


def test_working_days_between_counts_only_working_days(calendar: Calendar) -> None:
    assert clock.working_days_between(date(2026, 9, 30), date(2026, 10, 13), calendar) == 5


def test_a_year_without_an_arrangement_is_provisional_and_never_runs_out(
    calendar: Calendar,
) -> None:
    # 2026-12-31 Thu = 1; 2027-01-01 Fri 元旦 off; 01-04 … 01-07 = 2 … 5
    due = clock.add_working_days(date(2026, 12, 30), 5, calendar)
    assert due == date(2027, 1, 7)
    assert calendar.is_provisional(due)
    assert not calendar.is_provisional(date(2026, 12, 31))
    assert calendar.is_provisional(date(2099, 12, 31))


def test_a_year_beyond_the_lunar_tables_is_a_clear_error(calendar: Calendar) -> None:
    with pytest.raises(CalendarYearMissing) as caught:
        clock.add_working_days(date(2099, 12, 30), 5, calendar)
    assert "2100" in caught.value.message
    assert "catalogs/calendar/2100.yaml" in caught.value.message


def test_today_honours_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XINYONG_TODAY", "2026-03-02")
    assert clock.today() == date(2026, 3, 2)
    assert clock.now().date() == date(2026, 3, 2)


def test_bad_today_env_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XINYONG_TODAY", "2026/03/02")
    with pytest.raises(InvalidInput):
        clock.today()


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2026, 4, 1), 12, date(2027, 4, 1)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 5, 15), 36, date(2029, 5, 15)),
    ],
)
def test_add_months_clamps_to_month_end(start: date, months: int, expected: date) -> None:
    assert clock.add_months(start, months) == expected


@pytest.mark.parametrize(
    ("start", "months", "last"),
    [
        (date(2025, 1, 22), 24, date(2027, 1, 22)),  # the court-defaulter case of issue 18
        (date(2026, 1, 31), 1, date(2026, 2, 28)),  # no corresponding day: the month's last day
        (date(2026, 3, 10), 0, date(2026, 3, 10)),  # an empty period ends on its start
    ],
)
def test_period_last_day_counts_like_the_civil_code(start: date, months: int, last: date) -> None:
    assert clock.period_last_day(start, months) == last
