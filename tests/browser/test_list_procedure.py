"""Browser: an officer lists a subject through every step of the procedure on screen — refused
shortcuts shown in Chinese on the page — the entry appears on /lists/{type} and in a joint check,
and an early exit removes it. Time is an input: the test moves the server's "today"."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from playwright.sync_api import Page, expect

from tests.browser.conftest import LIVE_TODAY, _free_port
from tests.factories import make_provider, make_subject
from tests.factories.workflows import PDF, make_user
from xinyong import auth
from xinyong.audit import Actor
from xinyong.config import Settings
from xinyong.db.session import make_engine, make_sessionmaker, transaction
from xinyong.enums import Role
from xinyong.web.app import create_app

AFTER_PERIOD = date(2026, 12, 1)  # 2026-11-23 + 5 working days = 11-30; decisions from 12-01


@pytest.fixture
def clocked(live_settings: Settings) -> Iterator[tuple[str, Callable[[date], None]]]:
    """A server of its own over the live database, whose "today" the test sets."""
    app: FastAPI = create_app(live_settings)
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)

    def set_today(day: date) -> None:
        app.state.settings = live_settings.model_copy(update={"today": day})

    yield f"http://127.0.0.1:{port}", set_today
    server.should_exit = True
    thread.join(timeout=10)


def _seed(settings: Settings) -> tuple[str, str, str]:
    engine = make_engine(settings.database_url)
    with transaction(make_sessionmaker(engine)) as session:
        provider = make_provider(session, name="示范市税务局")
        subject = make_subject(session, name="示范虚开发票测试有限公司")
        _, officer = make_user(session, Role.OFFICER, provider=provider)
        _, key = auth.add_client(session, "招投标系统（测试）", "check", actor=Actor.system())
        code = subject.code
    engine.dispose()
    return code, officer, key


def test_officer_lists_a_subject_on_screen_and_exits_it_early(  # noqa: PLR0915 — one story
    page: Page,
    clocked: tuple[str, Callable[[date], None]],
    live_settings: Settings,
    tmp_path: Path,
) -> None:
    url, set_today = clocked
    set_today(LIVE_TODAY)
    code, officer, key = _seed(live_settings)
    evidence = tmp_path / "稽查报告.pdf"
    evidence.write_bytes(PDF)

    page.goto(f"{url}/admin/login?next=/admin/lists")
    page.get_by_label("用户名").fill(officer)
    page.get_by_label("密码").fill("password123")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="提出拟列入")).to_be_visible()
    page.get_by_label("主体代码（统一社会信用代码或身份证号码）").fill(code)
    page.get_by_label("名单类型").select_option("tax_serious_violation")
    page.get_by_label("拟列入的事实").fill("经查，该单位2026年虚开增值税专用发票12份")
    page.get_by_label("证据材料（PDF、PNG、JPEG，可多选）").set_input_files(str(evidence))
    page.get_by_role("button", name="提出拟列入").click()
    expect(page.locator("#entry-stage")).to_have_text("已提出")
    expect(page.locator("#evidence")).to_contain_text("稽查报告.pdf")

    # a shortcut: deciding before the prior notice is refused, in Chinese, on the page
    expect(page.locator("#decision .refused")).to_contain_text("当前状态为“已提出”")
    page.locator("#decision_number").fill("税认〔2026〕7号")
    page.locator("#submit-decision").click()
    expect(page.locator("#error-decision")).to_contain_text("作出认定决定须在")
    expect(page.locator("body")).not_to_contain_text('"code"')

    page.locator("#notice_number").fill("税告〔2026〕7号")
    page.locator("#submit-notice").click()
    expect(page.locator("#entry-stage")).to_have_text("已告知")
    page.locator("#print-notice").click()
    expect(
        page.get_by_role("heading", name="拟列入重大税收违法失信主体名单事前告知书")
    ).to_be_visible()
    expect(page.locator("body")).to_contain_text("经查，该单位2026年虚开增值税专用发票12份")
    expect(page.locator("body")).not_to_contain_text("经查，经查")
    page.go_back()

    page.get_by_label("送达方式").select_option("direct")
    page.locator("#submit-delivery").click()
    expect(page.locator("#delivery")).to_contain_text("直接送达")

    page.locator("#decision_number").fill("税认〔2026〕7号")
    page.locator("#submit-decision").click()
    expect(page.locator("#error-decision")).to_contain_text("陈述申辩期尚未届满（截止 2026-11-30）")

    page.get_by_label("当事人陈述申辩（或公示异议）内容").fill("发票系财务人员失误开具")
    page.get_by_label("答复（采纳与否及理由）").fill("不予采纳：经核实为故意虚开")
    page.locator("#submit-statement").click()
    expect(page.locator("#entry-stage")).to_have_text("已陈述申辩")

    set_today(AFTER_PERIOD)
    page.reload()
    page.locator("#decision_number").fill("税认〔2026〕7号")
    page.locator("#submit-decision").click()
    expect(page.locator("#entry-stage")).to_have_text("已认定")
    page.locator("#submit-publication").click()
    expect(page.locator("#entry-stage")).to_have_text("已公布")

    page.goto(f"{url}/lists/tax_serious_violation?q=示范虚开发票测试")
    expect(page.locator("#entries")).to_contain_text("税认〔2026〕7号")
    expect(page.locator("#entries")).to_contain_text("2029-12-01")
    check = page.request.post(
        f"{url}/api/v1/checks", headers={"X-API-Key": key}, data={"code": code, "matter": "bidding"}
    )
    assert check.ok, check.text()
    assert "税认〔2026〕7号" in check.text()

    page.goto(f"{url}/admin/lists")
    filters = page.locator("#entry-filters")  # the entries in force are paged: find it by name
    filters.get_by_label("主体名称或代码").fill("示范虚开发票测试有限公司")
    filters.get_by_role("button", name="筛选").click()
    page.get_by_role("row", name="示范虚开发票测试有限公司").get_by_role("link").first.click()
    page.locator("#exit-kind").select_option("early")
    page.locator("#exit-reason").fill("已缴清税款、滞纳金和罚款")
    page.locator("#exit-basis").fill("税务机关确认书")
    page.locator("#submit-exit").click()
    expect(page.locator("#entry-stage")).to_have_text("已移出")
    expect(page.locator("#exit-info")).to_contain_text("已缴清税款")

    page.goto(f"{url}/lists/tax_serious_violation?q=示范虚开发票测试")
    expect(page.locator("#entries")).not_to_contain_text("税认〔2026〕7号")
    after = page.request.post(
        f"{url}/api/v1/checks", headers={"X-API-Key": key}, data={"code": code, "matter": "bidding"}
    )
    assert "税认〔2026〕7号" not in after.text()
