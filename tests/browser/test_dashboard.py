"""Browser: the credit office's dashboard and the wall screen draw their charts; clicking a
figure — a number or a point of a chart — opens the rows behind it."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.factories.workflows import make_user
from xinyong.config import Settings
from xinyong.db.session import make_engine, make_sessionmaker, transaction
from xinyong.enums import Role


def _office_login(page: Page, live_server: str, settings: Settings) -> None:
    engine = make_engine(settings.database_url)
    with transaction(make_sessionmaker(engine)) as session:
        _, username = make_user(session, Role.ADMIN)
    engine.dispose()
    page.goto(f"{live_server}/admin/login?next=/admin/dashboard")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("password123")
    page.get_by_role("button", name="登录").click()


def test_dashboard_draws_charts_and_a_figure_opens_its_rows(
    page: Page, live_server: str, live_settings: Settings
) -> None:
    _office_login(page, live_server, live_settings)
    page.goto(f"{live_server}/admin/dashboard?month=2026-11")
    expect(page.get_by_role("heading", name="信用工作看板 · 2026-11")).to_be_visible()
    charts = page.locator("[data-chart]")
    expect(charts).to_have_count(7)
    for i in range(7):  # ECharts drew each one (SVG renderer)
        expect(charts.nth(i).locator("svg")).to_have_count(1)
    page.locator('.kpis a[data-key="records_collected"]').click()
    expect(page).to_have_url(
        f"{live_server}/admin/dashboard/figures/records_collected?month=2026-11"
    )
    expect(page.get_by_role("heading", name="信用信息归集量 · 2026-11")).to_be_visible()
    assert page.locator("#rows tbody tr").count() > 10


def test_clicking_a_chart_bar_opens_that_departments_batches(
    page: Page, live_server: str, live_settings: Settings
) -> None:
    _office_login(page, live_server, live_settings)
    page.goto(f"{live_server}/admin/dashboard?month=2026-11")
    chart = page.locator('[data-chart="departments"]')
    expect(chart.locator("svg")).to_have_count(1)
    bar = chart.locator("svg path[fill='#2b6cb0']").first  # the first department's bar
    bar.click()
    page.wait_for_url(f"{live_server}/admin/dashboard/rows/department/*?month=2026-11")
    expect(page.locator("#rows")).to_be_visible()
    assert page.locator("#rows tbody tr").count() >= 1  # that department's batches


def test_wall_screen_draws_its_charts_and_refreshes(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/screen")
    expect(page.locator("#screen-figures li").first).to_be_visible()
    charts = page.locator("[data-chart]")
    expect(charts).to_have_count(4)
    for i in range(4):
        expect(charts.nth(i).locator("svg")).to_have_count(1)
    assert page.locator("body").get_attribute("data-refresh") == "60"
