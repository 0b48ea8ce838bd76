"""API clients: added on the command line or on /admin/clients, the key is shown once, works on
POST /api/v1/checks with every use in the check log under the client's name; rotated or revoked
keys get 401; scopes and the per-client rate limit are enforced."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.cli import run_cli as _run
from tests.factories import make_provider, make_subject
from tests.test_cli import cli_env  # noqa: F401  (module fixture)
from xinyong import auth, ratelimit
from xinyong.audit import Actor
from xinyong.config import Settings
from xinyong.db.tables import ApiClient, Check
from xinyong.enums import Role
from xinyong.web.app import create_app


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"check_fast_path": False, "today": date(2026, 12, 1)})


@pytest.fixture(autouse=True)
def _fresh_limits():
    ratelimit.reset()


@pytest.fixture
def admin(client, session, operator):
    auth.create_user(session, "admin1", "correct horse", Role.ADMIN, actor=operator)
    client.post("/admin/login", data={"username": "admin1", "password": "correct horse"})
    return client


def _check(client, key: str, code: str):
    return client.post("/api/v1/checks", json={"code": code, "matter": "bidding"},
                       headers={"X-API-Key": key})  # fmt: skip


def test_cli_added_key_works_and_after_revoke_is_401(cli_env: dict[str, str]) -> None:  # noqa: F811
    code = json.loads(_run(cli_env, "subjects", "list", "--limit", "1", "--json").stdout)[0]["code"]
    added = _run(cli_env, "clients", "add", "招投标交易系统", "--scopes", "check,screen")
    key = added.stdout.strip()
    assert key.startswith("xy_")
    assert "只显示这一次" in added.stderr
    settings = Settings(database_url=cli_env["XINYONG_DATABASE_URL"], check_fast_path=False,
                        today=date(2026, 11, 23))  # fmt: skip
    with TestClient(create_app(settings)) as api:
        ok = _check(api, key, code)
        assert ok.status_code == 200, ok.text
        listed = json.loads(_run(cli_env, "clients", "list", "--json").stdout)
        mine = next(c for c in listed if c["name"] == "招投标交易系统")
        assert mine["last_used_at"] is not None
        assert "key" not in mine
        assert key not in _run(cli_env, "clients", "list").stdout
        _run(cli_env, "clients", "revoke", "招投标交易系统")
        assert _check(api, key, code).status_code == 401


def test_admin_page_issues_a_key_once_and_the_check_log_names_the_client(admin, session):
    code = make_subject(session).code
    page = admin.post("/admin/clients", data={"name": "评优评先系统", "scopes": ["check"],
                                              "rate_limit": "100/minute"})  # fmt: skip
    assert page.status_code == 200
    key = page.text.split('<code id="new-key">')[1].split("</code>")[0]
    assert _check(admin, key, code).status_code == 200
    client = session.execute(select(ApiClient).where(ApiClient.name == "评优评先系统")).scalar_one()
    assert client.key_hash == auth.token_digest(key)
    assert key not in str(client.__dict__.values())
    logged = session.execute(select(Check).where(Check.actor_id == client.id)).scalars().all()
    assert [(c.actor_kind, c.actor_label) for c in logged] == [("api_client", "接口:评优评先系统")]
    assert key not in admin.get("/admin/clients").text

    rotated = admin.post("/admin/clients/评优评先系统/rotate")
    new_key = rotated.text.split('<code id="new-key">')[1].split("</code>")[0]
    assert _check(admin, key, code).status_code == 401
    assert _check(admin, new_key, code).status_code == 200
    admin.post("/admin/clients/评优评先系统/revoke")
    assert _check(admin, new_key, code).status_code == 401


def test_scope_and_rate_limit_are_enforced(client, session, operator):
    code = make_subject(session).code
    provider_id = make_provider(session).id
    _c, batches_only = auth.add_client(session, "报送系统", "batches", provider_id=provider_id,
                                       actor=operator)  # fmt: skip
    refused = _check(client, batches_only, code)
    assert refused.status_code == 403
    assert "未开通联合奖惩核查" in refused.json()["message"]
    _c, slow = auth.add_client(session, "慢速系统", "check", rate_limit="2/minute", actor=operator)
    assert [_check(client, slow, code).status_code for _ in range(3)] == [200, 200, 429]


def test_bad_scope_lists_the_valid_ones(session, operator):
    with pytest.raises(Exception, match="可选：check（联合奖惩核查）"):
        auth.add_client(session, "x", "query", actor=operator)


def test_system_actor_can_add(session):
    client, key = auth.add_client(session, "y", ["check"], actor=Actor.system())
    assert client.scopes == ["check"]
    assert key.startswith(f"xy_{client.key_prefix}_")


def test_use_marks_write_a_client_at_most_once_a_minute() -> None:
    marks = auth.UseMarks()
    at = datetime(2026, 11, 23, 9, tzinfo=UTC)
    marks.note(7, at)
    marks.note(7, at + timedelta(seconds=30))
    marks.note(8, at + timedelta(seconds=30))
    assert marks.take() == [{"client_id": 7, "at": at},
                            {"client_id": 8, "at": at + timedelta(seconds=30)}]  # fmt: skip
    assert marks.take() == []
    marks.note(7, at + timedelta(seconds=59))
    assert marks.take() == []
    marks.note(7, at + auth.LAST_USED_EVERY)
    assert marks.take() == [{"client_id": 7, "at": at + auth.LAST_USED_EVERY}]
