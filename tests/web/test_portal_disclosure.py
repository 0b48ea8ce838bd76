"""Portal: the subject page shows exactly the disclosed records with why and until when, the
信用码 opens the public page, the 双公示 listing filters, and the API mirrors it."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
import segno
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import make_record, make_subject
from tests.factories.accounts import signed_in
from xinyong.db.tables import QueryLogEntry, Subject
from xinyong.enums import Role

GENERAL = {"penalty_kinds": ["罚款"], "fine_amount": "5", "subject_category": "法人及非法人组织"}


def _penalties(session: Session, subject: Subject) -> None:
    make_record(
        session,
        subject,
        decision_date=date(2026, 6, 1),
        authority_name="示范区市场监管局",
        data={**GENERAL, "decision_number": "示罚〔2026〕101号", "violation_type": "虚假宣传"},
    )
    make_record(
        session,
        subject,
        decision_date=date(2025, 1, 1),
        authority_name="示范区市场监管局",
        data={**GENERAL, "decision_number": "示罚〔2025〕102号", "violation_type": "过期处罚"},
    )


def test_subject_page_shows_disclosed_penalty_with_reason_and_end(
    client: TestClient, session: Session
) -> None:
    subject = make_subject(session, name="示范区门户测试有限公司")
    _penalties(session, subject)
    page = client.get(f"/subjects/{subject.code}").text
    for tab in ("基本信息", "行政许可", "行政处罚", "守信激励", "失信惩戒", "信用承诺", "信用评价"):
        assert f">{tab}</h2>" in page
    assert "示罚〔2026〕101号" in page
    assert "公示至2027-06-01" in page
    assert "一般失信信息" in page
    assert "示罚〔2025〕102号" not in page  # past its maximum period
    assert page.count("暂无公开信息") >= 3  # 许可, 激励, 惩戒 are empty
    assert "C（中）" in page.split('id="evaluations-h"')[1]  # 评价: the grade (issue 12)


def test_credit_code_encodes_the_public_url(
    client: TestClient, session: Session, tmp_path: Path
) -> None:
    subject = make_subject(session)
    page = client.get(f"/subjects/{subject.code}").text
    url = f"http://testserver/subjects/{subject.code}"  # no base URL set: this server
    expected = segno.make(url, error="m", micro=False)
    svg = re.search(r"<svg[^>]*class=\"qr\".*?</svg>", page, re.S)
    assert svg is not None
    assert expected.svg_inline(svgclass="qr", border=2, omitsize=True).split('d="')[1] in svg[0]
    card = client.get(f"/subjects/{subject.code}/card")
    assert card.status_code == 200
    assert url in card.text
    if shutil.which("zbarimg"):
        png = tmp_path / "qr.png"
        expected.save(str(png), scale=8)
        out = subprocess.run(
            ["zbarimg", "-q", "--raw", str(png)], capture_output=True, text=True, check=False
        )
        assert out.stdout.strip() == url


def test_listing_filters_by_authority_and_date(client: TestClient, session: Session) -> None:
    subject = make_subject(session, name="示范区双公示测试有限公司")
    _penalties(session, subject)
    make_record(session, subject, decision_date=date(2026, 9, 1), authority_name="示范区税务局",
                data={**GENERAL, "decision_number": "示税罚〔2026〕7号"})  # fmt: skip
    page = client.get("/disclosures/penalty", params={"authority": "示范区税务局"}).text
    assert "示税罚〔2026〕7号" in page
    assert "示罚〔2026〕101号" not in page
    ranged = client.get("/disclosures/penalty", params={"from": "2026-05-01", "to": "2026-07-01"})
    assert "示罚〔2026〕101号" in ranged.text
    assert "示税罚〔2026〕7号" not in ranged.text
    assert "示罚〔2025〕102号" not in client.get("/disclosures/penalty").text
    bad = client.get("/disclosures/penalty", params={"from": "2026-13-01"})
    assert bad.status_code == 422


def test_api_public_view_lists_disclosed_records(client: TestClient, session: Session) -> None:
    subject = make_subject(session)
    _penalties(session, subject)
    body = client.get(f"/api/v1/subjects/{subject.code}").json()
    assert body["view"] == "public"
    assert [
        (r["info_class"], r["decision_number"], r["decision_date"], r["disclosure_ends"])
        for r in body["records"]
    ] == [("penalty", "示罚〔2026〕101号", "2026-06-01", "2027-06-01")]
    assert "provenance" not in str(body)
    assert "content_hash" not in str(body)


@pytest.mark.parametrize("role", [Role.OFFICER, Role.AUDITOR, Role.ADMIN])
def test_api_full_archive_needs_a_purpose_and_is_logged(
    client: TestClient, session: Session, role: Role
) -> None:
    subject = make_subject(session)
    _penalties(session, subject)
    reader = signed_in(client, session, role)
    missing = client.get(f"/api/v1/subjects/{subject.code}")
    assert missing.status_code == 422
    assert "查询目的" in missing.json()["message"]
    body = client.get(f"/api/v1/subjects/{subject.code}", params={"purpose": "行政许可审查"}).json()
    assert body["view"] == "full"
    assert len(body["records"]) == 2  # the expired one too, with the reason it is hidden
    hidden = next(r for r in body["records"] if not r["disclosure"]["shown"])
    assert "届满" in hidden["disclosure"]["reason"]
    assert hidden["provenance"]["catalog_version"] == "test"
    logged = session.execute(
        select(QueryLogEntry).where(QueryLogEntry.subject_id == subject.id)
    ).scalar_one()
    assert (logged.purpose, logged.surface) == ("行政许可审查", "api")
    assert logged.actor_label == reader.label
    public = client.get(f"/api/v1/subjects/{subject.code}", params={"view": "public"}).json()
    assert public["view"] == "public"


def test_enterprise_sees_its_own_archive_only(client: TestClient, session: Session) -> None:
    own, other = make_subject(session), make_subject(session)
    signed_in(client, session, Role.ENTERPRISE, subject=own)
    mine = client.get(f"/api/v1/subjects/{own.code}", params={"purpose": "查看本企业档案"})
    assert mine.json()["view"] == "full"
    theirs = client.get(f"/api/v1/subjects/{other.code}", params={"purpose": "好奇"})
    assert theirs.json()["view"] == "public"
