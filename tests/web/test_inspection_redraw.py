"""/admin/inspections/{code}/redraw (复核抽取), the plan form's ratios and inspector pool, and the
API (`POST /api/v1/inspections/plans`, `GET /api/v1/inspections/plans/{code}/redraw`)."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import make_provider, make_subject
from tests.factories.workflows import make_officer, make_user
from xinyong import auth, inspections
from xinyong.audit import Actor, AuditAction
from xinyong.catalog import Catalog
from xinyong.db.tables import AuditEntry, Inspection
from xinyong.enums import Role


def _login(client: TestClient, session: Session, role: Role, dept: object = None) -> None:
    _, username = make_user(session, role, provider=dept)  # type: ignore[arg-type]
    done = client.post("/admin/login", data={"username": username, "password": "password123"},
                       follow_redirects=False)  # fmt: skip
    assert done.status_code == 303


def _plan(session: Session, catalog: Catalog, today: date, code: str) -> tuple[object, object]:
    dept = make_provider(session, name="示范区复核抽查局")
    officer = make_officer(session, dept)
    related = make_subject(session, region_code="990100", name="复核关联有限公司")
    for _ in range(6):
        make_subject(session, region_code="990100", name="复核抽查对象有限公司")
    inspections.add_inspector(session, "回避检查员", "FH0000", dept, actor=officer,
                              related_codes=(related.code,))  # fmt: skip
    for i in range(1, 4):
        inspections.add_inspector(session, f"复核检查员{i}", f"FH{i:04d}", dept, actor=officer)
    plan = inspections.create_plan(
        session, code=code, title="复核用抽查", provider=dept, sector="market_regulation",
        region_code="990100", period_start=today, period_end=today, seed="fh",
        ratios={"B": 1.0}, actor=officer, catalog=catalog, today=today,
    )  # fmt: skip
    return dept, plan


def test_the_redraw_page_shows_each_pair_identical_and_the_conflicts_excluded(
    client: TestClient, session: Session, catalog: Catalog, today: date
) -> None:
    dept, plan = _plan(session, catalog, today, "2026-FH-01")
    _login(client, session, Role.OFFICER, dept)
    page = client.get("/admin/inspections/2026-FH-01/redraw")
    assert page.status_code == 200, page.text
    assert "重新抽取的结果与记录完全一致" in page.text
    rows = inspections.drawn_of(session, plan)  # type: ignore[arg-type]
    assert len(rows) >= 7  # every B subject at a raised ratio of 100%
    assert page.text.count("<td>一致</td>") == len(rows)
    assert "复核关联有限公司" in page.text
    assert "回避检查员（与该主体有利害关系）" in page.text
    # the stored draw is changed behind the platform's back: the page says so, row by row
    first = session.execute(select(Inspection).where(Inspection.plan_id == plan.id)  # type: ignore[attr-defined]
                            .order_by(Inspection.id)).scalars().first()  # fmt: skip
    assert first is not None
    first.inspector_ids = [*reversed(first.inspector_ids), 999]
    session.flush()
    bad = client.get("/admin/inspections/2026-FH-01/redraw").text
    assert "与记录不一致" in bad
    assert bad.count("<strong>不一致</strong>") == 1


def test_an_officer_of_another_department_may_not_check_the_draw(
    client: TestClient, session: Session, catalog: Catalog, today: date
) -> None:
    _plan(session, catalog, today, "2026-FH-02")
    _login(client, session, Role.OFFICER, make_provider(session, name="别的部门"))
    page = client.get("/admin/inspections/2026-FH-02/redraw", headers={"Accept": "text/html"})
    assert page.status_code == 403
    assert "text/html" in page.headers["content-type"]
    assert "Traceback" not in page.text


def test_the_form_raises_a_ratio_and_narrows_the_pool(
    client: TestClient, session: Session, today: date
) -> None:
    dept = make_provider(session, name="示范区比例抽查局")
    officer = make_officer(session, dept)
    for _ in range(5):
        make_subject(session, region_code="990100", name="比例抽查对象有限公司")
    people = [inspections.add_inspector(session, f"比例检查员{i}", f"BL{i:04d}", dept,
                                        actor=officer) for i in range(3)]  # fmt: skip
    _login(client, session, Role.OFFICER, dept)
    form = {
        "code": "2026-BL-01", "title": "提高比例的抽查", "department": dept.uscc,
        "sector": "market_regulation", "region": "990100", "period_start": today.isoformat(),
        "period_end": today.isoformat(), "seed": "bl", "ratio_B": "5",
        "pool_chosen": "1", "pool": [str(people[0].id), str(people[1].id)],
    }  # fmt: skip
    lower = client.post("/admin/inspections/plans", data=form, follow_redirects=False)
    assert lower.status_code == 422
    assert "不得低于目录规定的 10%" in lower.text
    made = client.post("/admin/inspections/plans", data={**form, "ratio_B": "60"},
                       follow_redirects=False)  # fmt: skip
    assert made.status_code == 303, made.text
    plan = inspections.get_plan(session, "2026-BL-01", actor=Actor.system())
    assert plan.inputs["ratios"]["B"] == 0.6
    assert plan.inputs["inspectors"] == [people[0].id, people[1].id]
    assert client.get("/admin/inspections/2026-BL-01/redraw").status_code == 200


def test_the_api_makes_a_plan_and_redraws_it(
    client: TestClient, session: Session, catalog: Catalog, today: date
) -> None:
    dept = make_provider(session, name="示范区接口抽查局")
    officer = make_officer(session, dept)
    for _ in range(4):
        make_subject(session, region_code="990100", name="接口抽查对象有限公司")
    for i in range(2):
        inspections.add_inspector(session, f"接口检查员{i}", f"JK{i:04d}", dept, actor=officer)
    _, key = auth.create_api_client(session, "抽查系统", Role.OFFICER, provider_id=dept.id,
                                    actor=Actor.system())  # fmt: skip
    headers = {"X-API-Key": key}
    body = {"code": "2026-JK-01", "title": "接口抽查", "department": dept.uscc,
            "sector": "market_regulation", "region": "990100",
            "period_start": today.isoformat(), "period_end": today.isoformat(), "seed": "jk",
            "ratios": {"B": 0.5}}  # fmt: skip
    made = client.post("/api/v1/inspections/plans", json=body, headers=headers)
    assert made.status_code == 201, made.text
    assert made.json()["seed"] == "jk"
    assert made.json()["ratios"]["B"] == 0.5
    assert session.scalar(select(AuditEntry.id).where(
        AuditEntry.action == AuditAction.INSPECTION_PLAN_DRAWN.value)) is not None  # fmt: skip
    again = client.get("/api/v1/inspections/plans/2026-JK-01/redraw", headers=headers)
    assert again.status_code == 200, again.text
    assert again.json()["identical"] is True
    assert [p["redrawn"] for p in again.json()["pairs"]] == [d[2] for d in made.json()["drawn"]]
    twice = client.post("/api/v1/inspections/plans", json=body, headers=headers)
    assert twice.status_code == 409
