"""Browser: the credit office stops an account on its page with a reason; the person can then no
longer sign in; the office restarts it and resets the password, which the person then changes."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.factories.workflows import make_user
from xinyong.config import Settings
from xinyong.db.session import make_engine, make_sessionmaker, transaction
from xinyong.enums import Role


def _seed(settings: Settings) -> tuple[str, str]:
    engine = make_engine(settings.database_url)
    with transaction(make_sessionmaker(engine)) as session:
        _, admin = make_user(session, Role.ADMIN)
        _, auditor = make_user(session, Role.AUDITOR)
    engine.dispose()
    return admin, auditor


def _log_in(page: Page, url: str, username: str, password: str = "password123") -> None:
    page.goto(url + "/admin/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def test_office_deactivates_a_user_who_then_cannot_sign_in(
    page: Page, live_server: str, live_settings: Settings
) -> None:
    admin, auditor = _seed(live_settings)
    _log_in(page, live_server, admin)
    page.goto(live_server + "/admin/users")
    page.get_by_role("link", name=auditor, exact=True).click()
    expect(page.locator("#user-state")).to_have_text("启用")
    page.get_by_label("停用理由（必填，如：调离岗位）").fill("调离岗位")
    page.get_by_role("button", name="停用").click()
    expect(page.locator("#user-done")).to_contain_text("账户已停用")
    expect(page.locator("#user-state")).to_have_text("停用")
    page.get_by_role("button", name="退出登录").click()

    _log_in(page, live_server, auditor)
    expect(page.get_by_text("用户名或密码不正确")).to_be_visible()

    _log_in(page, live_server, admin)
    page.goto(live_server + "/admin/users")
    page.get_by_role("link", name=auditor, exact=True).click()
    page.get_by_label("启用理由（必填）").fill("回到岗位")
    page.get_by_role("button", name="重新启用").click()
    expect(page.locator("#user-state")).to_have_text("启用")
    page.get_by_label("重置理由（必填）").fill("本人忘记密码")
    page.get_by_role("button", name="重置密码").click()
    password = page.locator("#new-password").inner_text()
    page.get_by_role("button", name="退出登录").click()

    _log_in(page, live_server, auditor, password)
    page.get_by_role("link", name="修改密码").click()
    page.get_by_label("原密码").fill(password)
    page.get_by_label("新密码", exact=True).fill("Xinyong@2027")
    page.get_by_label("再次输入新密码").fill("Xinyong@2027")
    page.get_by_role("button", name="修改密码").click()
    expect(page.locator("#password-done")).to_be_visible()
