"""Browser: a member of the public searches by a 2-character keyword and opens a subject page."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from xinyong import demo


def test_search_two_characters_then_open_subject(page: Page, live_server: str) -> None:
    company = next(s for s in demo.generate_subjects(400) if s.kind.value == "enterprise")
    keyword = company.name[3:5]  # two characters of the 字号, after the 示范区 prefix
    page.goto(live_server + "/")
    expect(page.get_by_role("heading", name="信用信息查询")).to_be_visible()
    page.get_by_label("查询关键词").fill(keyword)
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_role("heading", name=f"“{keyword}”的查询结果", exact=False)).to_be_visible()
    page.get_by_role("link", name=company.name).first.click()
    expect(page.get_by_role("heading", name=company.name, level=1)).to_be_visible()
    expect(page.get_by_text("基本信息").first).to_be_visible()
