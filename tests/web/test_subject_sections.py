"""The subject page pages each section (issue 17): a subject with many records shows 20 of a
section at a time, newest first, with an exact count and next-page links; what is shown across
the pages is exactly what the disclosure rules show (`disclosure.public_view`, the reference)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import make_record, make_subject
from xinyong import disclosure
from xinyong.catalog import Catalog
from xinyong.db.tables import Subject
from xinyong.disclosure import sections, stored

TODAY = date(2026, 11, 23)
GENERAL: dict[str, Any] = {
    "penalty_kinds": ["罚款"],
    "fine_amount": "5",
    "subject_category": "法人及非法人组织",
}
MINOR: dict[str, Any] = {"penalty_kinds": ["警告"], "subject_category": "法人及非法人组织"}
NUMBER = re.compile(r"示罚〔\d{4}〕\d+号")


def _penalty(session: Session, subject: Subject, catalog: Catalog, n: int, fields: dict[str, Any],
             days_ago: int, *, classified: bool = True) -> None:  # fmt: skip
    data = {**fields, "decision_number": f"示罚〔2026〕{n}号"}
    severity_class, basis = (
        stored.classify(catalog, "penalty", data) if classified else (None, None)
    )
    make_record(session, subject, decision_date=TODAY - timedelta(days=days_ago), data=data,
                severity_class=severity_class, severity_basis=basis)  # fmt: skip


def _subject(session: Session, catalog: Catalog) -> Subject:
    """33 penalties shown (28 classified, 5 left to the rules), 10 minor and 4 expired not."""
    subject = make_subject(session, name="示范区分页测试有限公司")
    for n in range(28):
        _penalty(session, subject, catalog, n, GENERAL, 3 * n)
    for n in range(28, 33):
        _penalty(session, subject, catalog, n, GENERAL, 3 * n + 1, classified=False)
    for n in range(33, 43):
        _penalty(session, subject, catalog, n, MINOR, n)
    for n in range(43, 47):
        _penalty(session, subject, catalog, n, GENERAL, 400 + n, classified=n % 2 == 0)
    return subject


def _penalties_section(page: str) -> str:
    return page.split('id="penalties-h"')[1].split("</section>", maxsplit=1)[0]


def _numbers(section: str) -> list[str]:
    """The decision numbers in a section, in order (each row shows its number twice)."""
    return list(dict.fromkeys(NUMBER.findall(section)))


def test_a_section_shows_20_newest_with_the_exact_count_and_pages_on(
    client: TestClient, session: Session, catalog: Catalog
) -> None:
    subject = _subject(session, catalog)
    expected = [r.decision_number for r in
                disclosure.public_view(session, subject, catalog=catalog, today=TODAY).tabs[
                    "penalties"]]  # fmt: skip
    assert len(expected) == 33
    page = client.get(f"/subjects/{subject.code}").text
    assert "行政处罚（33）" in page
    first = _penalties_section(page)
    assert _numbers(first) == expected[:20]  # newest first, as the rules order them
    assert "第 1 页（第 1–20 条，共 33 条" in first
    link = re.search(r'href="([^"]+)" rel="next">下一页', first)
    assert link is not None
    assert "tab=penalties" in link[1]
    second = _penalties_section(client.get(link[1].replace("&amp;", "&")).text)
    assert _numbers(second) == expected[20:]
    assert "第 2 页（第 21–33 条，共 33 条" in second
    assert 'rel="next"' not in second
    assert 'rel="prev"' in second
    back = re.search(r'href="([^"]+)" rel="prev">上一页', second)
    assert back is not None  # page 1 again, by its number (no keyset)
    again = _penalties_section(client.get(back[1].replace("&amp;", "&")).text)
    assert _numbers(again) == expected[:20]


def test_counts_are_exact_below_the_caps_and_floors_above(
    session: Session, catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    subject = _subject(session, catalog)
    found = sections.section(session, subject, "penalties", catalog=catalog, today=TODAY)
    assert (found.count, found.count_is_floor, len(found.items)) == (33, False, 20)
    assert found.count_label() == "33"
    monkeypatch.setattr(sections, "SQL_COUNT_CAP", 10)
    capped = sections.section(session, subject, "penalties", catalog=catalog, today=TODAY)
    assert capped.count_is_floor
    assert capped.count_label() == f"{capped.count}+"
    assert capped.count_sentence == f"至少 {capped.count} 条"
    assert capped.count <= 33
    monkeypatch.setattr(sections, "SQL_COUNT_CAP", 10_000)
    monkeypatch.setattr(sections, "RULES_COUNT_CAP", 3)
    capped = sections.section(session, subject, "penalties", catalog=catalog, today=TODAY)
    assert capped.count_is_floor
    assert capped.count <= 33


def test_a_small_section_has_no_pager_and_the_card_reads_no_records(
    client: TestClient, session: Session, catalog: Catalog
) -> None:
    subject = make_subject(session, name="示范区小主体有限公司")
    _penalty(session, subject, catalog, 1, GENERAL, 10)
    page = client.get(f"/subjects/{subject.code}").text
    assert "行政处罚（1）" in page
    assert 'data-testid="pager-penalties"' not in page
    assert client.get(f"/subjects/{subject.code}?tab=penalties&after=bad").status_code == 422
    beyond = client.get(f"/subjects/{subject.code}?tab=penalties&page=9")  # a page past the end
    assert beyond.status_code == 200
    assert "本页没有记录" in _penalties_section(beyond.text)
    assert client.get(f"/subjects/{subject.code}/card").status_code == 200


def test_the_count_walks_at_most_its_cap_of_index_entries(
    session: Session, catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The count reads at most `SQL_COUNT_CAP` + 1 of the subject's entries of the section, in
    one statement when SQL decides each of them (no second read for the rules' share): exact
    when the section holds no more, a floor of what it found among them when it does."""
    from sqlalchemy import event  # noqa: PLC0415

    subject = make_subject(session, name="示范区计数测试有限公司")
    for n in range(12):
        _penalty(session, subject, catalog, n, GENERAL, 3 * n)
    for n in range(12, 18):  # minor and past their period: walked, not shown
        _penalty(session, subject, catalog, n, MINOR, 200 + n)
    filters, _ = sections._filters(catalog, "penalties", TODAY)
    sent: list[str] = []
    bind = session.get_bind()
    listener = lambda *args: sent.append(args[2])  # noqa: E731
    event.listen(bind, "before_cursor_execute", listener)
    try:
        exact = sections._count(session, subject.id, filters, catalog=catalog, today=TODAY)
        assert exact == (12, False)
        assert len(sent) == 1  # one statement: SQL decided every entry
        monkeypatch.setattr(sections, "SQL_COUNT_CAP", 4)
        count, floor = sections._count(session, subject.id, filters, catalog=catalog, today=TODAY)
    finally:
        event.remove(bind, "before_cursor_execute", listener)
    assert floor
    assert count <= 5  # shown among the 5 entries walked: never more than there are
