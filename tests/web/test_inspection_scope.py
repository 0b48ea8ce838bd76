"""A plan is read by whom may read it (ADR 0018 §3): `inspections.get_plan(actor=…)` — the
inspecting department's officers, the credit office (administrators and its own officers),
auditors; an officer of another department gets a Chinese 403 page, and the API a 403 — for the
plan page, the redraw and `GET /api/v1/inspections/plans/{plan_code}`."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import make_provider, make_subject
from tests.factories.workflows import make_officer, make_user
from xinyong import inspections
from xinyong.catalog import Catalog
from xinyong.enums import Role
from xinyong.errors import Forbidden

HTML = {"Accept": "text/html"}


def _plan(session: Session, catalog: Catalog, today: date) -> tuple[object, str]:
    dept = make_provider(session, name="示范区范围抽查局")
    officer = make_officer(session, dept)
    make_subject(session, region_code="990100", name="范围抽查对象有限公司")
    inspections.add_inspector(session, "范围检查员", "FW0001", dept, actor=officer)
    plan = inspections.create_plan(
        session, code="2026-FW-01", title="范围抽查", provider=dept, sector="market_regulation",
        region_code="990100", period_start=today, period_end=today, seed="fw",
        actor=officer, catalog=catalog, today=today,
    )  # fmt: skip
    return dept, plan.code


def _login(client: TestClient, session: Session, role: Role, dept: object = None) -> None:
    client.cookies.clear()
    _, username = make_user(session, role, provider=dept)  # type: ignore[arg-type]
    done = client.post("/admin/login", data={"username": username, "password": "password123"},
                       follow_redirects=False)  # fmt: skip
    assert done.status_code == 303


def test_the_domain_query_takes_the_actor(session: Session, catalog: Catalog, today: date) -> None:
    dept, code = _plan(session, catalog, today)
    other = make_officer(session, make_provider(session, name="示范区其他局"))
    with pytest.raises(Forbidden):
        inspections.get_plan(session, code, actor=other)
    for actor in (make_officer(session, dept),  # type: ignore[arg-type]
                  make_user(session, Role.OFFICER)[0],  # the credit office's own officer
                  make_user(session, Role.ADMIN)[0],
                  make_user(session, Role.AUDITOR)[0]):  # fmt: skip
        assert inspections.get_plan(session, code, actor=actor).code == code
    clerk, _ = make_user(session, Role.PROVIDER_CLERK, provider=dept)  # type: ignore[arg-type]
    with pytest.raises(Forbidden):
        inspections.get_plan(session, code, actor=clerk)


def test_another_department_gets_a_chinese_403_and_the_credit_office_the_plan(
    client: TestClient, session: Session, catalog: Catalog, today: date
) -> None:
    _dept, code = _plan(session, catalog, today)
    _login(client, session, Role.OFFICER, make_provider(session, name="示范区别的局"))
    for path in (f"/admin/inspections/{code}", f"/admin/inspections/{code}/redraw"):
        page = client.get(path, headers=HTML)
        assert page.status_code == 403, path
        assert "text/html" in page.headers["content-type"]
        assert "该抽查计划不属于本部门" in page.text
    api = client.get(f"/api/v1/inspections/plans/{code}")
    assert api.status_code == 403
    _login(client, session, Role.OFFICER)  # the credit office's own officer
    page = client.get(f"/admin/inspections/{code}", headers=HTML)
    assert page.status_code == 200, page.text
    assert "范围抽查" in page.text
    body = client.get(f"/api/v1/inspections/plans/{code}").json()
    assert body["plan"] == code
    assert body["seed"] == "fw"
