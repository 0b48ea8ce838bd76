"""The month's figures: every indicator of the catalog, computed or entered by hand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from xinyong.indicators import manual, snapshots
from xinyong.indicators.compute import COMPUTERS, Rows, masked
from xinyong.indicators.definitions import Definitions, Indicator
from xinyong.indicators.period import Period


@dataclass(frozen=True, slots=True)
class Figure:
    indicator: Indicator
    month: str
    value: float | None
    entered_from: str | None = None  # manual: the source named by the office
    entered_on: date | None = None  # manual: the source's date

    @property
    def key(self) -> str:
        return self.indicator.key

    @property
    def source(self) -> str:
        return self.indicator.source

    @property
    def target(self) -> float | None:
        return self.indicator.target.value if self.indicator.target else None

    @property
    def target_met(self) -> bool | None:
        return self.indicator.target.met(self.value) if self.indicator.target else None

    def as_json(self) -> dict[str, Any]:
        """The `xinyong stats --json` item (keys fixed by the issue)."""
        return {
            "key": self.key,
            "title": self.indicator.title,
            "value": self.value,
            "unit": self.indicator.unit,
            "target": self.target,
            "source": self.source,
            "month": self.month,
        }


def figures(
    session: Session, definitions: Definitions, period: Period, *, keys: list[str] | None = None
) -> list[Figure]:
    wanted = [i for i in definitions.indicators if keys is None or i.key in keys]
    entered = manual.latest(session, [period.month])
    out: list[Figure] = []
    for indicator in wanted:
        if indicator.source == "computed":
            value = COMPUTERS[indicator.key].value(session, period)
            out.append(Figure(indicator, period.month, None if value is None else float(value)))
            continue
        row = entered.get((indicator.key, period.month))
        out.append(
            Figure(indicator, period.month, row.value if row else None,
                   row.source if row else None, row.source_date if row else None)
        )  # fmt: skip
    return out


def trend(
    session: Session, definitions: Definitions, period: Period, key: str, months: int = 12
) -> list[tuple[str, float | None]]:
    """The indicator month by month, oldest first, ending with `period`."""
    indicator = definitions.get(key)
    periods = period.previous(months)
    if indicator.source == "manual":
        entered = manual.latest(session, [p.month for p in periods])
        return [(p.month, e.value if (e := entered.get((key, p.month))) else None) for p in periods]
    found = snapshots.values(session, key, periods)
    return [(p.month, found[p.month]) for p in periods]


def rows_behind(session: Session, definitions: Definitions, period: Period, key: str) -> Rows:
    """The rows a computed figure counts (manual figures: their entry history)."""
    indicator = definitions.get(key)
    if indicator.source == "computed":
        return masked(COMPUTERS[key].rows(session, period))
    history = manual.history(session, key)
    return Rows(
        ("月份", "数值", "来源", "来源日期", "说明", "录入人", "录入时间"),
        [(h.month, h.value, h.source, h.source_date, h.note, h.entered_by, h.created_at)
         for h in history],
    )  # fmt: skip
