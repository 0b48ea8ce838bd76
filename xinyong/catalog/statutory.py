"""The provisional calendar of a year the State Council has not yet arranged (rules.md §10.1).

《全国年节及纪念日放假办法》 art. 2 gives the statutory days of each year — 11 before 2025, 13 from
2025-01-01 (国务院令第795号: 春节 adds 除夕, 劳动节 adds 2 May). The State Council publishes the
arrangement (调休) for the next year between late October and mid-December, and the arrangement
cannot be predicted. Until it is entered (`catalogs/calendar/<year>.yaml`), the year is
provisional: it takes off every weekday the State Council could give off — a superset — and never
works a weekend, so a working-day deadline computed on it is never earlier than the official one.

The superset (§10.1): every statutory day; 春节 除夕 … 正月初七; 劳动节 1–5 May; 国庆 1–7 Oct
(1–8 when 中秋 falls in it); a one-day holiday (元旦, 清明, 端午, 中秋; and 1 May, as 2018 began
劳动节 on Monday 30 April) plus the Monday when it falls on a Tuesday, Saturday or Sunday and the
Friday when it falls on a Thursday, Saturday or Sunday. Checked against every published year
2014–2026 (tests/catalog/test_calendar_provisional.py): only the one-off 2015-09-03/04 escapes.
Lunar dates come from `lunardate`, 清明 (a solar term) from `chinesecalendar`.
"""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
from lunardate import LunarDate

REVISED_STATUTE_FROM = 2025  # 国务院令第795号, in force 2025-01-01
FIRST_COMPUTABLE, LAST_COMPUTABLE = 1901, 2099  # the range of the lunar tables
TUESDAY, THURSDAY, SATURDAY, SUNDAY = 1, 3, 5, 6
NATIONAL_DAY_BLOCK, NATIONAL_DAY_WITH_MID_AUTUMN = 7, 8
SPRING_BLOCK_LAST = 7  # 正月初七
LABOUR_DAY_BLOCK = 5


def _lunar(year: int, month: int, day: int) -> date:
    solar: date = LunarDate(year, month, day).to_solar_date()
    return solar


def _qingming(year: int) -> date:
    for day, name in chinese_calendar.get_solar_terms(date(year, 4, 1), date(year, 4, 10)):
        if name == "清明":
            return day  # type: ignore[no-any-return]
    raise ValueError(f"no 清明 found in {year}")  # pragma: no cover — always 4–6 April


def statutory_days(year: int) -> dict[date, str]:
    """The statutory days off of `year` under art. 2 of the Measures as in force that year."""
    new_year = _lunar(year, 1, 1)
    spring = [new_year + timedelta(days=i) for i in range(3)]
    labour = [date(year, 5, 1)]
    if year >= REVISED_STATUTE_FROM:
        spring.insert(0, new_year - timedelta(days=1))  # 除夕
        labour.append(date(year, 5, 2))
    days = {date(year, 1, 1): "元旦"}
    days.update(dict.fromkeys(spring, "春节"))
    days[_qingming(year)] = "清明节"
    days.update(dict.fromkeys(labour, "劳动节"))
    days[_lunar(year, 5, 5)] = "端午节"
    days[_lunar(year, 8, 15)] = "中秋节"
    days.update(dict.fromkeys([date(year, 10, d) for d in (1, 2, 3)], "国庆节"))
    return days


def _span(first: date, days: int) -> list[date]:
    return [first + timedelta(days=i) for i in range(days)]


# A one-day holiday on a … is joined to: the Monday before (Tue), the Friday after (Thu), the
# Friday before and the Monday after (Sat, Sun: the day made up under art. 6).
_BRIDGES = {TUESDAY: (-1,), THURSDAY: (1,), SATURDAY: (-1, 2), SUNDAY: (-2, 1)}


def _bridge(day: date) -> list[date]:
    """A one-day holiday and the weekdays the arrangement could join to it."""
    return [day] + [day + timedelta(days=k) for k in _BRIDGES.get(day.weekday(), ())]


def provisional_days_off(year: int) -> dict[date, str]:
    """Every day of `year` the provisional calendar takes off (weekends not listed), by name."""
    if not FIRST_COMPUTABLE <= year <= LAST_COMPUTABLE:
        raise ValueError(f"{year} is outside {FIRST_COMPUTABLE}–{LAST_COMPUTABLE}")
    off: dict[date, str] = {}
    new_year = _lunar(year, 1, 1)
    off.update(dict.fromkeys(_span(new_year - timedelta(days=1), SPRING_BLOCK_LAST + 1), "春节"))
    labour = _span(date(year, 5, 1), LABOUR_DAY_BLOCK) + _bridge(date(year, 5, 1))
    off.update(dict.fromkeys(labour, "劳动节"))
    mid_autumn = _lunar(year, 8, 15)
    national = _span(date(year, 10, 1), NATIONAL_DAY_BLOCK)
    if date(year, 10, 1) <= mid_autumn <= date(year, 10, NATIONAL_DAY_WITH_MID_AUTUMN):
        national = _span(date(year, 10, 1), NATIONAL_DAY_WITH_MID_AUTUMN)
    off.update(dict.fromkeys(national, "国庆节"))
    for day, name in statutory_days(year).items():
        if name in ("元旦", "清明节", "端午节", "中秋节") and day not in national:
            for bridged in _bridge(day):
                off.setdefault(bridged, name)
        off.setdefault(day, name)
    for bridged in _bridge(date(year + 1, 1, 1)):  # next 元旦 on a Sat/Sun reaches 31 December
        off.setdefault(bridged, "元旦")
    return {d: n for d, n in sorted(off.items()) if d.year == year and d.weekday() < SATURDAY}
