"""The 双公示 listing filters the disclosure window in SQL, by cutoffs the rules give.

Each record is seen on the day before the last day of its period, on it and after it, through the
listing and the subject page: both must agree with `disclosure_window` (the one rule), including a
period that ends on a month end (2024-02-29 + 12 months → 2025-02-28) and the two cutoffs a record
reaches SQL through (a severity classified from the fields, an explicit one, a licence's
`valid_until` and, without one, the 60-month fallback).
"""

from __future__ import annotations

import importlib
import random
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import make_record, make_subject
from xinyong import archive
from xinyong.catalog import Catalog
from xinyong.clock import period_last_day
from xinyong.db.tables import Record, Subject
from xinyong.disclosure.listing import ListingPage, ListingQuery, class_filter
from xinyong.disclosure.rules import earliest_in_window, listing_cutoffs

listing_module = importlib.import_module("xinyong.disclosure.listing")  # the package shadows it
GENERAL = {"penalty_kinds": ["罚款"], "fine_amount": "5", "subject_category": "法人及非法人组织"}
OFFSETS = (-1, 0, 1)


def _licence(number: str, decided: date, until: date | None) -> dict[str, Any]:
    return {"decision_number": number, "decision_title": "食品经营许可", "content": "食品销售",
            "subject_category": "法人及非法人组织", "status": "有效",
            "decision_date": decided.isoformat(),
            "valid_until": until.isoformat() if until else None}  # fmt: skip


# (info class, decision number, decided, extra columns, last day shown)
CASES: list[tuple[str, str, date, dict[str, Any], date]] = [
    ("penalty", "示罚〔2025〕1号", date(2025, 1, 22), {}, date(2026, 1, 22)),  # 一般, classified
    ("penalty", "示罚〔2024〕2号", date(2024, 2, 29), {"severity": "general"}, date(2025, 2, 28)),
    ("penalty", "示罚〔2023〕3号", date(2023, 5, 31), {"severity": "serious"}, date(2026, 5, 31)),
    ("licence", "示许〔2021〕4号", date(2021, 1, 22), {}, date(2026, 1, 22)),  # 60-month fallback
    ("licence", "示许〔2025〕5号", date(2025, 5, 10), {"valid_until": date(2026, 5, 10)},
     date(2026, 5, 10)),
]  # fmt: skip


def _make(session: Session, case: tuple[str, str, date, dict[str, Any], date]) -> Record:
    info_class, number, decided, extra, _ = case
    subject = make_subject(session)
    if info_class == "penalty":
        data = {**GENERAL, "decision_number": number}
    else:
        data = _licence(number, decided, extra.get("valid_until"))
    return make_record(session, subject, info_class=info_class, decision_date=decided,
                       authority_name="示范区市场监管局", data=data, **extra)  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=[c[1] for c in CASES])
@pytest.mark.parametrize("offset", OFFSETS)
def test_listing_and_subject_page_agree_around_the_end(
    client: TestClient, session: Session, catalog: Catalog,
    case: tuple[str, str, date, dict[str, Any], date], offset: int,
) -> None:  # fmt: skip
    record = _make(session, case)
    day = case[4] + timedelta(days=offset)
    client.app.state.settings = client.app.state.settings.model_copy(update={"today": day})  # type: ignore[attr-defined]
    listed = client.get(f"/disclosures/{case[0]}").text
    subject = session.get(Subject, record.subject_id)
    assert subject is not None
    page = client.get(f"/subjects/{subject.code}").text
    shown = offset <= 0
    assert (case[1] in listed) is shown, (day, listed[-2000:])
    assert (case[1] in page) is shown
    if shown:
        assert f"公示至{case[4].isoformat()}" in page
    where = class_filter(ListingQuery(case[0]), catalog, day)
    in_sql = {r.id for r in archive.current_of_class(session, where, limit=50)}
    classified = case[0] == "penalty" and "severity" not in case[3]
    assert (record.id in in_sql) is (shown or classified)  # SQL drops it unless classified


def test_earliest_in_window_inverts_the_period_rule() -> None:
    rng = random.Random(17)
    for _ in range(3000):
        today = date(2020, 1, 1) + timedelta(days=rng.randrange(3000))
        months = rng.choice((0, 1, 3, 12, 24, 36, 60, 1200))
        first = earliest_in_window(today, months)
        assert period_last_day(first, months) >= today
        assert period_last_day(first - timedelta(days=1), months) < today


