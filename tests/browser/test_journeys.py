"""Browser: each role's journeys walked on the demo region where they used to end in a dead end —
the public finds the 信用修复 guide and report verification from the navigation; 管理入口 takes a
bank or an enterprise to its own home; the bank looks a subject up and reads why it may not see
it; the clerk downloads an upload template and reads the rejected rows; the auditor pages and
filters the audit log; the credit office filters its queue and the lists in force, finds decided
repairs, and is asked before an act that cannot be undone; an officer finds a verified commitment
again and the public reads a breach's 认定单位 as a department; an enterprise reads that a
licence needs no repair."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from playwright.sync_api import Dialog, Page, expect
from sqlalchemy import select

from tests.browser.conftest import DEMO_SUBJECTS
from tests.factories.workflows import make_user
from xinyong import demo, subjects
from xinyong.config import Settings
from xinyong.db.session import make_engine, make_sessionmaker, transaction
from xinyong.db.tables import Record
from xinyong.enums import Role, SubjectKind

DEMO = "Demo@2026"  # the demo accounts' password (README)


def _log_in(page: Page, url: str, username: str, password: str = DEMO) -> None:
    page.goto(url)
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def _nav(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="主导航").get_by_role("link", name=name, exact=True).click()


def _admin(settings: Settings) -> str:
    engine = make_engine(settings.database_url)
    with transaction(make_sessionmaker(engine)) as session:
        _, admin = make_user(session, Role.ADMIN)
    engine.dispose()
    return admin


def test_public_reaches_the_repair_guide_and_report_verification(
    page: Page, live_server: str
) -> None:
    page.goto(live_server + "/")
    _nav(page, "信用修复")
    expect(page.get_by_role("heading", name="信用修复指南", level=1)).to_be_visible()
    serious = page.locator("#periods").get_by_role("row", name="严重")
    expect(serious).to_contain_text("12 个月")  # the catalog's minimum for serious information
    expect(serious).to_contain_text("36 个月")
    expect(page.locator("#steps")).to_contain_text("3 个工作日内决定是否受理")
    expect(page.locator("#materials")).to_contain_text(
        "履行法定义务、纠正失信行为的证明材料（必交）"
    )
    expect(page.locator("main")).not_to_contain_text("LIKELY")
    page.get_by_role("link", name="企业登录，申请信用修复 →").click()
    expect(page).to_have_url(live_server + "/me/login")
    _nav(page, "报告核验")
    expect(page.get_by_role("heading", name="信用报告核验")).to_be_visible()


def test_bank_looks_a_subject_up_and_reads_why_it_may_not(page: Page, live_server: str) -> None:
    orgs = [s for s in demo.generate_subjects(DEMO_SUBJECTS) if s.kind == SubjectKind.ENTERPRISE]
    stranger = orgs[5]  # the demo enterprise (the first) authorised the bank; this one did not
    _log_in(page, live_server + "/admin/login", "bank")
    expect(page).to_have_url(live_server + "/bank/")
    _nav(page, "管理入口")  # once a 无权访问 page for a bank
    expect(page).to_have_url(live_server + "/bank/")
    page.get_by_label("查找企业（统一社会信用代码）").fill(stranger.code)
    page.get_by_role("button", name="贷前审核").click()
    expect(page.get_by_role("heading", name="无权访问")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("授权")
    page.get_by_role("link", name="返回机构工作台").click()
    expect(page).to_have_url(live_server + "/bank/")


def test_enterprise_goes_home_and_is_not_offered_to_authorise_itself(
    page: Page, live_server: str
) -> None:
    _log_in(page, live_server + "/me/login", "enterprise")
    _nav(page, "管理入口")
    expect(page).to_have_url(live_server + "/me/")
    page.goto(live_server + "/me/consents")
    options = page.get_by_label("被授权方").locator("option")
    expect(options.first).to_be_attached()
    expect(options.filter(has_text="（enterprise）")).to_have_count(0)


def test_clerk_downloads_a_template_and_reads_the_rejected_rows(
    page: Page, live_server: str, tmp_path: Path
) -> None:
    _log_in(page, live_server + "/admin/login", "clerk")
    _nav(page, "数据归集")
    expect(page.get_by_label("信息类").locator("option", has_text="penalty")).to_have_count(0)
    page.locator("#templates summary").click()
    row = page.locator("#templates li", has_text="行政处罚信息")
    with page.expect_download() as download:
        row.get_by_role("link", name="下载模板").click()
    headers = pl.read_excel(download.value.path()).columns
    assert "行政处罚决定书文号" in headers
    assert "处罚决定日期" in headers
    bad = tmp_path / "处罚.csv"
    values = {"处罚决定日期": "2026-13-45"}
    bad.write_text(
        ",".join(headers) + "\n" + ",".join(values.get(h, "") for h in headers) + "\n",
        encoding="utf-8",
    )
    page.get_by_label("信息类").select_option(label="行政处罚信息")
    page.locator("#file").set_input_files(str(bad))
    page.get_by_label("只校验，不入库").check()
    page.get_by_role("button", name="上传并归集").click()
    expect(page.locator("main")).to_contain_text("退回明细")
    expect(page.locator("main")).to_contain_text("“2026-13-45”不是有效日期")


def test_auditor_pages_and_filters_the_audit_log(page: Page, live_server: str) -> None:
    _log_in(page, live_server + "/admin/login", "auditor")
    _nav(page, "审计")
    rows = page.locator("#audit-log tbody tr")
    expect(rows).to_have_count(50)
    expect(page.locator("#audit-log")).not_to_contain_text("auth.user.logged_in")  # titles only
    newest = int(rows.first.locator("td").first.inner_text())
    page.get_by_role("link", name="更早的审计日志 →").click()
    assert int(rows.first.locator("td").first.inner_text()) < newest - 49
    page.locator("#audit-filters").get_by_label("操作类型").select_option(label="用户登录")
    page.locator("#audit-filters").get_by_role("button", name="筛选").click()
    expect(rows.first).to_contain_text("用户登录")
    for cell in rows.locator("td:nth-child(4)").all_inner_texts():
        assert cell == "用户登录"
    target = rows.first.locator("td:nth-child(5) a")
    name = target.inner_text()
    target.click()  # every operation on that one object
    for cell in rows.locator("td:nth-child(5)").all_inner_texts():
        assert cell == name
    page.get_by_role("button", name="校验审计链").click()
    expect(page.get_by_role("status")).to_contain_text("审计链完整")


def test_office_filters_its_queue_and_lists_and_is_asked_before_an_irreversible_act(
    page: Page, live_server: str, live_settings: Settings
) -> None:
    admin = _admin(live_settings)
    _log_in(page, live_server + "/admin/login", admin, "password123")
    _nav(page, "待办事项")
    kinds = page.locator("#queue-kinds")
    kinds.get_by_role("link", name="信用承诺待核查").click()
    rows = page.locator("table.queue tbody tr")
    expect(rows.first).to_have_attribute("data-kind", "commitment_verification")
    assert set(rows.evaluate_all("rs => rs.map(r => r.dataset.kind)")) == {
        "commitment_verification"
    }
    first = rows.first.locator("td").nth(1).inner_text()
    asked: list[str] = []

    def dismiss(dialog: Dialog) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    rows.first.get_by_role("button", name="记录核查结果").click()
    expect(rows.first.locator("td").nth(1)).to_have_text(first)  # 取消: nothing recorded
    assert asked
    assert "不能更改" in asked[0]

    page.get_by_role("link", name="全部信用修复申请（含已办结）→").click()
    expect(page.get_by_role("heading", name="信用修复申请", level=1)).to_be_visible()
    expect(page.get_by_label("状态").locator("option", has_text="准予修复")).to_be_attached()

    _nav(page, "名单认定")
    filters = page.locator("#entry-filters")
    filters.get_by_label("来源").select_option(label="本平台认定")
    filters.get_by_role("button", name="筛选").click()
    sources = page.locator("#entries-table tbody td:nth-child(4)").all_inner_texts()
    assert sources
    assert set(sources) == {"本平台认定"}
    page.locator("#entries-table").get_by_role("link", name="本平台认定").first.click()
    expect(page.locator("h1").first).to_contain_text("：")  # the entry's procedure


def test_officer_finds_a_verified_commitment_and_the_public_reads_its_department(
    page: Page, live_server: str, live_settings: Settings
) -> None:
    _log_in(page, live_server + "/admin/login", "officer")  # 市场监管认定人员
    _nav(page, "待办事项")
    page.get_by_role("link", name="全部信用承诺（含已核查）→").click()
    expect(page.get_by_role("heading", name="信用承诺", level=1)).to_be_visible()
    page.locator("#status-filter").get_by_label("状态").select_option(label="已履行")
    page.locator("#status-filter").get_by_role("button", name="筛选").click()
    rows = page.locator("#commitments tbody tr")
    expect(rows.first).to_have_attribute("data-status", "kept")
    assert set(rows.evaluate_all("rs => rs.map(r => r.dataset.status)")) == {"kept"}
    code = rows.first.locator("td").first.inner_text()
    rows.first.get_by_role("link", name="查看").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"信用承诺 {code}")
    expect(page.locator("#commitment-status")).to_have_text("已履行")
    expect(page.locator("#commitment")).to_contain_text("示范区市场监督管理局")
    page.locator("#commitment").get_by_role("link").first.click()  # the subject's public page
    expect(page.locator("#commitments")).to_contain_text(code)

    engine = make_engine(live_settings.database_url)
    with transaction(make_sessionmaker(engine)) as session:
        breach = session.execute(
            select(Record).where(Record.info_class == "commitment_breach").limit(1)
        ).scalar_one()
        ref = subjects.public_ref(subjects.get(session, breach.subject_id))
    engine.dispose()
    page.goto(f"{live_server}/subjects/{ref}#breaches")
    breaches = page.locator("#breaches")
    expect(breaches).to_contain_text("示范区")
    expect(breaches).not_to_contain_text("命令行")
    expect(breaches).not_to_contain_text("测试")


def test_enterprise_reads_that_a_licence_needs_no_repair(
    page: Page, live_server: str, live_settings: Settings
) -> None:
    engine = make_engine(live_settings.database_url)
    with transaction(make_sessionmaker(engine)) as session:
        licence = session.execute(
            select(Record).where(Record.info_class == "licence", Record.is_current).limit(1)
        ).scalar_one()
        _, owner = make_user(
            session, Role.ENTERPRISE, subject=subjects.get(session, licence.subject_id)
        )
    engine.dispose()
    _log_in(page, live_server + "/me/login", owner, "password123")
    page.goto(f"{live_server}/me/records/{licence.id}")
    expect(page.locator("#repair-not-applicable")).to_contain_text(
        "该信息不属于失信信息，无需信用修复"
    )
    expect(page.locator("ul.eligibility")).to_have_count(0)
