"""/admin/dashboard: figures against targets, every figure opens its rows, XLSX of any table,
manual entry only by the office; ID numbers masked in the rows."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import make_record, make_subject
from tests.factories.accounts import signed_in
from tests.indicators import dataset
from xinyong.catalog import Catalog
from xinyong.clock import Calendar
from xinyong.db.tables import IndicatorValue
from xinyong.enums import Role, SubjectKind


@pytest.fixture
def office(
    client: TestClient, session: Session, catalog: Catalog, calendar: Calendar
) -> TestClient:
    dataset.build(session, catalog, calendar)
    signed_in(client, session, Role.ADMIN)
    done = client.post("/admin/dashboard/refresh", data={"month": "2026-11"},
                       follow_redirects=False)  # fmt: skip
    assert done.status_code == 303
    return client


def test_dashboard_shows_every_indicator_with_its_target(office: TestClient) -> None:
    page = office.get("/admin/dashboard?month=2026-11")
    assert page.status_code == 200
    html = page.text
    for title in ("信用信息归集量", "信用修复及时率", "城市信用状况监测排名", "重错码率"):
        assert title in html
    assert 'href="/admin/dashboard/figures/repair_timeliness?month=2026-11"' in html
    assert 'type="application/json" id="chart-data"' in html
    assert "/static/vendor/echarts.min.js" in html
    assert "<script>" not in html  # no inline code
    assert "部门归集质量排名" in html


def test_a_figure_opens_the_rows_behind_it(office: TestClient) -> None:
    page = office.get("/admin/dashboard/figures/repair_timeliness?month=2026-11")
    assert page.status_code == 200
    assert page.text.count("<tr><td>") == 3  # the three applications handled in November
    assert "按时办结" in page.text
    assert "准予修复" in page.text  # Chinese titles, not the codes
    assert ">approved<" not in page.text
    assert ">penalty<" not in page.text


def test_rows_behind_a_breakdown(office: TestClient, session: Session) -> None:
    found = office.get("/admin/dashboard/rows/list/court_defaulter?month=2026-11")
    assert found.status_code == 200
    assert found.text.count("<tr><td>") == 1
    assert office.get("/admin/dashboard/rows/nothing/x?month=2026-11").status_code == 404


def test_any_table_exports_to_xlsx_without_formulas(office: TestClient, session: Session) -> None:
    person = make_subject(session, kind=SubjectKind.PERSON, name='=HYPERLINK("x")')
    make_record(session, person, info_class="licence", data={"decision_number": "=1+1"})
    export = "/admin/dashboard/export"
    for url in (f"{export}/tables/indicators.xlsx?month=2026-11",
                f"{export}/tables/departments.xlsx?month=2026-11",
                f"{export}/figures/double_publicity_ratio.xlsx?month=2026-11"):  # fmt: skip
        got = office.get(url)
        assert got.status_code == 200, url
        sheet = openpyxl.load_workbook(io.BytesIO(got.content)).active
        assert sheet is not None
        values = [c.value for row in sheet.iter_rows() for c in row if c.value is not None]
        assert values
        assert not any(isinstance(v, str) and v.startswith("=") for v in values), url
    rows = office.get("/admin/dashboard/figures/double_publicity_ratio?month=2026-11").text
    assert person.code not in rows  # the ID number is masked
    assert "'=HYPERLINK" not in rows  # only the XLSX adds the apostrophe


def test_only_the_office_enters_manual_values(client: TestClient, session: Session) -> None:
    form = {"key": "city_monitoring_rank", "month": "2026-11", "value": "9",
            "source": "信用中国城市信用监测", "source_date": "2026-11-20"}  # fmt: skip
    signed_in(client, session, Role.AUDITOR)
    assert client.get("/admin/dashboard?month=2026-11").status_code == 200  # may read
    assert (
        client.post("/admin/dashboard/manual", data=form, follow_redirects=False).status_code == 403
    )
    signed_in(client, session, Role.ADMIN)
    done = client.post("/admin/dashboard/manual", data=form, follow_redirects=False)
    assert done.status_code == 303
    row = session.execute(select(IndicatorValue)).scalar_one()
    assert (row.value, row.source_date) == (9, date(2026, 11, 20))
    assert (
        "2026-11 的看板尚未计算" in client.get("/admin/dashboard?month=2026-11").text
    )  # never computed
    client.post("/admin/dashboard/refresh", data={"month": "2026-11"})
    assert "信用中国城市信用监测" in client.get("/admin/dashboard?month=2026-11").text
    again = {**form, "value": "8"}
    assert client.post("/admin/dashboard/manual", data=again, follow_redirects=False).is_redirect
    page = client.get("/admin/dashboard?month=2026-11").text
    assert "“城市信用状况监测排名”有新录入的值，尚未重新计算" in page  # stored, marked stale


def test_other_roles_cannot_open_the_dashboard(client: TestClient, session: Session) -> None:
    signed_in(client, session, Role.OFFICER)
    assert client.get("/admin/dashboard").status_code == 403


def test_monitoring_self_assessment_lists_what_it_computes_and_what_it_cannot(
    office: TestClient,
) -> None:
    page = office.get("/admin/dashboard/monitoring?month=2026-11")
    assert page.status_code == 200
    html = page.text
    computed, cannot = html.split('id="not-computable"')
    for title in ("重错码率", "信用修复效率", "异议处理占比", "市场主体信用承诺情况"):
        assert title in computed
    assert "6.67" in computed  # 重错码率 of the fixed dataset
    assert "当月报送行中因统一社会信用代码" in computed  # the definition is shown
    for title in ("纠正率", "政府部门和国有企业清欠情况", "信用修复流程透明度"):
        assert title in cannot


def test_the_page_shows_when_its_figures_were_computed(
    office: TestClient, session: Session
) -> None:
    from datetime import timedelta  # noqa: PLC0415

    from xinyong.indicators import dashboard, snapshots  # noqa: PLC0415

    html = office.get("/admin/dashboard?month=2026-11").text
    stored = snapshots.read_document(session, dashboard.SNAPSHOT_KEY, "2026-11")
    assert stored is not None
    beijing = (stored.computed_at + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M:%S")
    assert f'更新于 <time datetime="{stored.computed_at.isoformat()}">{beijing}</time>' in html
    assert "xinyong jobs run dashboard" in html
    again = office.get("/admin/dashboard?month=2026-11").text  # read from the snapshot
    assert beijing in again


def test_a_reader_never_computes_and_only_the_admin_refreshes(
    client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page and the XLSX read the stored document whatever its age; 刷新 is the admin's,
    audited; an auditor may read but not refresh."""
    from xinyong.audit import AuditAction  # noqa: PLC0415
    from xinyong.audit.titles import ACTION_TITLES  # noqa: PLC0415
    from xinyong.db.tables import AuditEntry  # noqa: PLC0415
    from xinyong.indicators import dashboard  # noqa: PLC0415

    signed_in(client, session, Role.ADMIN)
    assert client.post("/admin/dashboard/refresh", data={"month": "2026-11"}).status_code == 200
    logged = session.execute(
        select(AuditEntry).where(AuditEntry.action == AuditAction.DASHBOARD_REFRESHED)
    ).scalar_one()
    assert (logged.target_type, logged.target_id) == ("dashboard", "2026-11")
    assert ACTION_TITLES[AuditAction.DASHBOARD_REFRESHED] == "刷新信用工作看板"

    def no_compute(*_: object) -> None:
        raise AssertionError("a reader computed the dashboard")

    monkeypatch.setattr(dashboard, "_build", no_compute)
    for role in (Role.ADMIN, Role.AUDITOR):
        signed_in(client, session, role)
        assert client.get("/admin/dashboard?month=2026-11").status_code == 200
        assert client.get("/admin/dashboard?month=2026-10").status_code == 200  # none stored
        never = client.get("/admin/dashboard/export/tables/indicators.xlsx?month=2026-10")
        assert never.status_code == 409
        xlsx = client.get("/admin/dashboard/export/tables/indicators.xlsx?month=2026-11")
        assert xlsx.status_code == 200
        assert client.get("/screen/data.json").status_code == 200
    assert "2026-10 的看板尚未计算" in client.get("/admin/dashboard?month=2026-10").text
    assert "刷新看板" not in client.get("/admin/dashboard?month=2026-11").text  # the auditor
    refused = client.post("/admin/dashboard/refresh", data={"month": "2026-11"})
    assert refused.status_code == 403
