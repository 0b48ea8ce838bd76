"""Browser: an officer registers inspectors (one related to a subject), makes a 双随机 plan with a
raised ratio and a chosen pool on the page, then checks the draw (复核抽取): identical, pair by
pair, with the related inspector kept away from that subject."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests.factories import make_provider
from tests.factories.workflows import make_user
from xinyong import inspections
from xinyong.audit import Actor
from xinyong.config import Settings
from xinyong.db.session import make_engine, make_sessionmaker, transaction
from xinyong.db.tables import Subject
from xinyong.enums import Role


@pytest.fixture(scope="module")
def officer(live_settings: Settings, live_server: str) -> tuple[str, str]:
    engine = make_engine(live_settings.database_url)
    with transaction(make_sessionmaker(engine)) as session:
        dept = make_provider(session, name="示范区浏览器抽查局")
        _, username = make_user(session, Role.OFFICER, provider=dept)
        region = live_settings.region_code
        related = session.execute(
            select(Subject.code).where(Subject.region_code.startswith(region)).order_by(Subject.id)
        ).scalars().first()  # fmt: skip
        assert related is not None
    engine.dispose()
    return username, related


def test_an_officer_makes_a_plan_and_checks_its_draw_on_the_page(
    page: Page, live_server: str, live_settings: Settings, officer: tuple[str, str]
) -> None:
    username, related = officer
    page.goto(f"{live_server}/admin/login?next=/admin/inspections")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("password123")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="双随机抽查计划")).to_be_visible()

    for i, name in enumerate(("回避检查员", "浏览器检查员甲", "浏览器检查员乙", "未入选检查员")):
        page.get_by_label("姓名").fill(name)
        page.get_by_label("执法证号").fill(f"LLQ{i:04d}")
        page.get_by_label(
            "有利害关系的主体（统一社会信用代码或身份证号，每行一个；抽取时回避）"
        ).fill(related if i == 0 else "")
        page.locator("#submit-inspector").click()
        expect(page.locator("#inspectors")).to_contain_text(name)

    page.locator("#plan-code").fill("2026-LLQ-01")
    page.locator("#plan-title").fill("浏览器制定的抽查")
    page.locator("#plan-end").fill("2026-12-31")
    for cls in "ABCD":  # every subject drawn: the related one too, so its exclusion shows
        page.locator(f"#plan-ratio-{cls}").fill("100")
    page.locator("#plan-pool").get_by_label("未入选检查员", exact=False).uncheck()
    page.locator("#plan-seed").fill("browser")
    page.locator("#submit-plan").click()
    expect(page.get_by_role("heading", name="浏览器制定的抽查（2026-LLQ-01）")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("未入选检查员")

    page.locator("#redraw-link").click()
    expect(page.locator("#redraw-verdict")).to_contain_text("重新抽取的结果与记录完全一致")
    rows = page.locator("#redraw-pairs tbody tr")
    expect(rows.first).to_contain_text("一致")
    expect(page.locator("#redraw-pairs")).not_to_contain_text("不一致")
    expect(page.locator("#redraw-pairs")).to_contain_text("回避检查员（与该主体有利害关系）")

    engine = make_engine(live_settings.database_url)
    with transaction(make_sessionmaker(engine)) as session:
        plan = inspections.get_plan(session, "2026-LLQ-01", actor=Actor.system())
        assert set(plan.inputs["ratios"].values()) == {1.0}
        assert len(plan.inputs["inspectors"]) == 3
        drawn = len(inspections.drawn_of(session, plan))
    engine.dispose()
    expect(rows).to_have_count(drawn)
