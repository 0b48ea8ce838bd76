"""/admin/inspections (plan, draw, result form) and the public /inspections page."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import make_provider, make_subject
from tests.factories.workflows import make_officer, make_user
from xinyong import inspections
from xinyong.catalog import Catalog
from xinyong.enums import Role


def test_officer_records_a_result_and_the_public_sees_it(
    client: TestClient, session: Session, catalog: Catalog, today: date
) -> None:
    dept = make_provider(session, name="示范区市场监督管理局")
    officer = make_officer(session, dept)
    for _ in range(5):
        make_subject(session, region_code="990100", name="示范抽查对象有限公司")
    for i in range(2):
        inspections.add_inspector(session, f"检查员{i}", f"ZK{i:04d}", dept, actor=officer)
    plan = inspections.create_plan(
        session,
        code="2026-SJ-77",
        title="年报抽查",
        provider=dept,
        sector="market_regulation",
        region_code="990100",
        period_start=today,
        period_end=today,
        seed="web",
        actor=officer,
        catalog=catalog,
        today=today,
    )
    row = inspections.drawn_of(session, plan)[0]
    _, username = make_user(session, Role.OFFICER, provider=dept)
    login = client.post(
        "/admin/login",
        follow_redirects=False,
        data={"username": username, "password": "password123", "next": "/admin/"},
    )
    assert login.status_code == 303
    page = client.get("/admin/inspections/2026-SJ-77")
    assert "随机种子 <code>web</code>" in page.text
    assert "检查员0" in page.text
    done = client.post(
        f"/admin/inspections/2026-SJ-77/{row.id}/result",
        data={"result": "未发现问题", "detail": ""},
        follow_redirects=False,
    )
    assert done.status_code == 303
    public = client.get("/inspections").text
    assert "年报抽查（2026-SJ-77）" in public
    assert "未发现问题" in public
