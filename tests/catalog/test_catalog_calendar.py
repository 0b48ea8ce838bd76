"""The working-day calendar: State Council data, 调休 make-up days, and year files."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.catalog.conftest import write_yaml
from xinyong.catalog import CatalogError, load_calendar
from xinyong.clock import CalendarYearMissing, add_working_days, working_days_between


def test_national_day_2026_with_make_up_days(shipped_dir: Path) -> None:
    """国庆 2026: 10-01…10-07 off, 09-20 (Sun) and 10-10 (Sat) are working days."""
    cal = load_calendar(shipped_dir)
    assert add_working_days(date(2026, 9, 30), 5, cal) == date(2026, 10, 13)
    assert cal.is_working_day(date(2026, 9, 20))
    assert cal.is_working_day(date(2026, 10, 10))
    assert not cal.is_working_day(date(2026, 10, 5))
    assert cal.holiday_names[date(2026, 10, 1)] == "国庆节"


def test_calendar_holidays_hold_weekday_days_off_only(shipped_dir: Path) -> None:
    cal = load_calendar(shipped_dir)
    assert all(d.weekday() < 5 for d in cal.holidays)
    assert date(2026, 10, 3) in cal.holiday_names  # a Saturday off keeps its name
    assert {2004, 2026} <= cal.years


def test_year_nobody_entered_is_provisional(shipped_dir: Path) -> None:
    cal = load_calendar(shipped_dir)
    due = add_working_days(date(2026, 12, 28), 10, cal)
    assert due == date(2027, 1, 12)  # 12-29 … 12-31 = 3, 01-01 off, 01-04 … 01-12 = 7
    assert cal.is_provisional(due)
    assert cal.holiday_names[date(2027, 1, 1)] == "元旦（暂定）"
    with pytest.raises(CalendarYearMissing):
        add_working_days(date(2099, 12, 28), 10, cal)


def test_year_file_for_a_new_year_is_honoured(tmp_path: Path) -> None:
    write_yaml(
        tmp_path / "calendar/2031.yaml",
        {
            "year": 2031,
            "source": "测试用虚构通知",
            "holidays": [
                {"date": date(2031, 1, 1), "name": "元旦"},  # Wednesday
                {"date": date(2031, 1, 2), "name": "元旦"},  # Thursday
            ],
            "workdays": [date(2031, 1, 4)],  # Saturday
        },
    )
    cal = load_calendar(tmp_path)
    assert 2031 in cal.years
    # 2030-12-31 (Tue): 01-01, 01-02 off; 01-03 Fri = 1; 01-04 Sat (make-up) = 2; 01-06 Mon = 3
    assert add_working_days(date(2030, 12, 31), 3, cal) == date(2031, 1, 6)
    assert working_days_between(date(2030, 12, 31), date(2031, 1, 4), cal) == 2
    assert cal.holiday_names[date(2031, 1, 1)] == "元旦"


def test_year_file_replaces_the_package_year_entirely(tmp_path: Path) -> None:
    write_yaml(
        tmp_path / "calendar/2026.yaml",
        {"year": 2026, "source": "测试：整年替换", "holidays": [], "workdays": []},
    )
    cal = load_calendar(tmp_path)
    assert cal.is_working_day(date(2026, 10, 1))  # no longer a holiday
    assert not cal.is_working_day(date(2026, 10, 10))  # no longer a make-up day
    assert date(2026, 10, 1) not in cal.holiday_names


def test_override_dir_year_file_wins(tmp_path: Path) -> None:
    shipped, override = tmp_path / "shipped", tmp_path / "override"
    base = {"year": 2031, "source": "通知", "workdays": []}
    write_yaml(shipped / "calendar/2031.yaml", {**base, "holidays": []})
    write_yaml(
        override / "calendar/2031.yaml",
        {**base, "holidays": [{"date": date(2031, 1, 1), "name": "元旦"}]},
    )
    cal = load_calendar(shipped, override_dir=override)
    assert not cal.is_working_day(date(2031, 1, 1))


@pytest.mark.parametrize(
    ("content", "key", "reason"),
    [
        (
            {"year": 2031, "source": "x", "holidays": [{"date": date(2030, 12, 31), "name": "x"}]},
            "",
            "不属于 2031 年",
        ),
        (
            {"year": 2031, "source": "x", "holidays": [], "workdays": [date(2031, 1, 6)]},
            "",
            "不是周末",
        ),
        ({"year": 2031, "holidays": []}, "source", "缺少必填键"),
        ({"year": 2032, "source": "x", "holidays": []}, "year", "须与文件名"),
    ],
)
def test_malformed_year_file_is_refused(
    tmp_path: Path, content: dict[str, object], key: str, reason: str
) -> None:
    path = write_yaml(tmp_path / "calendar/2031.yaml", content)
    with pytest.raises(CatalogError) as caught:
        load_calendar(tmp_path)
    assert caught.value.file == str(path)
    assert caught.value.key == key
    assert reason in caught.value.reason
