"""POST/GET /api/v1/batches with a provider API key; a provider submits only as itself."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.collection.conftest import HEADERS, penalty_rows, to_csv
from tests.factories.subjects import SYSTEM, make_provider
from xinyong import auth
from xinyong.db.tables import Provider
from xinyong.enums import Role


def _key(session: Session, provider: Provider) -> str:
    _client, key = auth.create_api_client(
        session, "报送系统", Role.PROVIDER_CLERK, provider_id=provider.id, actor=SYSTEM
    )
    return key


def test_multipart_upload_returns_202_and_the_report_is_durable(
    client: TestClient, session: Session, provider: Provider
) -> None:
    key = _key(session, provider)
    rows = penalty_rows(3)
    rows[2][13] = "2026-13-01"
    files = {"file": ("处罚.csv", to_csv(rows), "text/csv")}
    resp = client.post("/api/v1/batches", data={"info_class": "penalty"}, files=files,
                       headers={"X-API-Key": key})  # fmt: skip
    assert resp.status_code == 202, resp.text
    body = resp.json()
    assert (body["accepted"], body["rejected"]) == (2, 1)
    got = client.get(f"/api/v1/batches/{body['id']}", headers={"Authorization": f"Bearer {key}"})
    assert got.status_code == 200
    assert got.json()["errors"][0]["code"] == "collection.bad_date"


def test_json_rows_are_accepted(client: TestClient, session: Session, provider: Provider) -> None:
    key = _key(session, provider)
    rows = [dict(zip(HEADERS, r, strict=True)) for r in penalty_rows(2, seed=9)]
    resp = client.post("/api/v1/batches", json={"info_class": "penalty", "rows": rows},
                       headers={"X-API-Key": key})  # fmt: skip
    assert resp.status_code == 202, resp.text
    assert resp.json()["new"] == 2


def test_a_provider_key_cannot_submit_as_another_provider(
    client: TestClient, session: Session, provider: Provider
) -> None:
    other = make_provider(session, name="另一个局")
    key = _key(session, provider)
    rows = [dict(zip(HEADERS, r, strict=True)) for r in penalty_rows(1)]
    body = {"info_class": "penalty", "provider": other.uscc, "rows": rows}
    resp = client.post("/api/v1/batches", json=body, headers={"X-API-Key": key})
    assert resp.status_code == 403
    assert resp.json()["error"] == "auth.provider_scope"


def test_the_same_file_again_answers_200_with_repeat_of(
    client: TestClient, session: Session, provider: Provider
) -> None:
    key = _key(session, provider)
    files = {"file": ("处罚.csv", to_csv(penalty_rows(2, seed=5)), "text/csv")}
    first = client.post("/api/v1/batches", data={"info_class": "penalty"}, files=files,
                        headers={"X-API-Key": key})  # fmt: skip
    assert first.status_code == 202, first.text
    assert first.json()["repeat_of"] is None
    again = client.post("/api/v1/batches", data={"info_class": "penalty"}, files=files,
                        headers={"X-API-Key": key})  # fmt: skip
    assert again.status_code == 200, again.text
    body = again.json()
    assert body["repeat_of"] == first.json()["id"]
    assert "未写入任何数据" in body["message"]
