"""Build the working-day `Calendar`: the State Council calendar plus the office's year files.

Years 2004–2026 come from the `chinesecalendar` package. A file `catalogs/calendar/<year>.yaml`
(shipped or in the override directory) replaces that year entirely — this is how a year the package
does not know yet (2027 …) is entered from the State Council notice. Every year up to the end of the
lunar tables (2099) that nobody entered is provisional: computed from the statute so that
it is never early (`statutory.py`), listed in `Calendar.provisional_years`, shown as 暂定.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import chinese_calendar
from pydantic import ValidationError

from xinyong.catalog.errors import CatalogError
from xinyong.catalog.schema_rules import SATURDAY, CalendarYear
from xinyong.catalog.statutory import LAST_COMPUTABLE, provisional_days_off
from xinyong.catalog.yaml_io import read_yaml
from xinyong.clock import Calendar


def _package_names() -> dict[str, str]:
    """English holiday names used by chinese_calendar → Chinese names."""
    return {h.value: h.chinese for h in chinese_calendar.Holiday}


def load_calendar(directory: Path, *, override_dir: Path | None = None) -> Calendar:
    """The working-day calendar.

    `directory` is the catalog root (its `calendar/` sub-directory is read) or the calendar
    directory itself; `override_dir` is the credit office's override root, whose year files win.
    """
    names = _package_names()
    holidays: dict[date, str] = {}
    workdays: set[date] = set()
    for day, name in chinese_calendar.holidays.items():
        holidays[day] = names.get(name, name)
    workdays.update(chinese_calendar.workdays)
    years = {d.year for d in holidays}

    for year_file in _year_files(directory, override_dir).values():
        entry = _parse_year(year_file)
        holidays = {d: n for d, n in holidays.items() if d.year != entry.year}
        workdays = {d for d in workdays if d.year != entry.year}
        holidays.update({h.date: h.name for h in entry.holidays})
        workdays.update(entry.workdays)
        years.add(entry.year)

    provisional: set[int] = set()
    for year in range(min(years), LAST_COMPUTABLE + 1):
        if year in years:
            continue
        for day, name in provisional_days_off(year).items():
            holidays[day] = f"{name}（暂定）"
        provisional.add(year)

    return Calendar(
        years=frozenset(years | provisional),
        provisional_years=frozenset(provisional),
        # Calendar.holidays holds weekday days off; weekend days off need no entry.
        holidays=frozenset(d for d in holidays if d.weekday() < SATURDAY),
        workdays=frozenset(workdays),
        holiday_names=dict(sorted(holidays.items())),
    )


def _calendar_dir(root: Path) -> Path:
    sub = root / "calendar"
    return sub if sub.is_dir() else root


def _year_files(directory: Path, override_dir: Path | None) -> dict[str, Path]:
    files: dict[str, Path] = {}
    for root in (directory, override_dir):
        if root is None:
            continue
        cal_dir = _calendar_dir(root)
        for path in sorted(cal_dir.glob("*.yaml")):
            files[path.name] = path
    return files


def _parse_year(path: Path) -> CalendarYear:
    raw = read_yaml(path)
    try:
        entry = CalendarYear.model_validate(raw)
    except ValidationError as exc:
        raise CatalogError.from_validation(str(path), exc) from None
    if path.stem != str(entry.year):
        raise CatalogError(str(path), "year", f"year（{entry.year}）须与文件名（{path.stem}）一致")
    return entry
