"""Each computed indicator on the fixed dataset (tests/indicators/dataset.py) against a hand count.

Population (created before 1 Dec Beijing time): s1–s8 = 8 subjects; s9 registered in December.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from tests.indicators import dataset
from xinyong import indicators
from xinyong.catalog import Catalog
from xinyong.clock import Calendar
from xinyong.config import REPO_ROOT

# key → (value, the hand count)
EXPECTED: dict[str, tuple[float | None, str]] = {
    "records_collected": (6, "r1, r2, r3 v1, r4, r5, r6 (r3 v2 is a version; r9 is December's)"),
    "archive_rate": (83.33, "s1 s2 s3 s5 s6 of s1–s6 (s4 withdrawn only; s7 person; s8 cancelled)"),
    "commitment_matters": (2, "procurement, subsidy (s2's has no matter; s3 signs in December)"),
    "commitment_coverage": (25.0, "s1, s2 of 8"),
    "dishonest_share": (12.5, "s5 court defaulter of 8 (s6's serious list ended 31 Oct)"),
    "red_list_share": (12.5, "s2 of 8"),
    "repair_timeliness": (66.67, "2 of 3 handled in November (the refusal came after decide_due)"),
    "repair_avg_days": (14.7, "(10 + 31 + 3) / 3"),
    "double_publicity_ratio": (0.43, "r1 r2 r3v2 / s1–s6 + s8 (market kinds)"),
    "objection_share": (100.0, "3 filed in November / 3 public records"),
    "objection_correction_days": (7.0, "(7 + 11 + 7 + 3) / 4, answered in November Beijing time"),
    "joint_checks": (4, "checks 1–4 (check 4 is 1 Nov 01:00 Beijing; check 5 is 31 Oct)"),
    "check_feedback_rate": (66.67, "checks 1 and 4 of the hit checks 1, 2, 4"),
    "collection_timeliness": (84.62, "(6 + 5) / (6 + 2 + 5)"),
    "collection_compliance": (86.67, "(8 + 5) / (10 + 5)"),
    "wrong_code_rate": (6.67, "1 identifier rejection / 15 rows received in November"),
    "evaluation_coverage": (
        33.33,
        "s1, s2 (graded twice) of s1–s6 (s3 graded in December; s7 person: no model; s8 cancelled)",
    ),
    "graded_supervision_sectors": (
        2,
        "market_regulation (plans 1, 2), ecology (plan 3); finance drawn in December; transport "
        "is not a sector of catalogs/supervision.yaml",
    ),
    "report_queries": (3, "reports 1, 2 (revoked later, still issued), 3 (1 Nov 01:00 Beijing)"),
    "xinyi_scenarios": (
        2,
        "xinyi_pi (two partners), xinyi_zu (its October partner; the November one is inactive); "
        "xinyi_xing's partner came in December; xinyi_gone is not in the catalog",
    ),
    "xinyidai_volume": (0.1, "300 + 700 万元 granted by November = 0.1 亿元 (no refusal, no Dec.)"),
}


@pytest.fixture
def period(session: Session, catalog: Catalog, calendar: Calendar) -> indicators.Period:
    dataset.build(session, catalog, calendar)
    return indicators.Period.of("2026-11", today=date(2026, 11, 23), catalog=catalog)


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_indicator_matches_the_hand_count(
    session: Session, period: indicators.Period, key: str
) -> None:
    expected, why = EXPECTED[key]
    assert indicators.COMPUTERS[key].value(session, period) == expected, why


def test_every_computed_indicator_has_a_hand_count() -> None:
    definitions = indicators.load(REPO_ROOT / "catalogs")
    computed = {i.key for i in definitions.indicators if i.source == "computed"}
    assert computed == set(EXPECTED) == set(indicators.COMPUTERS)


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_the_rows_behind_each_figure_can_be_listed(
    session: Session, period: indicators.Period, key: str
) -> None:
    rows = indicators.COMPUTERS[key].rows(session, period)
    assert rows.rows, key
    assert all(len(r) == len(rows.headers) for r in rows.rows)


def test_an_empty_platform_has_no_rates(session: Session, catalog: Catalog) -> None:
    period = indicators.Period.of("2026-11", today=date(2026, 11, 23), catalog=catalog)
    values = {k: c.value(session, period) for k, c in indicators.COMPUTERS.items()}
    assert values["archive_rate"] is None
    assert values["repair_timeliness"] is None
    assert values["joint_checks"] == 0