def test_cutoffs_follow_the_catalog(catalog: Catalog) -> None:
    today = date(2025, 2, 28)
    penalty = listing_cutoffs(catalog, "penalty", today)
    assert penalty.by_severity["general"] == date(2024, 2, 28)  # 2024-02-28 and -29 end today
    assert penalty.by_severity["serious"] == date(2022, 2, 28)
    assert penalty.by_severity.get("minor") == date(2024, 11, 28)  # a sector shows minor 3 months
    assert penalty.decided_since == date(2022, 2, 28)
    licence = listing_cutoffs(catalog, "licence", today)
    assert licence.end_is_valid_until
    assert licence.undated_since == date(2020, 2, 28)
    assert licence.long_term_sentinel == date(2099, 12, 31)


def test_pages_walk_the_keyset_without_gaps_or_repeats(
    session: Session, catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Windows of 3 records (ties on the decision date go by id), hidden records in between."""
    monkeypatch.setattr(listing_module, "BATCH", 3)
    subject = make_subject(session)
    shown = []
    for n in range(9):
        day = date(2026, 6, 1) - timedelta(days=n // 2)  # pairs share a decision date
        kinds = ["警告"] if n % 3 == 1 else ["罚款"]  # 警告 only: minor, never shown
        record = make_record(session, subject, decision_date=day, authority_name="示范区某局",
                             data={**GENERAL, "penalty_kinds": kinds,
                                   "decision_number": f"示罚〔2026〕9{n}号"})  # fmt: skip
        if n % 3 != 1:
            shown.append((day, record.id, record.decision_number))
    today = date(2026, 11, 23)
    seen = []
    for page in (1, 2, 3, 4):
        query = ListingQuery("penalty", authority_name="示范区某局", page=page, per_page=2)
        result = listing_module.listing(session, query, catalog=catalog, today=today)
        seen += [item.decision_number for _, item in result.items]
        assert result.has_next is (page < 3)
    assert seen == [number for *_, number in sorted(shown, reverse=True)]  # newest first, once


def test_the_previous_page_reads_backwards_from_the_first_rows_keyset(
    session: Session, client: TestClient, catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Following 下一页 then 上一页 by their keysets gives the same pages as the page numbers,
    without skipping the rows before them (issue 17: a page costs its own rows)."""
    monkeypatch.setattr(listing_module, "BATCH", 3)
    subject = make_subject(session)
    for n in range(9):
        day = date(2026, 6, 1) - timedelta(days=n // 2)
        kinds = ["警告"] if n % 3 == 1 else ["罚款"]
        make_record(session, subject, decision_date=day, authority_name="示范区后翻局",
                    data={**GENERAL, "penalty_kinds": kinds,
                          "decision_number": f"示罚〔2026〕8{n}号"})  # fmt: skip
    session.commit()
    today = date(2026, 11, 23)

    def page_of(
        page: int,
        after: tuple[date, int] | None = None,
        before: tuple[date, int] | None = None,
    ) -> ListingPage:
        query = ListingQuery("penalty", authority_name="示范区后翻局", page=page, per_page=2,
                             after=after, before=before)  # fmt: skip
        found: ListingPage = listing_module.listing(session, query, catalog=catalog, today=today)
        return found

    numbered = [page_of(page=p) for p in (1, 2, 3)]
    third = page_of(page=3, after=page_of(page=2, after=numbered[0].next_after).next_after)
    assert [i.decision_number for _, i in third.items] == [
        i.decision_number for _, i in numbered[2].items
    ]
    back = page_of(page=2, before=third.first_key)
    assert [i.decision_number for _, i in back.items] == [
        i.decision_number for _, i in numbered[1].items
    ]
    assert back.has_next
    assert back.next_after == numbered[1].next_after

    assert third.first_key is not None
    key = f"{third.first_key[0]}.{third.first_key[1]}"
    resp = client.get("/disclosures/penalty", params={"authority": "示范区后翻局", "page": 2,
                                                      "before": key})  # fmt: skip
    assert resp.status_code == 200
    assert 'rel="prev"' in resp.text
