"""/admin/inspections (plan, draw, result form) and the public /inspections page."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import make_provider, make_subject
from tests.factories.workflows import make_officer, make_user
from xinyong import audit, inspections
from xinyong.audit import Actor, AuditAction
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


def _login_officer(client: TestClient, session: Session, dept: object) -> None:
    _, username = make_user(session, Role.OFFICER, provider=dept)  # type: ignore[arg-type]
    client.post("/admin/login", data={"username": username, "password": "password123"})


def test_an_officer_registers_inspectors_and_makes_a_plan_on_the_page(
    client: TestClient, session: Session, today: date
) -> None:
    """No command line: the officer's department registers its inspectors (with the subject
    they must stay away from) and makes a plan; the draw is stored and audited."""
    dept = make_provider(session, name="示范区页面抽查局")
    related = make_subject(session, region_code="990100", name="页面抽查关联有限公司")
    for _ in range(4):
        make_subject(session, region_code="990100", name="页面抽查对象有限公司")
    _login_officer(client, session, dept)
    page = client.get("/admin/inspections").text
    assert "制定抽查计划" in page
    assert "登记检查人员" in page
    assert "xinyong inspections" not in page  # no command to copy any more
    for i in range(2):
        added = client.post(
            "/admin/inspections/inspectors",
            data={
                "name": f"页面检查员{i}",
                "badge": f"YM{i:04d}",
                "department": dept.uscc,
                "related": related.code if i == 0 else "",
            },
            follow_redirects=False,
        )
        assert added.status_code == 303, added.text
    made = client.post(
        "/admin/inspections/plans",
        data={
            "code": "2026-YM-01",
            "title": "页面制定的抽查",
            "department": dept.uscc,
            "sector": "market_regulation",
            "region": "990100",
            "period_start": today.isoformat(),
            "period_end": today.isoformat(),
            "seed": "page",
        },
        follow_redirects=False,
    )
    assert made.status_code == 303, made.text
    assert made.headers["location"] == "/admin/inspections/2026-YM-01"
    plan = inspections.get_plan(session, "2026-YM-01", actor=Actor.system())
    assert plan.seed == "page"
    assert plan.provider_id == dept.id
    pool = set(plan.inputs["inspectors"])
    assert len(pool) == 2
    assert inspections.redraw(session, plan, actor=make_officer(session, dept)).identical
    shown = client.get("/admin/inspections/2026-YM-01").text
    assert "页面制定的抽查（2026-YM-01）" in shown
    assert "页面检查员" in shown
    listing = client.get("/admin/inspections").text
    assert "页面检查员0" in listing
    assert "市场监管" in listing
    actions = {e.action for e in audit.list_audit(session, limit=10)}
    assert {AuditAction.INSPECTOR_ADDED, AuditAction.INSPECTION_PLAN_DRAWN} <= actions


def test_a_refused_plan_comes_back_in_chinese_beside_the_form(
    client: TestClient, session: Session, today: date
) -> None:
    dept = make_provider(session, name="示范区退回抽查局")
    other = make_provider(session, name="示范区别的部门")
    _login_officer(client, session, dept)
    form = {"code": "2026-YM-02", "title": "期间有误", "department": dept.uscc,
            "sector": "market_regulation", "region": "990100",
            "period_start": today.isoformat(), "period_end": "2000-01-01"}  # fmt: skip
    back = client.post("/admin/inspections/plans", data=form)
    assert back.status_code == 422
    assert 'id="error-plan"' in back.text
    assert "结束日期不能早于开始日期" in back.text
    assert 'value="期间有误"' in back.text  # what the officer typed is kept
    elsewhere = client.post(
        "/admin/inspections/plans",
        data={**form, "department": other.uscc, "period_end": today.isoformat()},
    )
    assert elsewhere.status_code == 403
    assert "本单位" in elsewhere.text
    bad_day = client.post(
        "/admin/inspections/inspectors",
        data={"name": "甲", "badge": "X1", "department": "no-such-dept"},
    )
    assert bad_day.status_code == 404
    assert 'id="error-inspector"' in bad_day.text
