"""Item by item, the inputs that once caused a 500 now get a clear Chinese 4xx.

A browser gets a Chinese error page, an API caller a JSON error; the fuzzing run over the whole
OpenAPI is in test_api_fuzz.py.
"""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories.subjects import SYSTEM, make_provider
from xinyong import auth
from xinyong.enums import Role
from xinyong.web import errors

HUGE = "9" * 25
HTML = {"Accept": "text/html"}


def _provider_key(session: Session) -> str:
    provider = make_provider(session)
    _c, key = auth.create_api_client(
        session, "报送系统", Role.PROVIDER_CLERK, provider_id=provider.id, actor=SYSTEM
    )
    return key


def _chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


@pytest.mark.parametrize(
    "path", [f"/subjects/p{HUGE}", f"/subjects/p{HUGE}/card", "/subjects/p0", "/subjects/p-1"]
)
def test_a_huge_person_ref_in_the_browser_is_a_chinese_404_page(
    client: TestClient, path: str
) -> None:
    resp = client.get(path, headers=HTML)
    assert resp.status_code == 404
    assert resp.headers["content-type"].startswith("text/html")
    assert "未找到" in resp.text


def test_a_huge_person_ref_in_the_api_is_a_json_404(client: TestClient) -> None:
    resp = client.get(f"/api/v1/subjects/p{HUGE}")
    assert resp.status_code == 404
    assert resp.json()["error"] == "subjects.not_found" or resp.json()["error"].endswith(
        "not_found"
    )
    assert _chinese(resp.json()["message"])


@pytest.mark.parametrize("q", ["公司\x00", "\x00", "a\x00b"])
def test_a_nul_byte_in_a_search_is_refused(client: TestClient, q: str) -> None:
    page = client.get("/search", params={"q": q}, headers=HTML)
    assert page.status_code == 400
    assert "text/html" in page.headers["content-type"]
    assert "不可见的控制字符" in page.text
    api = client.get("/api/v1/subjects", params={"q": q})
    assert api.status_code == 400
    assert api.json()["error"] == "input.control_character"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"", "application/json"),
        (b"", None),
        (b"[]", "application/json"),
        (b"[1, 2]", "application/json"),
        (b'{"info_class": "penalty", "rows": [1]}', "application/json"),
        (b'{"info_class": "penalty", "rows": "x"}', "application/json"),
        (b"{not json", "application/json"),
        (b"\xff\xfe", "application/json"),
        (b"info_class=penalty", "application/x-www-form-urlencoded"),
        (b'{"info_class": "penalty\\u0000", "rows": []}', "application/json"),
    ],
)
def test_a_malformed_batch_body_is_a_json_422(
    client: TestClient, session: Session, body: bytes, content_type: str | None
) -> None:
    headers = {"X-API-Key": _provider_key(session)}
    if content_type:
        headers["Content-Type"] = content_type
    resp = client.post("/api/v1/batches", content=body, headers=headers)
    assert 400 <= resp.status_code < 500, resp.text
    assert _chinese(resp.json()["message"])


@pytest.mark.parametrize("batch_id", [HUGE, "0", "-1", "2147483648", "9223372036854775808"])
def test_a_batch_id_out_of_range_is_not_found_or_invalid(
    client: TestClient, session: Session, batch_id: str
) -> None:
    resp = client.get(f"/api/v1/batches/{batch_id}", headers={"X-API-Key": _provider_key(session)})
    assert resp.status_code in (404, 422), resp.text
    assert _chinese(resp.json()["message"])


def test_an_enterprise_role_api_client_on_me_is_refused(
    client: TestClient, session: Session
) -> None:
    _c, key = auth.create_api_client(session, "企业系统", Role.ENTERPRISE, actor=SYSTEM)
    page = client.get("/me/", headers={"X-API-Key": key, **HTML})
    assert page.status_code == 403
    assert "企业账户" in page.text
    api = client.get("/me/", headers={"X-API-Key": key, "Accept": "application/json"})
    assert api.status_code == 403
    assert api.json()["error"] == "auth.subject_required"


@pytest.mark.parametrize("batch_id", ["abc", HUGE, "0"])
def test_a_bad_id_in_a_page_path_is_a_chinese_page(
    client: TestClient, session: Session, batch_id: str
) -> None:
    auth.create_user(session, "chief", "correct horse", Role.ADMIN, actor=SYSTEM)
    client.post("/admin/login", data={"username": "chief", "password": "correct horse"})
    resp = client.get(f"/admin/batches/{batch_id}", headers=HTML)
    assert resp.status_code == 422
    assert resp.headers["content-type"].startswith("text/html")
    assert "提交的内容不完整或格式不正确" in resp.text


def test_an_unknown_page_is_a_chinese_404_page(client: TestClient) -> None:
    resp = client.get("/no-such-page", headers=HTML)
    assert resp.status_code == 404
    assert "未找到" in resp.text
    assert client.get("/api/v1/no-such").json()["error"] == "not_found"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"csrftoken=\xff\xfe&x=1", "application/x-www-form-urlencoded"),
        (b"--x\r\n", "multipart/form-data;boundary=x"),
    ],
)
def test_a_form_body_the_csrf_check_cannot_read_is_refused_in_chinese(
    client: TestClient, body: bytes, content_type: str
) -> None:
    client.get("/")  # a browser with cookies: the CSRF check reads the body
    client.send_csrf_token = False  # type: ignore[attr-defined]
    resp = client.post("/admin/login", content=body,
                       headers={"Content-Type": content_type, **HTML})  # fmt: skip
    assert resp.status_code in (400, 403)
    assert _chinese(resp.text)


def test_a_fault_of_ours_is_a_chinese_500_page_not_plain_text() -> None:
    app = FastAPI()
    errors.install(app)

    @app.get("/broken")
    def broken() -> None:
        raise RuntimeError("boom")

    client = TestClient(app, raise_server_exceptions=False)
    page = client.get("/broken", headers=HTML)
    assert page.status_code == 500
    assert page.headers["content-type"].startswith("text/html")
    assert "系统内部错误，本次操作未完成" in page.text
    assert "boom" not in page.text
    api = client.get("/broken", headers={"Accept": "application/json"})
    assert api.json()["error"] == "internal_error"
