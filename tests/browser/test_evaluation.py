"""Browser: the 信用评价 tab of the subject page and the /me explanation render, and no page
shows an unmasked ID number (the penalty names its legal representative's ID number)."""

from __future__ import annotations

import random
from datetime import date

from playwright.sync_api import Page, expect

from tests.factories import make_provider, make_subject
from tests.factories.workflows import make_penalty, make_user
from tests.web.test_masking import _unmasked
from xinyong import demo
from xinyong.config import Settings
from xinyong.db.session import make_engine, make_sessionmaker, transaction
from xinyong.enums import Role


def _seed(settings: Settings) -> tuple[str, str, str]:
    id_number = demo.make_id_number(random.Random(12))
    engine = make_engine(settings.database_url)
    with transaction(make_sessionmaker(engine)) as session:
        provider = make_provider(session, name="示范市生态环境局")
        subject = make_subject(session, name="示范评价测试有限公司")
        make_penalty(
            session,
            subject,
            provider,
            decision_date=date(2026, 6, 1),
            legal_rep="张三",
            legal_rep_id_kind="身份证",
            legal_rep_id_number=id_number,
        )
        _, enterprise = make_user(session, Role.ENTERPRISE, subject=subject)
        code = subject.code
    engine.dispose()
    return code, enterprise, id_number


def test_evaluation_tab_and_me_explanation_render_without_id_numbers(
    page: Page, live_server: str, live_settings: Settings
) -> None:
    code, enterprise, id_number = _seed(live_settings)
    page.goto(f"{live_server}/subjects/{code}")
    page.get_by_role("link", name="信用评价").click()
    tab = page.locator("#evaluations")
    expect(tab).to_contain_text("C（中）")
    expect(tab).to_contain_text("企业公共信用综合评价模型 版本")
    expect(tab).to_contain_text("遵纪守法·一般失信行政处罚：扣 8 分")
    assert not _unmasked(page.content(), {id_number})

    page.goto(live_server + "/me/login")
    page.get_by_label("用户名").fill(enterprise)
    page.get_by_label("密码").fill("password123")
    page.get_by_role("button", name="登录").click()
    page.get_by_role("link", name="信用评价").click()
    mine = page.locator("#evaluation")
    expect(mine).to_contain_text("怎样改变我的等级")
    expect(mine).to_contain_text("申请信用修复")
    expect(mine).to_contain_text("预计等级 B")
    expect(mine.get_by_role("link", name="去申请信用修复")).to_be_visible()
    assert not _unmasked(page.content(), {id_number})


def test_the_tab_shows_a_runs_stored_grade_until_a_change_is_pending(
    page: Page, live_server: str, live_settings: Settings
) -> None:
    from xinyong import catalog as catalogs  # noqa: PLC0415
    from xinyong.audit import Actor  # noqa: PLC0415
    from xinyong.db.tables import Subject  # noqa: PLC0415
    from xinyong.evaluation import engine as runs  # noqa: PLC0415
    from xinyong.evaluation import pending, service  # noqa: PLC0415

    code, _, _ = _seed(live_settings)
    db = make_engine(live_settings.database_url)
    catalog = catalogs.load_catalog(live_settings.catalog_dir)
    today = live_settings.today
    assert today is not None  # the live server's fixed today
    with transaction(make_sessionmaker(db)) as session:
        subject = session.query(Subject).filter_by(code=code).one()
        loaded = service.model_of(subject, catalog)
        assert loaded is not None
        runs.run_embedded(session, loaded, catalog=catalog, as_of=today,
                          actor=Actor.system("测试"))  # fmt: skip
        subject_id = subject.id
    page.goto(f"{live_server}/subjects/{code}")
    tab = page.locator("#evaluations")
    expect(tab).to_contain_text("C（中）")
    expect(tab).to_contain_text("按基准日的档案评价，此后档案没有变化")
    expect(tab).to_contain_text("遵纪守法·一般失信行政处罚：扣 8 分。")  # a run keeps no record ids

    with transaction(make_sessionmaker(db)) as session:
        pending.mark(session, [subject_id], reason=pending.FAILED)
    db.dispose()
    page.reload()
    expect(tab).to_contain_text("按当前档案计算")
    expect(tab).to_contain_text("遵纪守法·一般失信行政处罚：扣 8 分（依据 1 条记录）")
