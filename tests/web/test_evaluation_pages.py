"""信用评价 on the subject page, /me, the API (who sees what) and the admin distribution page."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import make_provider, make_subject
from tests.factories.accounts import sign_in
from tests.factories.archive import make_record
from tests.factories.workflows import make_penalty, make_user
from xinyong.audit import Actor
from xinyong.catalog import Catalog
from xinyong.db.tables import QueryLogEntry
from xinyong.enums import Role, SubjectKind
from xinyong.evaluation import engine, models_for


def test_subject_page_shows_grade_version_and_plain_explanation(
    client: TestClient, session: Session
) -> None:
    subject = make_subject(session)
    make_penalty(session, subject, make_provider(session), decision_date=date(2026, 6, 1))
    page = client.get(f"/subjects/{subject.code}")
    assert page.status_code == 200
    section = page.text.split('id="evaluations-h"')[1]
    assert "C（中）" in section
    assert "评价基准日 2026-11-23" in section
    assert "企业公共信用综合评价模型 版本 2026.1+" in section
    assert "遵纪守法·一般失信行政处罚：扣 8 分" in section
    assert "/me/records/" not in section  # no record ids in public


def test_a_model_that_is_not_public_shows_nothing_to_the_public(
    client: TestClient, session: Session
) -> None:
    office = make_subject(session, kind=SubjectKind.GOVERNMENT)
    section = client.get(f"/subjects/{office.code}").text.split('id="evaluations-h"')[1]
    assert "不向社会公开" in section
    body = client.get(f"/api/v1/subjects/{office.code}/evaluation").json()
    assert body["evaluation"] is None


def test_api_anonymous_gets_the_public_part_the_subject_gets_everything(
    client: TestClient, session: Session
) -> None:
    subject = make_subject(session)
    record = make_penalty(session, subject, make_provider(session), decision_date=date(2026, 6, 1))
    public = client.get(f"/api/v1/subjects/{subject.code}/evaluation").json()
    assert (public["access"], public["evaluation"]["grade"]) == ("public", "C")
    assert "what_would_change" not in public
    assert "refs" not in str(public)
    _, username = make_user(session, Role.ENTERPRISE, subject=subject)
    sign_in(client, username)
    own = client.get(f"/api/v1/subjects/{subject.code}/evaluation").json()
    assert own["access"] == "full"
    refs = [r for i in own["evaluation"]["indicators"] if i["points"] for r in i["refs"]]
    assert refs == [f"record:{record.id}"]
    kinds = {s["kind"] for s in own["what_would_change"]}
    assert {"repair", "commitment", "registration", "date"} <= kinds
    repair = next(s for s in own["what_would_change"] if s["kind"] == "repair")
    assert repair["grade"] == "B"


def test_officer_reading_the_full_evaluation_is_logged(
    client: TestClient, session: Session
) -> None:
    subject = make_subject(session)
    provider = make_provider(session)
    _, officer = make_user(session, Role.OFFICER, provider=provider)
    sign_in(client, officer)
    body = client.get(f"/api/v1/subjects/{subject.code}/evaluation").json()
    assert body["access"] == "full"
    logged = (
        session.execute(select(QueryLogEntry).where(QueryLogEntry.subject_id == subject.id))
        .scalars()
        .all()
    )
    assert [e.surface for e in logged] == ["api"]


def test_me_shows_the_full_explanation_and_what_would_change(
    client: TestClient, session: Session
) -> None:
    subject = make_subject(session)
    record = make_penalty(session, subject, make_provider(session), decision_date=date(2026, 6, 1))
    _, username = make_user(session, Role.ENTERPRISE, subject=subject)
    sign_in(client, username)
    page = client.get("/me/").text
    section = page.split('id="evaluation-h"')[1]
    assert f'href="/me/records/{record.id}"' in section
    assert "怎样改变我的等级" in section
    assert "申请信用修复" in section
    assert "预计等级 B" in section


def test_admin_distribution_page_draws_charts_from_the_vendored_echarts(
    client: TestClient, session: Session, catalog: Catalog, today: date
) -> None:
    for _ in range(3):
        make_subject(session, industry_code="C13", region_code="990101")
    loaded = models_for(catalog).get("enterprise")
    engine.run_embedded(session, loaded, catalog=catalog, as_of=today, actor=Actor.system("测试"))
    _, admin = make_user(session, Role.ADMIN)
    sign_in(client, admin)
    page = client.get("/admin/evaluation")
    assert page.status_code == 200
    assert '<script src="/static/vendor/echarts.min.js"></script>' in page.text
    assert 'id="grade-data"' in page.text
    assert "990101" in page.text
    assert client.get("/static/vendor/echarts.min.js").status_code == 200


def test_officer_page_shows_the_supervision_class_per_sector(
    client: TestClient, session: Session
) -> None:
    subject = make_subject(session)
    make_penalty(session, subject, make_provider(session), decision_date=date(2026, 6, 1))
    _, officer = make_user(session, Role.OFFICER, provider=make_provider(session))
    sign_in(client, officer)
    page = client.get("/admin/evaluation/subjects", params={"code": subject.code}).text
    assert "C（信用风险较高）" in page
    assert "市场监管" in page
    assert "40%" in page
    public = client.get(f"/subjects/{subject.code}").text
    assert "信用风险较高" not in public  # supervision classes are not public


def test_pages_show_the_sector_grade_beside_ours(
    client: TestClient, session: Session, catalog: Catalog, today: date
) -> None:
    from xinyong import evaluation  # noqa: PLC0415

    tax = make_provider(session, name="示范区税务局", kind="tax")
    firm = make_subject(session)
    make_record(session, firm, info_class="sector_grade", decision_date=date(2026, 4, 10),
                data={"sector": "纳税信用等级", "grade": "A", "grading_year": 2025},
                valid_until=date(2027, 4, 9), authority_name=tax.name)  # fmt: skip
    evaluation.evaluate_subject(session, firm, catalog=catalog, today=today)
    public = client.get(f"/subjects/{firm.code}").text.split('id="evaluations-h"')[1]
    assert "行业信用评价" in public
    assert "纳税信用等级" in public
    assert "示范区税务局" in public
    _, officer = make_user(session, Role.OFFICER, provider=make_provider(session))
    sign_in(client, officer)
    page = client.get("/admin/evaluation/subjects", params={"code": firm.code}).text
    assert "税务" in page
    assert "纳税信用等级 A" in page
    assert "A（信用风险低）" in page
