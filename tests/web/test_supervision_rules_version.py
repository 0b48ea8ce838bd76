"""The live views of graded supervision (抽查计划, 抽查结果公示, the 分级分类监管行业数 figure) read
the supervision rules of the catalog version in force (`supervision.rules_of`), as the joint check
and its replay do — not `catalogs/supervision.yaml` from disk, which may have moved on."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import make_provider, make_subject
from tests.factories.workflows import make_officer
from xinyong import catalog as catalogs
from xinyong import clock, inspections
from xinyong.audit import Actor
from xinyong.catalog import Catalog
from xinyong.clock import Calendar
from xinyong.db.tables import InspectionPlan
from xinyong.evaluation import supervision
from xinyong.indicators import Period, uptake

REGION = "990100"
OLD_TITLE = "市场监管（本版本）"


@pytest.fixture
def version(catalog: Catalog) -> Catalog:
    """A catalog version whose supervision.yaml differs from the file: 7 working days to publish
    a result, another title for the market-regulation sector."""
    texts = dict(catalog.texts)
    text = texts[supervision.FILE]
    for old, new in (("publish_within_working_days: 20", "publish_within_working_days: 7"),
                     ("title: 市场监管\n", f"title: {OLD_TITLE}\n")):  # fmt: skip
        assert old in text
        text = text.replace(old, new, 1)
    texts[supervision.FILE] = text
    found = catalogs.load_catalog_texts(texts, "version")
    assert supervision.load_rules().inspections.publish_within_working_days == 20
    return found


def _plan(session: Session, version: Catalog, today: date) -> tuple[InspectionPlan, Actor]:
    dept = make_provider(session)
    officer = make_officer(session, dept)
    for _ in range(6):
        make_subject(session, region_code=REGION)
    for i in range(2):
        inspections.add_inspector(session, f"检查员{i}", f"ZV{i:04d}", dept, actor=officer)
    plan = inspections.create_plan(
        session, code=f"V-{dept.id}", title="抽查", provider=dept, sector="market_regulation",
        region_code=REGION, period_start=today, period_end=today, seed="v", actor=officer,
        catalog=version, today=today,
    )  # fmt: skip
    return plan, officer


def test_a_result_is_published_within_the_versions_period(
    session: Session, version: Catalog, calendar: Calendar, today: date
) -> None:
    plan, officer = _plan(session, version, today)
    row = inspections.drawn_of(session, plan)[0]
    done = inspections.record_result(session, row, "未发现问题", "", actor=officer, today=today,
                                     calendar=calendar, catalog=version)  # fmt: skip
    assert done.publish_by == clock.add_working_days(today, 7, calendar)


def test_the_supervision_figure_names_sectors_as_the_version_does(
    session: Session, version: Catalog, today: date
) -> None:
    _plan(session, version, today)
    rows = uptake._supervision_rows(session, Period.of(None, today=today, catalog=version))
    assert OLD_TITLE in [r[0] for r in rows.rows]


def test_the_public_page_states_the_versions_period(client: TestClient, version: Catalog) -> None:
    client.app.state.catalogs._current = version  # type: ignore[attr-defined]
    page = client.get("/inspections")
    assert "20 个工作日内公示" not in page.text
    assert page.status_code == 200
    assert "7 个工作日内公示" in page.text
