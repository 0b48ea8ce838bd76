"""`lists.counts` (entries in force counted in SQL) agrees, list by list and subject by subject,
with `lists.current_entries` (the Python rule) on entries around every edge of the rule."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import pytest
from sqlalchemy.orm import Session

from tests.factories import SYSTEM, make_record, make_subject
from tests.factories.lists import listed
from xinyong import lists
from xinyong.catalog import Catalog
from xinyong.clock import Calendar
from xinyong.enums import ListKind
from xinyong.lists import counts

DAYS = [date(2026, 11, 23), date(2026, 11, 30), date(2026, 12, 1), date(2027, 2, 28),
        date(2027, 3, 1), date(2025, 1, 10)]  # fmt: skip


@pytest.fixture
def entries(session: Session, catalog: Catalog, calendar: Calendar) -> None:
    subjects = [make_subject(session) for _ in range(8)]
    court = [date(2024, 11, 22), date(2024, 11, 23), date(2024, 11, 24), date(2024, 11, 30),
             date(2024, 12, 1), date(2025, 2, 28), date(2025, 2, 27), date(2024, 8, 31),
             date(2026, 12, 5)]  # fmt: skip
    for i, decided in enumerate(court):
        make_record(session, subjects[i % 8], info_class="court_defaulter", decision_date=decided,
                    data={"decision_number": f"（2024）执{i}号"})  # fmt: skip
    s = subjects
    make_record(session, s[0], info_class="court_defaulter", decision_date=date(2020, 1, 1),
                valid_until=date(2027, 1, 31), data={"decision_number": "长期"})  # fmt: skip
    make_record(session, s[1], info_class="court_defaulter", decision_date=date(2026, 1, 1),
                status="withdrawn", data={"decision_number": "撤回"})  # fmt: skip
    make_record(session, s[2], info_class="court_defaulter", decision_date=date(2026, 1, 1),
                data={"decision_number": "移出", "removed_on": "2026-11-30"})  # fmt: skip
    make_record(session, s[3], info_class="court_defaulter", decision_date=date(2026, 1, 1),
                is_current=False, data={"decision_number": "旧版本"})  # fmt: skip
    for name, decided in (("market_regulation_serious", date(2023, 11, 30)),
                          ("市场监督管理严重违法失信名单", date(2023, 12, 1)),
                          (" 重点关注名单 ", date(2026, 1, 31)),
                          ("外省某严重失信名单", date(2010, 1, 1))):  # fmt: skip
        make_record(session, s[4], info_class="serious_list", decision_date=decided,
                    data={"decision_number": name, "list_type": name})  # fmt: skip
    make_record(session, s[5], info_class="serious_list", decision_date=date(2015, 1, 1),
                valid_until=date(2026, 11, 30),
                data={"decision_number": "有期", "list_type": "外省某严重失信名单"})  # fmt: skip
    listed(session, s[6], "red", catalog=catalog, calendar=calendar, actor=SYSTEM,
           proposed_on=date(2025, 6, 1))  # fmt: skip
    listed(session, s[7], "watch", catalog=catalog, calendar=calendar, actor=SYSTEM,
           proposed_on=date(2025, 11, 20))  # fmt: skip


@pytest.mark.parametrize("today", DAYS)
@pytest.mark.usefixtures("entries")
def test_sql_counts_agree_with_the_python_rule(
    session: Session, catalog: Catalog, today: date
) -> None:
    found = lists.current_entries(session, catalog=catalog, today=today)
    expected: dict[tuple[str, str], list[int]] = defaultdict(list)
    for e in found:
        expected[(e.hit.list_title, e.hit.kind)].append(e.subject_id)
    got = {(c.title, c.kind): (c.entries, c.subjects)
           for c in counts.in_force_counts(session, catalog=catalog, today=today)}  # fmt: skip
    assert got == {k: (len(v), len(set(v))) for k, v in expected.items()}
    for kinds in ((ListKind.SERIOUS.value, ListKind.IMPORTED.value), (ListKind.RED.value,)):
        ids = set(session.execute(counts.listed_subjects(session, catalog, today, kinds)).scalars())
        assert ids == {e.subject_id for e in found if e.hit.kind in kinds}


def test_the_edges_are_exercised(session: Session, catalog: Catalog, entries: None) -> None:
    def by_title(today: date) -> dict[str, int]:
        return {c.title: c.entries for c in counts.in_force_counts(
            session, catalog=catalog, today=today)}  # fmt: skip

    before, after = by_title(date(2026, 11, 30)), by_title(date(2026, 12, 1))
    assert (before["外省某严重失信名单"], after["外省某严重失信名单"]) == (2, 1)  # sent end 30 Nov
    # 36 months from 30 Nov 2023 end on 30 Nov 2026; the title-named entry of 1 Dec 2023 runs on
    assert (before["市场监督管理严重违法失信名单"], after["市场监督管理严重违法失信名单"]) == (2, 1)
    assert before["守信激励名单"] == 1
