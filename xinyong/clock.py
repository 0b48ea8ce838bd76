"""Today, now, and working-day arithmetic over a `Calendar` value.

Only this module asks the system for the date. `today()` honours `XINYONG_TODAY` (YYYY-MM-DD) so
tests and demos can set the date. The `Calendar` is built by `catalog.loader.load_calendar`
from the State Council calendar (the `chinesecalendar` package) plus the credit office's
year files in `catalogs/calendar/`; a year the State Council has not arranged yet is provisional,
computed from the statute so that it is never early (`catalog/statutory.py`), and every date in
it is shown as 暂定. Only a year beyond the lunar tables raises `CalendarYearMissing`.
"""

from __future__ import annotations

import calendar as _stdcal
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from xinyong.errors import ConfigurationError, InvalidInput

SATURDAY = 5
BEIJING = timedelta(hours=8)  # the region's civil time: UTC+8 all year (no daylight saving)


class CalendarYearMissing(ConfigurationError):
    """Working days were asked for a year that has no holiday data."""

    code = "clock.calendar_year_missing"
    status = 409

    def __init__(self, year: int) -> None:
        super().__init__(
            f"{year} 年超出了可推算的范围，且尚未录入节假日安排，无法计算工作日。"
            f"请在 catalogs/calendar/{year}.yaml 中录入"
            f"国务院办公厅公布的 {year} 年放假和调休安排（holidays 与 workdays），"
            f"运行 `xinyong catalog check` 后重试。",
            details={"year": year},
        )
        self.year = year


def today() -> date:
    """The platform's today: `XINYONG_TODAY` if set, else the system date in Beijing time."""
    value = os.environ.get("XINYONG_TODAY", "").strip()
    if value:
        try:
            return date.fromisoformat(value)
        except ValueError as exc:
            raise InvalidInput(
                f"环境变量 XINYONG_TODAY 的值“{value}”不是 YYYY-MM-DD 格式的日期",
                code="clock.bad_today",
            ) from exc
    return (datetime.now(UTC) + BEIJING).date()


def as_utc(at: datetime) -> datetime:
    """A stored time as an aware UTC time (SQLite gives back naive UTC; rows still in the
    session keep their zone)."""
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def in_beijing(at: datetime) -> datetime:
    """A stored time as the wall-clock time a clerk reads in Beijing (naive values are UTC)."""
    return as_utc(at) + BEIJING


def beijing_midnight(day: date) -> datetime:
    """The first instant of `day` in Beijing, as an aware UTC time: the bound a query on stored
    (UTC) times uses for "from that day on" (`at >= beijing_midnight(d)`)."""
    return datetime.combine(day, time(), tzinfo=UTC) - BEIJING


def now() -> datetime:
    """Timezone-aware now (UTC). When XINYONG_TODAY is set, the date part follows it."""
    real = datetime.now(UTC)
    if os.environ.get("XINYONG_TODAY", "").strip():
        return datetime.combine(today(), real.time(), tzinfo=UTC)
    return real


@dataclass(frozen=True, slots=True)
class Calendar:
    """Working days: weekends and listed holidays are off, listed make-up days work."""

    years: frozenset[int]
    holidays: frozenset[date] = field(default_factory=frozenset)  # weekday days off
    workdays: frozenset[date] = field(default_factory=frozenset)  # weekend make-up working days
    holiday_names: dict[date, str] = field(default_factory=dict, compare=False, hash=False)
    # years without an official arrangement, computed from the statute (a superset of days off)
    provisional_years: frozenset[int] = field(default_factory=frozenset)

    def is_provisional(self, day: date) -> bool:
        """Whether `day` lies in a provisional year: a deadline on it is shown as 暂定."""
        return day.year in self.provisional_years

    def require_year(self, year: int) -> None:
        if year not in self.years:
            raise CalendarYearMissing(year)

    def is_working_day(self, day: date) -> bool:
        self.require_year(day.year)
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < SATURDAY


def add_working_days(start: date, n: int, cal: Calendar) -> date:
    """The n-th working day after `start` (start itself not counted). n=0 returns start."""
    if n < 0:
        raise ValueError("n must be >= 0")
    day, left = start, n
    while left:
        day += timedelta(days=1)
        if cal.is_working_day(day):
            left -= 1
    return day


def working_days_between(start: date, end: date, cal: Calendar) -> int:
    """Working days in (start, end]: 0 if end <= start."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if cal.is_working_day(day):
            count += 1
    return count


def working_days_in(days: Iterable[date], cal: Calendar) -> list[date]:
    return [d for d in days if cal.is_working_day(d)]


def add_months(start: date, months: int) -> date:
    """Calendar-month arithmetic: same day number, clamped to the month's last day.

    The repair rules do not say how to count 31 Jan + 1 month (rules.md §1.3, UNCERTAIN); we clamp
    (2026-01-31 + 1 month = 2026-02-28) and document it in docs/decisions.
    """
    total = start.year * 12 + (start.month - 1) + months
    year, month = divmod(total, 12)
    last = _stdcal.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(start.day, last))


def period_last_day(start: date, months: int) -> date:
    """The last day of a period of `months` months that starts from the event on `start`.

    The one rule for every period on the platform (disclosure window, list validity, early-exit
    minimum, repair minimum and maximum, commitment validity). 民法典 第二百零一条: the day of the
    event is not counted, the period begins the next day; 第二百零二条: a period in months ends
    on the corresponding day of the last month, or on that month's last day when it has no
    corresponding day (ADR 0007). So 24 months from 2025-01-22 end on 2027-01-22 (in force that
    day, out of force on 2027-01-23). `months=0` is an empty period: it ends on `start` itself.
    """
    if months < 0:
        raise ValueError("months must be >= 0")
    return add_months(start, months)
