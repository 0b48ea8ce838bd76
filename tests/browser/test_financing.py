"""Browser: a bank is refused an SME's 贷前审核 page, the SME authorises the bank in /me/financing,
the bank reads the evaluation and pages the archive, the SME sees those queries and revokes, the
bank is refused again. A partner scans a 信用码 image on the phone page and sees the result."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import segno
from playwright.sync_api import Page, expect

from tests.browser.conftest import LIVE_TODAY
from tests.factories import make_record, make_subject
from tests.factories.subjects import SYSTEM
from tests.factories.workflows import make_user
from xinyong import demo, evaluation
from xinyong.catalog import load_catalog
from xinyong.config import Settings
from xinyong.db.session import make_engine, make_sessionmaker, transaction
from xinyong.db.tables import User
from xinyong.enums import Role
from xinyong.financing import institutions
from xinyong.scenarios import catalog as scenario_catalog
from xinyong.scenarios import verify as verifying


def _log_in(page: Page, url: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(url)
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("password123")
    page.get_by_role("button", name="登录").click()


def _seed_bank(settings: Settings) -> tuple[str, str, str, str]:
    import random  # noqa: PLC0415

    engine = make_engine(settings.database_url)
    with transaction(make_sessionmaker(engine)) as session:
        catalog = load_catalog(settings.catalog_dir)
        subject = make_subject(session, name="浏览器授权测试制造有限公司")
        for n in range(25):  # more than one page of the bank's archive view (20 a page)
            make_record(session, subject, decision_date=date(2026, 3, 1) + timedelta(days=n))
        evaluation.evaluate_subject(session, subject, catalog=catalog, today=LIVE_TODAY)
        _, enterprise = make_user(session, Role.ENTERPRISE, subject=subject)
        bank_actor, bank = make_user(session, Role.BANK)
        code = demo.make_uscc(random.Random(4242), "9", "1")
        inst = institutions.register(
            session, "浏览器测试农商银行", code, "bank", joined_whitelist=False, actor=SYSTEM
        )
        user = session.get(User, bank_actor.id)
        assert user is not None
        institutions.add_user(session, inst, user, actor=SYSTEM)
        result = (subject.code, enterprise, bank, inst.name)
    engine.dispose()
    return result


def test_bank_needs_the_smes_consent(page: Page, live_server: str, live_settings: Settings):
    code, enterprise, bank, bank_name = _seed_bank(live_settings)

    _log_in(page, f"{live_server}/admin/login?next=/bank/subjects/{code}", bank)
    expect(page.get_by_role("heading", name="无权访问")).to_be_visible()

    _log_in(page, f"{live_server}/me/login", enterprise)
    page.goto(f"{live_server}/me/financing")
    page.get_by_label("融资金额（万元）").fill("80")
    page.get_by_label("期限（月）").fill("12")
    page.get_by_label("用途", exact=True).fill("采购原材料")
    page.get_by_role("button", name="发布需求").click()
    expect(page.locator("#need table")).to_contain_text("采购原材料")
    page.locator("select[name=institution_id]").select_option(label=bank_name)
    page.get_by_label("授权用途").fill("流动资金贷款审批")
    page.get_by_label("授权截止日（含）").fill(str(LIVE_TODAY + timedelta(days=30)))
    page.get_by_role("button", name="授权该机构").click()
    expect(page.locator("#banks table")).to_contain_text("已授权")

    _log_in(page, f"{live_server}/admin/login?next=/bank/", bank)
    page.get_by_role("link", name="贷前审核").click()
    expect(page.get_by_role("heading", name="信用评价")).to_be_visible()
    expect(page.locator(".grade")).to_contain_text("等级")
    expect(page.get_by_role("heading", name="完整信用档案")).to_be_visible()
    pager = page.get_by_test_id("pager-archive")
    expect(pager).to_contain_text("第 1 页（第 1–20 条，共 25 条")
    pager.get_by_role("link", name="下一页（更早的记录）").click()
    expect(pager).to_contain_text("第 2 页（第 21–25 条，共 25 条")
    expect(page.locator("section[aria-labelledby=ar-h] tbody tr")).to_have_count(5)
    pager.get_by_role("link", name="最新记录").click()
    expect(pager).to_contain_text("第 1 页")

    _log_in(page, f"{live_server}/me/login", enterprise)
    page.goto(f"{live_server}/me/queries")
    expect(page.locator("table")).to_contain_text(bank)
    expect(page.locator("table")).to_contain_text("主体授权")
    page.goto(f"{live_server}/me/financing")
    page.get_by_role("button", name=f"撤回对{bank_name}的授权").click()
    expect(page.locator("#banks table")).to_contain_text("未授权")

    _log_in(page, f"{live_server}/admin/login?next=/bank/subjects/{code}", bank)
    expect(page.get_by_role("heading", name="无权访问")).to_be_visible()


def test_partner_scans_a_credit_code_image(
    page: Page, live_server: str, live_settings: Settings, tmp_path: Path
):
    engine = make_engine(live_settings.database_url)
    with transaction(make_sessionmaker(engine)) as session:
        catalog = load_catalog(live_settings.catalog_dir)
        subject = make_subject(session, name="扫码核验测试商贸有限公司")
        evaluation.evaluate_subject(session, subject, catalog=catalog, today=LIVE_TODAY)
        actor, partner = make_user(session, Role.PARTNER)
        user = session.get(User, actor.id)
        assert user is not None
        scenario = scenario_catalog.load(live_settings.catalog_dir).get("xinyi_pi")
        verifying.register_partner(session, scenario, "示范区政务服务中心", user, actor=SYSTEM)
        code = subject.code
    engine.dispose()
    image = tmp_path / "credit-code.png"
    segno.make(f"{live_server}/subjects/{code}", error="m").save(str(image), scale=8, border=4)

    _log_in(page, f"{live_server}/admin/login?next=/partner/", partner)
    expect(page.get_by_role("heading", name="信易+ 核验")).to_be_visible()
    page.locator("#scan-file").set_input_files(str(image))
    expect(page.get_by_role("heading", name="符合“信易批”条件")).to_be_visible()
    expect(page.locator(".verdict")).to_contain_text("扫码核验测试商贸有限公司")
    expect(page.locator(".verdict")).to_contain_text("评价等级须为 A、B")
    expect(page.locator("tbody")).to_contain_text("扫码")
