"""GET /api/v1/subjects?q= and /api/v1/subjects/{code}: the public view."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import make_record, make_subject
from xinyong.enums import SubjectKind


def test_search_returns_the_subject_as_json(client: TestClient, session: Session) -> None:
    make_subject(session, name="示范区鸿瑞科技有限公司")
    response = client.get("/api/v1/subjects", params={"q": "鸿瑞科技"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert body["items"][0]["name"] == "示范区鸿瑞科技有限公司"


def test_get_by_code_and_404_in_chinese(client: TestClient, session: Session) -> None:
    subject = make_subject(session)
    assert client.get(f"/api/v1/subjects/{subject.code}").json()["code"] == subject.code
    missing = client.get("/api/v1/subjects/91330100716105852F")
    assert missing.status_code == 404
    assert missing.json()["error"] == "subjects.not_found"
    assert "未找到" in missing.json()["message"]


def test_invalid_code_is_a_422_with_the_identifier_error(client: TestClient) -> None:
    response = client.get("/api/v1/subjects/914403001922038217")
    assert response.status_code in (404, 422)


def test_person_is_masked_in_api(client: TestClient, session: Session) -> None:
    person = make_subject(session, kind=SubjectKind.PERSON, name="赵六")
    make_record(session, person)  # something public: the person may be found
    body = client.get("/api/v1/subjects", params={"q": f"赵六 {person.code}"}).json()
    assert person.code not in str(body)
    assert body["items"][0]["code"].count("*") == 8


def test_openapi_docs_are_served(client: TestClient) -> None:
    assert client.get("/api/docs").status_code == 200
    assert client.get("/api/v1/health").json()["status"] == "ok"


def test_the_benchmark_baseline_is_an_async_constant(client: TestClient) -> None:
    import inspect  # noqa: PLC0415

    from xinyong.web.api import system  # noqa: PLC0415

    assert inspect.iscoroutinefunction(system.baseline)
    assert not inspect.iscoroutinefunction(system.health)  # liveness stays as it was
    first, second = client.get("/api/v1/baseline"), client.get("/api/v1/baseline")
    assert first.status_code == 200
    assert first.content == second.content == b'{"status":"ok"}'


def test_the_public_view_pages_the_records_with_links(client: TestClient, session: Session) -> None:
    from tests.factories import make_provider  # noqa: PLC0415
    from tests.factories.workflows import make_penalty  # noqa: PLC0415

    provider, subject = make_provider(session), make_subject(session)
    for day in range(1, 26):
        make_penalty(session, subject, provider, decision_date=date(2026, 6, day))
    session.commit()
    first = client.get(f"/api/v1/subjects/{subject.code}", params={"limit": 10}).json()
    assert first["view"] == "public"
    assert (first["count"], first["count_is_floor"], first["limit"]) == (25, False, 10)
    assert len(first["records"]) == 10
    assert first["records"][0]["decision_date"] == "2026-06-25"  # newest decision first
    assert first["links"]["self"] == f"/api/v1/subjects/{subject.code}?limit=10"
    seen = [r["decision_number"] for r in first["records"]]
    page = first
    while page["links"]["next"]:
        assert page["next_after"] in page["links"]["next"]
        page = client.get(page["links"]["next"]).json()
        seen += [r["decision_number"] for r in page["records"]]
    assert page["next_after"] is None
    assert len(seen) == len(set(seen)) == 25  # every record once, across three pages
    bad = client.get(f"/api/v1/subjects/{subject.code}", params={"after": "2026-13-01.5"})
    assert bad.status_code == 422
    assert client.get(f"/api/v1/subjects/{subject.code}", params={"limit": 101}).status_code == 422
