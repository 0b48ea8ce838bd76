"""Browser: a subject page shows a related organisation (its investor, from registration data)
that is on a list in force, with the list named; the legal representative's ID number is masked."""

from __future__ import annotations

import random
from datetime import date

import pytest
from playwright.sync_api import Page, expect

from tests.factories.registration import (
    REG_HEADERS,
    SERIOUS_HEADERS,
    csv_bytes,
    reg_row,
    serious_row,
)
from xinyong import catalog, clock, collection, demo, providers
from xinyong.audit import Actor
from xinyong.config import Settings
from xinyong.db.session import make_engine, make_sessionmaker, transaction

CHILD, PARENT = "示范区璟琛关联测试子公司", "示范区璟琛关联测试母公司"


@pytest.fixture(scope="module")
def codes(live_settings: Settings, live_server: str) -> tuple[str, str, str]:
    rng = random.Random(2024)
    child, parent = demo.make_uscc(rng, "9", "1"), demo.make_uscc(rng, "9", "1")
    person = demo.make_id_number(rng)
    today = live_settings.today or clock.today()
    engine = make_engine(live_settings.database_url)
    shipped = catalog.load_catalog(live_settings.catalog_dir)
    calendar = catalog.load_calendar(live_settings.catalog_dir / "calendar")
    actor = Actor.system("测试")
    with transaction(make_sessionmaker(engine)) as session:
        market = providers.list_providers(session)[0]
        files = [
            ("registration", csv_bytes(REG_HEADERS, [
                reg_row(CHILD, child, rep="冯二", rep_id=person,
                        investors=f"{PARENT}|{parent}|51%;冯二|{person}|49%"),
                reg_row(PARENT, parent, rep="陈三"),
            ])),
            ("serious_list", csv_bytes(SERIOUS_HEADERS, [
                serious_row(PARENT, parent, market.name, market.uscc, date(2026, 5, 6)),
            ])),
        ]  # fmt: skip
        for info_class, data in files:
            sub = collection.Submission(info_class, market.uscc, data=data, file_name="t.csv")
            collection.collect(session, sub, catalog=shipped, calendar=calendar, durable=False,
                               actor=actor, today=today)  # fmt: skip
    engine.dispose()
    return child, parent, person


def test_subject_page_shows_a_related_organisation_on_a_list_in_force(
    page: Page, live_server: str, codes: tuple[str, str, str]
) -> None:
    child, parent, person = codes
    page.goto(f"{live_server}/subjects/{child}")
    expect(page.get_by_role("heading", name=CHILD, level=1)).to_be_visible()
    page.get_by_role("link", name="关联关系（1）").click()
    related = page.get_by_test_id("related")
    row = related.get_by_role("row").filter(has_text=PARENT)
    expect(row).to_contain_text(parent)
    expect(row).to_contain_text("本主体的投资人（出资 51%）")
    expect(row).to_contain_text("在列：拖欠农民工工资失信联合惩戒对象名单")
    row.get_by_role("link", name=PARENT).click()
    expect(page.get_by_role("heading", name=PARENT, level=1)).to_be_visible()
    expect(page.get_by_test_id("related")).to_contain_text(CHILD)
    assert person not in page.content()
