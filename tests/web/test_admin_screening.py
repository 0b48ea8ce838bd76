"""/admin/screening: an officer uploads a file of codes and names, sees the hits with measures
and legal basis, downloads the results as XLSX and records a reviewer's decision."""

from __future__ import annotations

import io
from datetime import date

import polars as pl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import make_provider, make_subject
from tests.factories.lists import listed
from tests.factories.workflows import make_user
from xinyong.audit import Actor, AuditAction
from xinyong.catalog import Catalog
from xinyong.clock import Calendar
from xinyong.config import Settings
from xinyong.db.tables import AuditEntry, ScreeningDecision, Subject
from xinyong.enums import Role

MONDAY = date(2026, 11, 23)
OFFICER = Actor(kind="user", id=1, label="认定人员", role=Role.OFFICER)
HTML = {"Accept": "text/html"}
PURPOSE = "2026年度政府采购供应商资格审查"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"check_fast_path": False, "today": date(2026, 12, 1)})


@pytest.fixture
def on_list(session: Session, catalog: Catalog, calendar: Calendar) -> Subject:
    subject = make_subject(session, name="示范区鸿瑞页面科技有限公司")
    listed(session, subject, "wage_arrears", catalog=catalog, calendar=calendar, actor=OFFICER,
           proposed_on=MONDAY)  # fmt: skip
    return subject


def _login(client: TestClient, session: Session, role: Role = Role.OFFICER) -> None:
    _, username = make_user(session, role, provider=make_provider(session, name="采购中心"))
    client.post("/admin/login", data={"username": username, "password": "password123"})


def _csv(*rows: tuple[str, str]) -> bytes:
    return ("统一社会信用代码,主体名称\n" + "".join(f"{c},{n}\n" for c, n in rows)).encode()


def test_an_uploaded_file_shows_hits_with_measures_and_legal_basis(
    client: TestClient, session: Session, on_list: Subject
) -> None:
    _login(client, session)
    assert "名单比对" in client.get("/admin/").text  # in the navigation
    clean = make_subject(session, name="干净的公司")
    data = _csv((on_list.code, ""), (clean.code, ""), ("", "鸿瑞页面科技有限公司"),
                ("91990100MA0000000Z", ""))  # fmt: skip
    page = client.post("/admin/screening", data={"matter": "procurement", "purpose": PURPOSE},
                       files={"file": ("名单.csv", data, "text/csv")})  # fmt: skip
    assert page.status_code == 200, page.text
    text = page.text
    assert "命中 1 行" in text
    assert "疑似命中（须复核） 1 行" in text
    assert "未命中 1 行" in text
    assert "代码有误" in text
    hit = text.split("<td>命中</td>")[1].split("</tr>")[0]
    assert "拖欠农民工工资失信联合惩戒对象名单" in hit  # the list
    assert "依法限制参加政府采购活动" in hit  # a measure of the matter
    assert (
        "《中华人民共和国政府采购法》第二十二条" in hit
    )  # its legal basis, as the catalog cites it
    assert 'action="/admin/screening/decisions"' in text


def test_the_results_download_as_xlsx_with_chinese_headers(
    client: TestClient, session: Session, on_list: Subject
) -> None:
    _login(client, session)
    form = {"matter": "procurement", "download": "xlsx", "purpose": PURPOSE,
            "pasted": f"{on_list.code}\n某某公司"}  # fmt: skip
    got = client.post("/admin/screening", data=form)
    assert got.status_code == 200
    assert got.headers["content-type"].startswith("application/vnd.openxmlformats")
    frame = pl.read_excel(io.BytesIO(got.content))
    assert {"行号", "比对结果", "惩戒措施", "法律依据"} <= set(frame.columns)
    assert frame["比对结果"].to_list() == ["命中", "未命中"]
    assert frame["法律依据"][0]


def test_a_reviewer_decision_is_recorded_and_audited(
    client: TestClient, session: Session, on_list: Subject
) -> None:
    _login(client, session)
    done = client.post("/admin/screening/decisions", data={
        "name": "鸿瑞页面科技有限公司", "subject_id": str(on_list.id), "is_match": "no",
        "reason": "注册地不同"})  # fmt: skip
    assert done.status_code == 200, done.text
    assert "已记录复核结论" in done.text
    row = session.execute(select(ScreeningDecision).where(
        ScreeningDecision.subject_id == on_list.id)).scalar_one()  # fmt: skip
    assert row.is_match is False
    assert session.scalar(select(AuditEntry.id).where(
        AuditEntry.action == AuditAction.SCREENING_DECIDED.value,
        AuditEntry.target_id == str(on_list.id))) is not None  # fmt: skip
    again = client.post("/admin/screening", data={"matter": "procurement", "purpose": PURPOSE,
                                                  "pasted": "鸿瑞页面科技有限公司"})  # fmt: skip
    assert "未命中 1 行" in again.text  # the non-match does not come back


def test_a_bad_file_and_a_clerk_get_chinese_pages(client: TestClient, session: Session) -> None:
    _login(client, session)
    bad = client.post("/admin/screening", data={"matter": "procurement"},
                      files={"file": ("x.txt", b"abc", "text/plain")}, headers=HTML)  # fmt: skip
    assert bad.status_code == 422
    assert "只支持 CSV 或 XLSX 文件" in bad.text
    empty = client.post("/admin/screening", data={"matter": "procurement"}, headers=HTML)
    assert "请上传文件" in empty.text
    client.post("/admin/logout")
    _login(client, session, Role.PROVIDER_CLERK)
    page = client.get("/admin/screening", headers=HTML)
    assert page.status_code == 403
    assert "text/html" in page.headers["content-type"]
