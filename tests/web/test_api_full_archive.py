"""GET /api/v1/subjects/{code}, the full archive view for authorised readers: paged like the
public view (`count`, `count_is_floor`, `limit`, `after`, `next_after`, `links`), newest decision
first with the undated before the dated, each page read written to the query log (issue 17)."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import make_record, make_subject
from tests.factories.accounts import signed_in
from xinyong.db.tables import QueryLogEntry, Subject
from xinyong.disclosure import views
from xinyong.enums import Role

PURPOSE = "行政许可审查"


def _archive(session: Session, subject: Subject) -> list[int]:
    """25 current records (three on one day, one undated, one superseded version left out) in
    the order the view gives them: undated first, then newest decision first, id descending."""
    dated = [make_record(session, subject, decision_date=date(2026, 6, 1 + i % 22))
             for i in range(24)]  # fmt: skip
    undated = make_record(session, subject)
    undated.decision_date = None
    old = make_record(session, subject, decision_date=date(2026, 7, 1))
    old.is_current = False  # a past version: in its record's history, not a row of its own
    session.flush()
    ordered = sorted(dated, key=lambda r: (r.decision_date, r.id), reverse=True)
    return [undated.id, *(r.id for r in ordered)]


def test_the_full_view_pages_every_current_record_once_and_logs_each_page(
    client: TestClient, session: Session
) -> None:
    subject = make_subject(session)
    expected = _archive(session, subject)
    signed_in(client, session, Role.OFFICER)
    params: dict[str, str | int] = {"purpose": PURPOSE, "limit": 10}
    first = client.get(f"/api/v1/subjects/{subject.code}", params=params).json()
    assert first["view"] == "full"
    assert (first["count"], first["count_is_floor"], first["limit"]) == (25, False, 10)
    assert first["after"] is None
    assert first["links"]["self"] == f"/api/v1/subjects/{subject.code}?{urlencode(params)}"
    day = first["records"][9]["decision_date"]
    assert first["next_after"] == f"{day}.{expected[9]}"  # the last row's date.id
    assert first["records"][0]["decision_date"] is None  # the undated first
    seen, page, pages = [r["record_id"] for r in first["records"]], first, 1
    while page["links"]["next"]:
        assert page["next_after"] in page["links"]["next"]
        page = client.get(page["links"]["next"]).json()
        assert (page["view"], page["count"]) == ("full", 25)
        seen += [r["record_id"] for r in page["records"]]
        pages += 1
    assert (pages, page["next_after"]) == (3, None)
    assert seen == expected  # every current record once, in the view's order
    logged = session.execute(
        select(QueryLogEntry).where(QueryLogEntry.subject_id == subject.id)
        .order_by(QueryLogEntry.id)
    ).scalars().all()  # fmt: skip
    assert [(q.purpose, q.surface) for q in logged] == [(PURPOSE, "api")] * 3
    details = [q.detail or {} for q in logged]
    assert [d["records"] for d in details] == [10, 10, 5]
    assert details[0]["after"] is None
    assert details[1]["after"] == [day, expected[9]]


def test_a_page_can_start_after_an_undated_record(client: TestClient, session: Session) -> None:
    subject = make_subject(session)
    expected = _archive(session, subject)
    signed_in(client, session, Role.OFFICER)
    first = client.get(f"/api/v1/subjects/{subject.code}",
                       params={"purpose": PURPOSE, "limit": 1}).json()  # fmt: skip
    assert first["next_after"] == f"undated.{expected[0]}"
    second = client.get(first["links"]["next"]).json()
    assert [r["record_id"] for r in second["records"]] == [expected[1]]
    public = client.get(f"/api/v1/subjects/{subject.code}",
                        params={"view": "public", "after": f"undated.{expected[0]}"})  # fmt: skip
    assert public.status_code == 422  # the public view has no undated rows


def test_the_count_is_a_floor_beyond_its_cap(
    client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    subject = make_subject(session)
    _archive(session, subject)
    signed_in(client, session, Role.OFFICER)
    monkeypatch.setattr(views, "ARCHIVE_COUNT_CAP", 7)
    body = client.get(f"/api/v1/subjects/{subject.code}",
                      params={"purpose": PURPOSE, "limit": 5}).json()  # fmt: skip
    assert (body["count"], body["count_is_floor"], len(body["records"])) == (7, True, 5)


def test_the_enterprise_pages_its_own_archive(client: TestClient, session: Session) -> None:
    subject = make_subject(session)
    expected = _archive(session, subject)
    signed_in(client, session, Role.ENTERPRISE, subject=subject)
    body = client.get(f"/api/v1/subjects/{subject.code}",
                      params={"purpose": "查看本企业档案", "limit": 20}).json()  # fmt: skip
    assert body["view"] == "full"
    assert [r["record_id"] for r in body["records"]] == expected[:20]
    rest = client.get(body["links"]["next"]).json()
    assert [r["record_id"] for r in rest["records"]] == expected[20:]
