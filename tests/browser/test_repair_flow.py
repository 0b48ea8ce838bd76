"""Browser: an enterprise applies for credit repair online (for a record, or for early exit from a
platform list), an officer accepts and approves it, and the public page no longer shows it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.conftest import CATALOG_DIR
from tests.factories import make_provider, make_subject
from tests.factories.lists import listed
from tests.factories.workflows import PDF, make_penalty, make_user
from xinyong.catalog import load_calendar, load_catalog
from xinyong.config import Settings
from xinyong.db.session import make_engine, make_sessionmaker, transaction
from xinyong.enums import Role


def _seed(settings: Settings) -> tuple[str, str, str, str]:
    engine = make_engine(settings.database_url)
    with transaction(make_sessionmaker(engine)) as session:
        provider = make_provider(session, name="示范市市场监督管理局")
        subject = make_subject(session, name="示范修复测试有限公司")
        record = make_penalty(session, subject, provider, decision_date=date(2026, 6, 1))
        _, enterprise = make_user(session, Role.ENTERPRISE, subject=subject)
        _, officer = make_user(session, Role.OFFICER, provider=provider)
        number, code = str(record.decision_number), subject.code
    engine.dispose()
    return number, enterprise, officer, code


def _log_in(page: Page, url: str, username: str) -> None:
    page.goto(url)
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("password123")
    page.get_by_role("button", name="登录").click()


def test_enterprise_applies_for_repair_and_officer_approves(
    page: Page, live_server: str, live_settings: Settings, tmp_path: Path
) -> None:
    number, enterprise, officer, code = _seed(live_settings)
    page.goto(f"{live_server}/subjects/{code}")
    expect(page.locator("#penalties")).to_contain_text(number)
    proof = tmp_path / "缴款凭证.pdf"
    proof.write_bytes(PDF)

    _log_in(page, live_server + "/me/login", enterprise)
    expect(page.get_by_role("heading", name="示范修复测试有限公司")).to_be_visible()
    row = page.locator("#records").get_by_role("row", name=number)
    expect(row).to_contain_text("公示中")  # its disclosure state, from the disclosure module
    row.get_by_role("link", name="申请信用修复").click()  # offered: the record is eligible
    expect(page.get_by_text("最短公示期已届满")).to_be_visible()
    page.get_by_label("纠正失信行为、履行义务情况说明").fill("已缴清罚款并完成整改")
    page.locator("#m-performance_proof").set_input_files(str(proof))
    page.get_by_label("本主体已纠正失信行为、履行全部法定义务").check()
    page.get_by_label("本主体作出上述信用承诺").check()
    page.get_by_role("button", name="提交修复申请").click()
    expect(page.locator("#repairs .repair-row[data-status=submitted]")).to_contain_text("待受理")
    page.get_by_role("button", name="退出登录").click()

    _log_in(page, live_server + "/admin/login?next=/admin/queue", officer)
    expect(page.get_by_role("heading", name="待办事项")).to_be_visible()
    page.get_by_role("row", name="信用修复待受理").get_by_role("link", name="办理").click()
    page.get_by_role("button", name="受理", exact=True).click()
    expect(page.locator("#repair-status")).to_have_text("已受理")
    page.get_by_label("决定理由（不予修复时必填）").fill("已履行全部义务")
    page.get_by_role("button", name="准予修复", exact=True).click()
    expect(page.locator("#repair-status")).to_have_text("准予修复")
    page.get_by_role("button", name="退出登录").click()

    _log_in(page, live_server + "/me/login", enterprise)
    expect(page.locator("#repairs .repair-row[data-status=approved]")).to_contain_text("准予修复")
    expect(page.locator("#records").get_by_role("row", name=number)).to_contain_text("已修复")
    page.get_by_role("button", name="退出登录").click()

    page.goto(f"{live_server}/subjects/{code}")
    expect(page.get_by_role("heading", name="示范修复测试有限公司", level=1)).to_be_visible()
    expect(page.locator("#penalties")).not_to_contain_text(number)


def _seed_listed(settings: Settings) -> tuple[str, str, str, str]:
    """A subject on the watch list through the real procedure, decided 2026-03-10."""
    engine = make_engine(settings.database_url)
    with transaction(make_sessionmaker(engine)) as session:
        provider = make_provider(session, name="示范市交通运输局")
        subject = make_subject(session, name="示范提前移出测试有限公司")
        officer_actor, officer = make_user(session, Role.OFFICER, provider=provider)
        _, enterprise = make_user(session, Role.ENTERPRISE, subject=subject)
        entry = listed(
            session, subject, "watch", catalog=load_catalog(CATALOG_DIR),
            calendar=load_calendar(CATALOG_DIR / "calendar"), actor=officer_actor,
            proposed_on=date(2026, 3, 2),
        )  # fmt: skip
        number, code = str(entry.decision_number), subject.code
    engine.dispose()
    return number, enterprise, officer, code


def test_enterprise_applies_for_early_exit_and_officer_approves(
    page: Page, live_server: str, live_settings: Settings, tmp_path: Path
) -> None:
    number, enterprise, officer, code = _seed_listed(live_settings)
    page.goto(f"{live_server}/subjects/{code}")
    expect(page.locator("#punishments")).to_contain_text(number)
    proof = tmp_path / "整改报告.pdf"
    proof.write_bytes(PDF)

    _log_in(page, live_server + "/me/login", enterprise)
    page.locator("#lists").get_by_role("row", name=number).get_by_role(
        "link", name="申请提前移出"
    ).click()
    expect(page.get_by_text("自 2026-06-11 起可申请提前移出")).to_be_visible()
    page.get_by_label("纠正失信行为、履行义务情况说明").fill("已整改并履行全部义务")
    page.locator("#m-performance_proof").set_input_files(str(proof))
    page.get_by_label("本主体已纠正失信行为、履行全部法定义务").check()
    page.get_by_label("本主体作出上述信用承诺").check()
    page.get_by_role("button", name="提交提前移出申请").click()
    expect(page.locator("#repairs .repair-row[data-status=submitted]")).to_contain_text(
        "提前移出：重点关注名单"
    )
    page.get_by_role("button", name="退出登录").click()

    _log_in(page, live_server + "/admin/login?next=/admin/queue", officer)
    page.get_by_role("row", name=f"重点关注名单 提前移出 {number}").get_by_role(
        "link", name="办理"
    ).click()
    expect(page.locator("#list-type")).to_have_text("重点关注名单")
    page.get_by_role("button", name="受理", exact=True).click()
    page.get_by_label("决定理由（不予修复时必填）").fill("已整改")
    page.get_by_role("button", name="准予提前移出", exact=True).click()
    expect(page.locator("#repair-status")).to_have_text("准予修复")
    expect(page.locator("#entry-stage")).to_contain_text("提前移出")
    page.get_by_role("button", name="退出登录").click()

    page.goto(f"{live_server}/subjects/{code}")
    expect(page.get_by_role("heading", name="示范提前移出测试有限公司", level=1)).to_be_visible()
    expect(page.locator("#punishments")).not_to_contain_text(number)
