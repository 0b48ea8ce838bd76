"""POST /api/v1/checks and its feedback, through HTTP (sync path, inside the test's session)."""

from __future__ import annotations

from datetime import date

import pytest

from tests.factories import make_subject
from tests.factories.lists import listed
from xinyong import auth
from xinyong.audit import Actor
from xinyong.config import Settings
from xinyong.enums import Role
from xinyong.web.api.checks import parse_check_body

MONDAY = date(2026, 11, 23)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"check_fast_path": False, "today": date(2026, 12, 1)})


@pytest.fixture
def api_key(session) -> str:
    _client, key = auth.create_api_client(session, "政府采购系统", Role.SYSTEM,
                                          actor=Actor.system())  # fmt: skip
    return key


@pytest.fixture
def listed_code(session, catalog, calendar) -> str:
    officer = Actor(kind="user", id=1, label="认定人员", role=Role.OFFICER)
    subject = make_subject(session)
    listed(session, subject, "wage_arrears", catalog=catalog, calendar=calendar, actor=officer,
           proposed_on=MONDAY)  # fmt: skip
    return subject.code


def test_check_needs_an_api_key(client, listed_code):
    response = client.post("/api/v1/checks", json={"code": listed_code, "matter": "procurement"})
    assert response.status_code == 401


def test_check_returns_measures_with_basis_and_a_check_id(client, api_key, listed_code):
    response = client.post("/api/v1/checks", json={"code": listed_code, "matter": "subsidy"},
                           headers={"X-API-Key": api_key})  # fmt: skip
    assert response.status_code == 200
    body = response.json()
    assert body["clean"] is False
    assert len(body["check_id"]) == 32
    measure = body["hits"][0]["measures"][0]
    assert measure["measure_id"] == "wage_arrears_restrictions"
    assert measure["legal_basis"] == ["《保障农民工工资支付条例》（国务院令第724号）第四十八条"]
    assert body["hits"][0]["decision_number"].startswith("认定〔2026〕")


def test_check_of_an_invalid_code_is_422_with_the_identifier_error(client, api_key):
    response = client.post("/api/v1/checks", json={"code": "91350100M000100Y44",
                           "matter": "bidding"}, headers={"X-API-Key": api_key})  # fmt: skip
    assert response.status_code == 422
    assert response.json()["error"].startswith("identifiers.")
    assert "校验" in response.json()["message"]


def test_feedback_without_reason_for_a_skipped_mandatory_measure_is_refused(
    client, api_key, listed_code
):
    headers = {"X-API-Key": api_key}
    check_id = client.post("/api/v1/checks", json={"code": listed_code, "matter": "subsidy"},
                           headers=headers).json()["check_id"]  # fmt: skip
    item = {"measure_id": "wage_arrears_restrictions", "applied": False}
    refused = client.post(f"/api/v1/checks/{check_id}/feedback", json={"items": [item]},
                          headers=headers)  # fmt: skip
    assert refused.status_code == 422
    assert refused.json()["error"] == "measures.mandatory_reason_missing"
    item["reason"] = "项目已终止"
    ok = client.post(f"/api/v1/checks/{check_id}/feedback", json={"items": [item]},
                     headers=headers)  # fmt: skip
    assert ok.json() == {"check_id": check_id, "recorded": 1}


def test_screening_batch_api(client, api_key, listed_code):
    body = {
        "matter": "procurement",
        "purpose": "供应商资格审查",
        "rows": [{"code": listed_code}, {"code": "123"}],
    }
    response = client.post("/api/v1/screenings", json=body, headers={"X-API-Key": api_key})
    assert response.status_code == 200
    outcomes = [r["outcome"] for r in response.json()["results"]]
    assert outcomes == ["hit", "invalid_code"]


@pytest.mark.parametrize(
    "raw",
    [b"", b"not json", b"[]", b'{"code": "x"}', b'{"code": 1, "matter": "bidding"}',
     b'{"code": "' + b"9" * 65 + b'", "matter": "bidding"}'],
)  # fmt: skip
def test_the_fast_route_reads_only_a_plain_body_by_hand(raw):
    """Anything but an object with two short strings is left to the route's `CheckRequest`."""
    assert parse_check_body(raw) is None


def test_a_body_of_another_content_type_is_left_to_the_route():
    raw = b'{"code": "91350100M000100Y43", "matter": "bidding"}'
    assert parse_check_body(raw, "text/plain") is None
    assert parse_check_body(raw, "application/json; charset=utf-8") is not None


def test_the_fast_route_body_keeps_both_fields():
    assert parse_check_body('{"code": "91350100M000100Y43", "matter": "投标"}'.encode()) == (
        "91350100M000100Y43",
        "投标",
    )
