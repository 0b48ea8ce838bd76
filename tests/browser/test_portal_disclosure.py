"""Browser: search by a 2-character keyword → open the subject → see its disclosed penalty and the
信用码 (decoded from a screenshot when zbarimg is installed); a penalty past its maximum period is
not shown. Dates are relative to the live server's today, whatever XINYONG_TODAY is."""

from __future__ import annotations

import random
import shutil
import subprocess
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.factories import make_record
from xinyong import clock, demo, subjects
from xinyong.audit import Actor
from xinyong.config import Settings
from xinyong.db.session import make_engine, make_sessionmaker, transaction
from xinyong.enums import SubjectKind
from xinyong.subjects import NewSubject

KEYWORD = "璟琛"
NAME = f"示范区{KEYWORD}浏览器测试科技有限公司"
FACTS = {"penalty_kinds": ["罚款"], "fine_amount": "5", "subject_category": "法人及非法人组织"}


@dataclass(frozen=True)
class Seeded:
    code: str
    shown: str
    expired: str
    ends: date
    recent: date
    old: date


@pytest.fixture(scope="module")
def seeded(live_settings: Settings, live_server: str) -> Seeded:
    today = live_settings.today or clock.today()
    engine = make_engine(live_settings.database_url)
    code = demo.make_uscc(random.Random(99), "9", "1")
    recent, old = clock.add_months(today, -2), clock.add_months(today, -13)
    with transaction(make_sessionmaker(engine)) as session:
        found = subjects.find_by_code(session, code)
        subject = found or subjects.register(
            session, NewSubject(code=code, name=NAME, kind=SubjectKind.ENTERPRISE),
            actor=Actor.system("测试"), today=today,
        )  # fmt: skip
        if found is None:
            make_record(session, subject, decision_date=recent,
                        data={**FACTS, "decision_number": "璟罚〔近期〕1号"})  # fmt: skip
            make_record(session, subject, decision_date=old,
                        data={**FACTS, "decision_number": "璟罚〔过期〕2号"})  # fmt: skip
    engine.dispose()
    ends = clock.add_months(recent, 12)
    return Seeded(code, "璟罚〔近期〕1号", "璟罚〔过期〕2号", ends, recent, old)


def test_search_open_subject_see_penalty_and_credit_code(
    page: Page, live_server: str, live_settings: Settings, seeded: Seeded, tmp_path: Path
) -> None:
    page.goto(live_server + "/")
    page.get_by_label("查询关键词").fill(KEYWORD)
    page.get_by_role("button", name="查询").click()
    page.get_by_role("link", name=NAME).click()
    expect(page.get_by_role("heading", name=NAME, level=1)).to_be_visible()
    page.get_by_role("link", name="行政处罚（1）").click()
    penalties = page.locator("#penalties")
    expect(penalties.get_by_role("cell", name=seeded.shown)).to_be_visible()
    expect(penalties.get_by_text(f"公示至{seeded.ends.isoformat()}")).to_be_visible()
    expect(page.get_by_text(seeded.expired)).to_have_count(0)
    qr = page.locator("svg.qr").first
    expect(qr).to_be_visible()
    if shutil.which("zbarimg"):
        shot = tmp_path / "qr.png"
        qr.screenshot(path=str(shot))
        out = subprocess.run(
            ["zbarimg", "-q", "--raw", str(shot)], capture_output=True, text=True, check=False
        )
        assert out.stdout.strip() == f"{live_server}/subjects/{seeded.code}"


def test_penalty_past_its_maximum_period_is_not_listed(
    page: Page, live_server: str, seeded: Seeded
) -> None:
    # The demo region has thousands of penalties: filter each listing to the seeded decision date.
    day = seeded.recent.isoformat()
    page.goto(f"{live_server}/disclosures/penalty?from={day}&to={day}")
    expect(page.get_by_role("heading", name="双公示 · 行政处罚信息")).to_be_visible()
    expect(page.get_by_role("cell", name=seeded.shown)).to_be_visible()
    old = seeded.old.isoformat()
    page.goto(f"{live_server}/disclosures/penalty?from={old}&to={old}")
    expect(page.get_by_role("heading", name="双公示 · 行政处罚信息")).to_be_visible()
    expect(page.get_by_text(seeded.expired)).to_have_count(0)
