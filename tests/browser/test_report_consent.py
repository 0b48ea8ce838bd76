"""Browser: a bank is refused a special report, the enterprise authorises the bank (the
institution as such, stop 20) in /me, its officer downloads the report, the enterprise sees the
query and revokes, and the bank is refused again."""

from __future__ import annotations

import random
from datetime import timedelta

from playwright.sync_api import Page, expect

from tests.browser.conftest import LIVE_TODAY
from tests.factories import make_subject
from tests.factories.workflows import make_user
from xinyong import demo, signing
from xinyong.audit import Actor
from xinyong.config import Settings
from xinyong.db.session import make_engine, make_sessionmaker, transaction
from xinyong.db.tables import User
from xinyong.enums import Role
from xinyong.financing import institutions

BANK = "示范授权测试银行"


def _seed(settings: Settings) -> tuple[str, str, str, str]:
    signing.ensure_key(settings.signing_key_path)
    engine = make_engine(settings.database_url)
    with transaction(make_sessionmaker(engine)) as session:
        subject = make_subject(session, name="示范授权测试有限公司")
        _, enterprise = make_user(session, Role.ENTERPRISE, subject=subject)
        officer, bank = make_user(session, Role.BANK)
        rng = random.Random()
        bank_name = f"{BANK}{rng.randrange(10**6)}"
        inst = institutions.register(session, bank_name, demo.make_uscc(rng, "9", "1"), "bank",
                                     joined_whitelist=False, actor=Actor.system())  # fmt: skip
        user = session.get(User, officer.id)
        assert user is not None
        institutions.add_user(session, inst, user, actor=Actor.system())
        code = subject.code
    engine.dispose()
    return code, enterprise, bank, bank_name


def _log_in(page: Page, url: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(url)
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("password123")
    page.get_by_role("button", name="登录").click()


def _ask_special_report(page: Page, live_server: str, bank: str, code: str) -> None:
    _log_in(page, f"{live_server}/admin/login?next=/reports/request?code={code}", bank)
    page.get_by_label("专项信用报告（替代无违法违规证明）").check()
    page.get_by_label("税务").check()
    page.get_by_label("查询目的（非本人查询必填）").fill("小微企业贷款审批")


def test_bank_needs_the_subjects_consent(page: Page, live_server: str, live_settings: Settings):
    code, enterprise, bank, bank_name = _seed(live_settings)

    _ask_special_report(page, live_server, bank, code)
    page.get_by_role("button", name="生成并下载报告").click()
    expect(page.get_by_role("heading", name="无权访问")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("授权")

    _log_in(page, f"{live_server}/me/login", enterprise)
    page.goto(f"{live_server}/me/consents")
    page.get_by_label("被授权方").select_option(label=bank_name)
    page.get_by_label("用途").fill("小微企业贷款审批")
    page.get_by_label("授权截止日（含）").fill(str(LIVE_TODAY + timedelta(days=30)))
    page.get_by_role("button", name="授权").click()
    expect(page.locator("table")).to_contain_text("小微企业贷款审批")
    expect(page.locator("table")).to_contain_text("有效")

    _ask_special_report(page, live_server, bank, code)
    with page.expect_download() as download:
        page.get_by_role("button", name="生成并下载报告").click()
    assert download.value.suggested_filename.startswith("credit-report-")
    assert download.value.suggested_filename.endswith(".pdf")

    _log_in(page, f"{live_server}/me/login", enterprise)
    page.goto(f"{live_server}/me/queries")
    expect(page.locator("table")).to_contain_text("小微企业贷款审批")
    expect(page.locator("table")).to_contain_text("主体授权")
    page.goto(f"{live_server}/me/consents")
    page.get_by_role("button", name="撤回授权").click()
    expect(page.locator("table")).to_contain_text("已撤回")

    _ask_special_report(page, live_server, bank, code)
    page.get_by_role("button", name="生成并下载报告").click()
    expect(page.get_by_role("heading", name="无权访问")).to_be_visible()
