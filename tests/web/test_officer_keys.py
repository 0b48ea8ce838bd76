"""An officer-role API key is not the credit office because it has no department (least
privilege, ADR 0018 addendum): it belongs to a department or its row states `credit_office`;
a key of neither (one issued before the column existed) reads and handles no department's case.
The key management page and `xinyong clients list` show which key is the office's."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import make_provider, make_subject
from tests.factories.accounts import signed_in
from tests.factories.workflows import make_officer
from xinyong import auth, inspections
from xinyong.audit import Actor, AuditAction
from xinyong.catalog import Catalog
from xinyong.cli.clients import _view
from xinyong.db.tables import ApiClient, AuditEntry
from xinyong.enums import Role
from xinyong.errors import InvalidInput

SYSTEM = Actor.system()


def _key(session: Session, name: str, **kw: object) -> tuple[ApiClient, str]:
    client, key = auth.create_api_client(session, name, Role.OFFICER, actor=SYSTEM, **kw)  # type: ignore[arg-type]
    client.rate_limit = "100000/minute"
    return client, key


def test_an_officer_key_states_its_department_or_the_office(session: Session) -> None:
    dept = make_provider(session, name="密钥甲局")
    both = {"provider_id": dept.id, "credit_office": True}
    for kw, wording in (({}, "须指定所属部门，或声明为信用办的密钥"), (both, "二者只能选一")):
        with pytest.raises(InvalidInput, match=wording):
            auth.create_api_client(session, "认定系统", Role.OFFICER, actor=SYSTEM, **kw)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="只有认定部门角色的接口密钥可以声明为信用办的"):
        auth.create_api_client(session, "核查系统", Role.SYSTEM, credit_office=True, actor=SYSTEM)
    office, key = _key(session, "信用办系统", credit_office=True)
    found = auth.actor_for_api_key(session, key)
    assert found is not None
    assert found.credit_office
    assert auth.is_credit_office(found)
    created = session.scalars(
        select(AuditEntry.after).where(
            AuditEntry.action == AuditAction.API_CLIENT_CREATED.value,
            AuditEntry.target_id == str(office.id),
        )
    ).one()
    assert created is not None
    assert created["credit_office"] is True
    assert _view(office)["credit_office"] is True


def test_a_key_of_no_department_is_not_the_credit_office_on_the_api(
    client: TestClient, session: Session, catalog: Catalog, today: date
) -> None:
    dept, other = make_provider(session, name="密钥抽查局"), make_provider(session, name="密钥乙局")
    officer = make_officer(session, dept)
    make_subject(session, region_code="990100", name="密钥抽查对象有限公司")
    inspections.add_inspector(session, "密钥检查员", "MY0001", dept, actor=officer)
    plan = inspections.create_plan(
        session, code="2026-MY-01", title="密钥抽查", provider=dept, sector="market_regulation",
        region_code="990100", period_start=today, period_end=today, seed="my",
        actor=officer, catalog=catalog, today=today,
    )  # fmt: skip
    bare, bare_key = _key(session, "旧认定系统", provider_id=dept.id)
    bare.provider_id = None  # a key issued before officer keys had to state it (migrated: false)
    session.flush()
    keys = {
        "own department": (_key(session, "甲局系统", provider_id=dept.id)[1], 200),
        "credit office": (_key(session, "信用办系统", credit_office=True)[1], 200),
        "other department": (_key(session, "乙局系统", provider_id=other.id)[1], 403),
        "no department": (bare_key, 403),
    }
    for who, (key, status) in keys.items():
        got = client.get(f"/api/v1/inspections/plans/{plan.code}", headers={"X-API-Key": key})
        assert got.status_code == status, (who, got.text)
        if status == 403:
            assert "不属于本部门，无权查看" in got.json()["message"]


def test_the_key_page_shows_the_office_key(client: TestClient, session: Session) -> None:
    dept = make_provider(session, name="密钥页面局")
    _key(session, "页面信用办系统", credit_office=True)
    _key(session, "页面部门系统", provider_id=dept.id)
    signed_in(client, session, Role.ADMIN)
    page = client.get("/admin/clients")
    assert page.status_code == 200
    rows = {line.split("</td>")[0] for line in page.text.split("<tr><td>")[1:]}
    assert "页面信用办系统" in rows
    office_row = page.text.split("<tr><td>页面信用办系统</td>")[1].split("</tr>")[0]
    dept_row = page.text.split("<tr><td>页面部门系统</td>")[1].split("</tr>")[0]
    assert "<td>信用办</td>" in office_row
    assert "密钥页面局" in dept_row
    assert "信用办" not in dept_row
