"""Public list pages: /lists (public list types only), /lists/{type} (published entries in force,
searchable, with decision, basis and 有效期), /lists/publicity (拟列入 in publicity with a way to
object), the front page and the published catalog."""

from __future__ import annotations

from datetime import date

import pytest

from tests.factories import make_subject
from tests.factories.lists import listed
from xinyong import lists
from xinyong.audit import Actor
from xinyong.config import Settings
from xinyong.enums import Role

MONDAY = date(2026, 11, 23)
OFFICER = Actor(kind="user", id=1, label="认定人员", role=Role.OFFICER)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"today": date(2026, 12, 2)})


def test_lists_index_shows_public_types_only(client):
    page = client.get("/lists")
    assert "拖欠农民工工资失信联合惩戒对象名单" in page.text
    assert "守信激励名单" in page.text
    assert "重点关注名单" not in page.text.split("<main")[1]
    hidden = client.get("/lists/watch", headers={"accept": "text/html"})
    assert hidden.status_code == 404
    assert "没有可公开查询的名单" in hidden.text


def test_list_page_shows_published_entries_in_force_and_searches(
    client, session, catalog, calendar
):
    shown = make_subject(session, name="示范公示欠薪建筑有限公司")
    entry = listed(
        session,
        shown,
        "wage_arrears",
        catalog=catalog,
        calendar=calendar,
        actor=OFFICER,
        proposed_on=MONDAY,
    )
    unpublished = make_subject(session, name="示范未公布劳务有限公司")
    listed(
        session,
        unpublished,
        "wage_arrears",
        catalog=catalog,
        calendar=calendar,
        actor=OFFICER,
        proposed_on=MONDAY,
        publish=False,
    )
    page = client.get("/lists/wage_arrears")
    assert page.status_code == 200
    assert "示范公示欠薪建筑有限公司" in page.text
    assert str(entry.decision_number) in page.text
    assert str(entry.valid_until) in page.text
    assert "保障农民工工资支付条例" in page.text
    assert "示范未公布劳务有限公司" not in page.text
    other = client.get("/lists/wage_arrears", params={"q": "没有这家公司"})
    assert "示范公示欠薪建筑有限公司" not in other.text
    found = client.get("/lists/wage_arrears", params={"q": "公示欠薪"})
    assert "示范公示欠薪建筑有限公司" in found.text


def test_publicity_shows_red_list_proposals_and_takes_objections(
    client, session, catalog, calendar
):
    subject = make_subject(session, name="示范诚信纳税有限公司")
    entry = lists.propose_entry(
        session,
        subject,
        "red",
        "连续三年纳税信用A级",
        catalog=catalog,
        actor=OFFICER,
        today=date(2026, 12, 1),
    )
    lists.send_prior_notice(
        session,
        entry,
        "示公〔2026〕3号",
        catalog=catalog,
        calendar=calendar,
        actor=OFFICER,
        today=date(2026, 12, 1),
    )
    page = client.get("/lists/publicity")
    assert "示范诚信纳税有限公司" in page.text
    assert str(entry.statement_deadline) in page.text
    assert f"/lists/publicity/{entry.id}/objection" in page.text
    sent = client.post(
        f"/lists/publicity/{entry.id}/objection",
        data={"name": "张三", "contact": "13800000000", "objection": "该企业曾欠税"},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    steps = [s.step for s in lists.entry_history(session, entry.id)]
    assert "publicity_objection" in steps
    empty = client.post(
        f"/lists/publicity/{entry.id}/objection",
        data={"name": "李四", "contact": "x", "objection": " "},
        headers={"accept": "text/html"},
    )
    assert empty.status_code == 422
    assert "请填写异议内容" in empty.text


def test_front_page_has_search_figures_latest_and_every_public_section(client):
    page = client.get("/")
    assert page.status_code == 200
    text = page.text
    assert text.index('role="search"') < text.index("今日数据")
    for link in (
        "/disclosures/penalty",
        "/disclosures/licence",
        "/lists",
        "/lists/publicity",
        "/catalog",
    ):
        assert f'href="{link}"' in text
    assert "条有效名单记录" in text
    assert "件信用修复已办结" in text


def test_catalog_is_published_for_anyone(client):
    page = client.get("/catalog")
    assert page.status_code == 200
    assert "行政处罚信息" in page.text
    assert "全国失信惩戒措施基础清单（2024年版）" in page.text
    assert "/admin/catalog/" not in page.text


def test_a_form_missing_a_field_gets_a_chinese_page_not_json(client):
    sent = client.post(
        "/lists/publicity/1/objection", data={"name": "张三"}, headers={"accept": "text/html"}
    )
    assert sent.status_code == 422
    assert sent.headers["content-type"].startswith("text/html")
    assert "提交的内容不完整或格式不正确（联系方式、异议内容）" in sent.text  # the form's labels
    api = client.post("/lists/publicity/1/objection", data={"name": "张三"})
    assert api.json()["error"] == "invalid_request"
