"""The month an indicator is computed for, and the cut-offs every function uses."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from xinyong import clock
from xinyong.catalog import Catalog
from xinyong.errors import InvalidInput

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


class BadMonth(InvalidInput):
    code = "indicators.bad_month"


@dataclass(frozen=True, slots=True)
class Period:
    """One calendar month seen from `today`: a month still running ends today."""

    month: str  # YYYY-MM
    start: date
    end: date  # last day of the month
    today: date
    catalog: Catalog

    @classmethod
    def of(cls, month: str | None, *, today: date, catalog: Catalog) -> Period:
        if month is None:
            month = today.strftime("%Y-%m")
        match = _MONTH.match(month)
        if match is None:
            raise BadMonth(f"月份“{month}”格式有误，应为 YYYY-MM（如 2026-11）")
        year, mon = int(match[1]), int(match[2])
        start = date(year, mon, 1)
        if start > today:
            raise BadMonth(f"{month} 尚未开始（今天是 {today.isoformat()}）")
        end = date(year, mon, calendar.monthrange(year, mon)[1])
        return cls(month, start, end, today, catalog)

    @property
    def as_of(self) -> date:
        """The day a state is read on: the month's last day, or today while the month runs."""
        return min(self.end, self.today)

    @property
    def since(self) -> datetime:
        """First instant of the month, Beijing time, as an aware UTC datetime."""
        return clock.beijing_midnight(self.start)

    @property
    def until(self) -> datetime:
        """First instant after the month, Beijing time (exclusive bound for timestamps).

        The month's end, not `as_of`: a row stored "after today" only exists when today is pinned
        (demo, tests), and it is still part of the month.
        """
        return clock.beijing_midnight(self.end + timedelta(days=1))

    def previous(self, n: int) -> list[Period]:
        """This month and the n-1 before it, oldest first (for trends)."""
        out: list[Period] = []
        year, mon = self.start.year, self.start.month
        for _ in range(n):
            out.append(Period.of(f"{year:04d}-{mon:02d}", today=self.today, catalog=self.catalog))
            year, mon = (year, mon - 1) if mon > 1 else (year - 1, 12)
        return out[::-1]
