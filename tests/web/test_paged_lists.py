"""The paged pages read in the query, followed link by link as a clerk or a visitor does: the
public list, /admin/lists and the work queue show every row once, in order, 100 a page, with
the count; a tampered position is refused with a Chinese page."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import make_provider, make_record, make_subject
from tests.factories.accounts import signed_in
from xinyong.db.tables import Interview
from xinyong.enums import Role

ROWS = 130  # more than one page of 100
NEXT = re.compile(r'href="([^"]+)">下一页')


def follow(client: TestClient, url: str, row: re.Pattern[str]) -> tuple[list[Any], list[str]]:
    """The rows of every page, following the next links; and each page's text."""
    rows: list[Any] = []
    texts: list[str] = []
    while url:
        assert len(texts) < 10, "the next links never end"
        page = client.get(url)
        assert page.status_code == 200, page.text[:300]
        texts.append(page.text)
        rows += row.findall(page.text)
        found = NEXT.search(page.text)
        url = html.unescape(found.group(1)) if found else ""
    return rows, texts


@pytest.fixture
def court(session: Session) -> str:
    """`ROWS` court defaulters of subjects named with one prefix, decisions a day apart."""
    prefix = f"翻页{make_subject(session).id}号"
    for n in range(ROWS):
        subject = make_subject(session, name=f"{prefix}{n:03d}有限公司")
        make_record(session, subject, info_class="court_defaulter",
                    decision_date=date(2025, 1, 1) + timedelta(days=n % 50),
                    data={"decision_number": f"（2025）翻页{n}号"})  # fmt: skip
    session.flush()
    return prefix


def test_a_public_list_is_walked_newest_first_by_its_links(client: TestClient, court: str) -> None:
    names, texts = follow(client, f"/lists/court_defaulter?q={court}",
                          re.compile(rf">({court}\d+有限公司)<"))  # fmt: skip
    assert len(names) == len(set(names)) == ROWS
    assert len(texts) == 2
    assert f"共 {ROWS} 条" in texts[0]
    days = [int(n.removeprefix(court).removesuffix("有限公司")) % 50 for n in names]
    assert days == sorted(days, reverse=True)  # newest decision first
    assert "← 上一页" in texts[1]


def test_the_officers_list_is_walked_by_its_links(
    client: TestClient, session: Session, court: str
) -> None:
    signed_in(client, session, Role.OFFICER)  # of the credit office
    names, texts = follow(client, f"/admin/lists?list_type=court_defaulter&q={court}",
                          re.compile(rf"<td>({court}\d+有限公司)</td>"))  # fmt: skip
    assert len(names) == len(set(names)) == ROWS
    assert f"共 {ROWS} 条" in texts[0]
    assert "第 2 页" in texts[1]


def test_the_queue_is_walked_by_its_links_within_the_department(
    client: TestClient, session: Session, today: date
) -> None:
    own, other = make_provider(session), make_provider(session, kind="tax")
    subject = make_subject(session)
    for n in range(ROWS):
        for provider in (own, other):
            session.add(Interview(subject_id=subject.id, provider_id=provider.id, held_on=today,
                                  participants="甲", reason=f"回访{provider.id}-{n}",
                                  agreed="整改", follow_up_on=today + timedelta(days=n % 7),
                                  recorded_by="test"))  # fmt: skip
    session.flush()
    signed_in(client, session, Role.OFFICER, provider=own)
    rows, texts = follow(client, "/admin/queue?kind=interview_follow_up",
                         re.compile(r"回访(\d+)-(\d+)"))  # fmt: skip
    assert {p for p, _ in rows} == {str(own.id)}
    assert len(rows) == len(set(rows)) == ROWS
    assert f"共 {ROWS} 条" in texts[0]


@pytest.mark.parametrize("url", ["/lists/court_defaulter?after=bm90IGEga2V5",
                                 "/lists/court_defaulter?before=%25%25"])  # fmt: skip
def test_a_tampered_position_is_refused_in_chinese(client: TestClient, url: str) -> None:
    page = client.get(url)
    assert page.status_code in (400, 422)
    assert "翻页位置无效" in page.text
