"""GET /api/v1/subjects?q= and /api/v1/subjects/{code}: the public view."""

from __future__ import annotations

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
