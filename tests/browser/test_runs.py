"""Browser: the credit office presses 立即运行 on /admin/jobs, lands on the run's page and sees
it go from 排队中 to 已完成 without reloading by hand (static/runs.js polls the run's progress),
with a runner working beside the server as `xinyong serve` starts one."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_dashboard import _office_login
from xinyong.config import Settings
from xinyong.db.session import make_sessionmaker
from xinyong.runs import runner


@pytest.fixture
def a_runner(live_settings: Settings) -> Iterator[None]:
    engine = runner.engine_for(live_settings.database_url)
    stop = threading.Event()
    thread = threading.Thread(target=runner.serve, args=(make_sessionmaker(engine), live_settings),
                              kwargs={"stop": stop, "poll": 0.2}, daemon=True)  # fmt: skip
    thread.start()
    yield
    stop.set()
    thread.join(timeout=30)
    engine.dispose()


def test_run_now_shows_the_run_finish(
    page: Page, live_server: str, live_settings: Settings, a_runner: None
) -> None:
    _office_login(page, live_server, live_settings)
    page.goto(f"{live_server}/admin/jobs")
    page.locator("#reason-deadlines").fill("月底核对待办")
    page.locator("#run-deadlines").click()
    page.wait_for_url(f"{live_server}/admin/runs/*")
    expect(page.get_by_role("heading", name="待办期限日报")).to_be_visible()
    expect(page.locator("#run-status")).to_have_text("已完成", timeout=30_000)
    expect(page.locator("#run-done")).to_contain_text("待办 ")
    expect(page.locator("#run-bar")).to_have_attribute("value", "100")
    expect(page.locator("#run")).to_contain_text("月底核对待办")  # why, as the officer said
    page.goto(f"{live_server}/admin/runs?job=deadlines")
    expect(page.locator("#runs tbody tr").first).to_contain_text("已完成")
