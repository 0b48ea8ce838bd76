"""/admin/providers: the credit office registers and edits departments; both are audited, and
a wrong USCC or region is refused in Chinese beside the form."""

from __future__ import annotations

import random

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import make_provider
from tests.factories.accounts import signed_in
from xinyong import demo, providers
from xinyong.audit import AuditAction
from xinyong.db.tables import AuditEntry
from xinyong.enums import Role

HTML = {"Accept": "text/html"}


def _login(client: TestClient, session: Session, role: Role = Role.ADMIN) -> None:
    dept = make_provider(session, name="登录部门") if role != Role.ADMIN else None
    signed_in(client, session, role, provider=dept)


def _valid_uscc() -> str:
    return demo.make_uscc(random.Random(), "1", "1")  # a fresh one each run (PostgreSQL keeps rows)


def test_the_admin_adds_a_provider_and_edits_it(client: TestClient, session: Session) -> None:
    _login(client, session)
    assert "报送单位" in client.get("/admin/").text  # in the navigation
    uscc = _valid_uscc()
    added = client.post("/admin/providers", data={"uscc": uscc, "name": "示范区新登记局",
                                                  "kind": "market_regulation"},
                        follow_redirects=False)  # fmt: skip
    assert added.status_code == 303, added.text
    page = client.get(added.headers["location"]).text
    assert "已登记报送单位“示范区新登记局”" in page
    row = providers.get_by_uscc(session, uscc)
    assert (row.kind, row.region_code, row.active) == ("market_regulation", "990100", True)
    saved = client.post(f"/admin/providers/{row.id}", data={
        "name": "示范区新登记局（更名）", "kind": "market_regulation", "region_code": "990101",
    }, follow_redirects=False)  # fmt: skip
    assert saved.status_code == 303, saved.text
    session.refresh(row)
    assert (row.name, row.region_code, row.active) == ("示范区新登记局（更名）", "990101", False)
    audited = session.execute(select(AuditEntry).where(
        AuditEntry.action == AuditAction.PROVIDER_UPDATED.value,
        AuditEntry.target_id == str(row.id))).scalar_one()  # fmt: skip
    assert audited.before is not None
    assert audited.after is not None
    assert audited.before["name"] == "示范区新登记局"
    assert audited.after["active"] is False
    assert session.scalar(select(AuditEntry.id).where(
        AuditEntry.action == AuditAction.PROVIDER_ADDED.value,
        AuditEntry.target_id == str(row.id))) is not None  # fmt: skip


def test_bad_input_is_refused_in_chinese_beside_the_form(
    client: TestClient, session: Session
) -> None:
    _login(client, session)
    bad = client.post("/admin/providers", data={"uscc": "12345", "name": "错代码局"},
                      headers=HTML)  # fmt: skip
    assert bad.status_code == 422
    assert 'id="provider-error"' in bad.text
    assert "错代码局" in bad.text  # what the clerk typed stays
    region = client.post("/admin/providers", data={"uscc": _valid_uscc(), "name": "区划局",
                                                   "region_code": "99"}, headers=HTML)  # fmt: skip
    assert "应为 6 位数字" in region.text
    dept = make_provider(session, name="已有部门")
    twice = client.post("/admin/providers", data={"uscc": dept.uscc, "name": "重复"},
                        headers=HTML)  # fmt: skip
    assert twice.status_code == 409
    assert "已登记" in twice.text
    empty = client.post(f"/admin/providers/{dept.id}", data={"name": " ", "kind": "市场监管"},
                        headers=HTML)  # fmt: skip
    assert empty.status_code == 422
    assert "请填写部门名称" in empty.text
    session.refresh(dept)
    assert dept.name == "已有部门"


def test_only_the_credit_office_manages_providers(client: TestClient, session: Session) -> None:
    _login(client, session, Role.OFFICER)
    page = client.get("/admin/providers", headers=HTML)
    assert page.status_code == 403
    assert "text/html" in page.headers["content-type"]
