"""Indicators: the credit office's figures (主要目标, 城市信用状况监测预警指标) as code, their
definitions and targets as data (`catalogs/indicators/*.yaml`).

Owns: loading the definitions, one aggregation per computed indicator with the rows behind it,
hand-entered values of the indicators the platform cannot compute (source, date, audit).
Does not: re-derive rules owned elsewhere (list validity, repair timeliness, collection quality,
check counts) — it calls their modules.

Package map: `definitions` (YAML schema and loader), `period` (the month and its cut-offs),
`compute` (one function per computed indicator; `uptake`: those of credit in use), `manual`
(hand-entered values), `figures` (the month's figures, trends, drill-down rows), `dashboard`
(breakdowns for /admin/dashboard).
"""

from pathlib import Path

from xinyong.indicators import handling, uptake  # noqa: F401  (register their indicators in COMPUTERS)
from xinyong.indicators.compute import COMPUTERS, Rows
from xinyong.indicators.definitions import Definitions, Indicator, NotComputable
from xinyong.indicators.figures import Figure, figures, rows_behind, trend
from xinyong.indicators.manual import enter_value
from xinyong.indicators.period import BadMonth, Period


def load(catalog_dir: Path, override_dir: Path | None = None) -> Definitions:
    """The indicator definitions, checked against the functions that compute them."""
    from xinyong.indicators.definitions import load_definitions  # noqa: PLC0415

    return load_definitions(catalog_dir, override_dir, computable=COMPUTERS)


__all__ = [
    "COMPUTERS",
    "BadMonth",
    "Definitions",
    "Figure",
    "Indicator",
    "NotComputable",
    "Period",
    "Rows",
    "enter_value",
    "figures",
    "load",
    "rows_behind",
    "trend",
]
