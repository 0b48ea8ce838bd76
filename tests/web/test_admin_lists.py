"""Admin pages for lists and checks: in-progress procedures with deadlines, entries, statistics,
and the measure catalog browser."""

from __future__ import annotations

from datetime import date

import pytest

from tests.factories import make_subject
from tests.factories.accounts import signed_in
from tests.factories.lists import listed
from xinyong import lists, measures
from xinyong.audit import Actor
from xinyong.config import Settings
from xinyong.enums import Role

MONDAY = date(2026, 11, 23)
OFFICER = Actor(kind="user", id=1, label="认定人员", role=Role.OFFICER)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"check_fast_path": False, "today": date(2026, 12, 1)})


@pytest.fixture
def logged_in(client, session):
    signed_in(client, session, Role.OFFICER)  # of the credit office
    return client


def test_lists_page_shows_procedures_in_progress_and_entries(logged_in, session, catalog, calendar):
    subject = make_subject(session, name="示范区在办科技有限公司")
    entry = lists.propose_entry(session, subject, "watch", "失信事实", catalog=catalog,
                                actor=OFFICER, today=MONDAY)  # fmt: skip
    lists.send_prior_notice(session, entry, "示告〔2026〕9号", catalog=catalog, calendar=calendar,
                            actor=OFFICER, today=date(2026, 11, 30))  # fmt: skip
    done = make_subject(session, name="示范区已列入贸易有限公司")
    decided = listed(session, done, "wage_arrears", catalog=catalog, calendar=calendar,
                     actor=OFFICER, proposed_on=MONDAY)  # fmt: skip
    page = logged_in.get("/admin/lists")
    assert page.status_code == 200
    assert "示告〔2026〕9号" in page.text
    assert "2026-12-07（期限未届满）" in page.text
    assert "示范区已列入贸易有限公司" in page.text
    detail = logged_in.get(f"/admin/lists/{decided.id}")
    assert "拟列入拖欠农民工工资失信联合惩戒对象名单事前告知书" in detail.text
    assert "publication" in detail.text


def test_checks_page_shows_counts_feedback_rate_and_a_chart(logged_in, session, catalog):
    system = Actor(kind="api_client", id=3, label="接口:评优系统", role=Role.SYSTEM)
    measures.check(session, make_subject(session).code, "honours", catalog=catalog,
                   actor=system, today=date(2026, 12, 1))  # fmt: skip
    page = logged_in.get("/admin/checks")
    assert page.status_code == 200
    assert "反馈率" in page.text
    assert "接口:评优系统" in page.text
    assert "<svg" in page.text


def test_catalog_browser_shows_measure_details(logged_in):
    page = logged_in.get("/admin/catalog")
    assert "财政部门、采购人、采购代理机构" in page.text
    assert "全国失信惩戒措施基础清单（2024年版）" in page.text
