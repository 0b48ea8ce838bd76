"""Browser: the credit office opens 系统状态 from the admin menu and reads every check with its
正常 / 警告 / 错误 and what to do, the versions and the report slots."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.factories.workflows import make_user
from xinyong.config import Settings
from xinyong.db.session import make_engine, make_sessionmaker, transaction
from xinyong.enums import Role


def test_the_office_reads_the_installations_checks(
    page: Page, live_server: str, live_settings: Settings
) -> None:
    engine = make_engine(live_settings.database_url)
    with transaction(make_sessionmaker(engine)) as session:
        _, admin = make_user(session, Role.ADMIN)
    engine.dispose()
    page.goto(live_server + "/admin/login")
    page.get_by_label("用户名").fill(admin)
    page.get_by_label("密码").fill("password123")
    page.get_by_role("button", name="登录").click()
    page.get_by_role("link", name="系统状态").click()
    expect(page.get_by_role("heading", name="系统状态")).to_be_visible()
    for title in ("数据库", "数据库迁移", "目录文件", "SM2 签名密钥", "数据目录", "定时任务"):
        expect(page.locator("#checks").get_by_role("cell", name=title, exact=True)).to_be_visible()
    expect(page.locator("#check-database")).to_contain_text("正常")
    expect(page.locator("#check-migrations")).to_contain_text("已是最新")
    expect(page.locator("#overall")).to_contain_text("总体：")
    expect(page.locator("#versions")).to_contain_text("Python")
    expect(page.locator("#slots")).to_contain_text("正在使用")
