"""/bank/subjects/{code}: the consenting SME's full archive a page at a time, as the full-archive
API pages it (newest decision first, the undated first of all, keyset `after`, a count that may be
a floor); each page read is a query-log row of its own, and consent is asked again per page."""

from __future__ import annotations

import importlib
import re
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories.archive import make_record
from tests.financing.conftest import make_bank, make_sme
from xinyong.catalog import Catalog
from xinyong.db.tables import QueryLogEntry, Subject
from xinyong.disclosure import views

bank_pages = importlib.import_module("xinyong.web.financing.bank")  # the package names its router

TODAY = date(2026, 11, 23)
NEXT = re.compile(r'href="(/bank/subjects/[^"#]+)#ar-h" rel="next"')
NUMBER = re.compile(r"<td>(示市监罚〔2026〕\d+号)</td>")


def _login(client: TestClient, username: str) -> None:
    client.cookies.clear()
    response = client.post("/admin/login", data={"username": username, "password": "password123"},
                           follow_redirects=False)  # fmt: skip
    assert response.status_code == 303


def _archive(session: Session, subject: Subject) -> list[str]:
    """25 current penalties (one undated) in the page's order: undated first, then newest."""
    dated = [make_record(session, subject, decision_date=date(2026, 5, 1 + i % 20))
             for i in range(24)]  # fmt: skip
    undated = make_record(session, subject)
    undated.decision_date = None
    session.flush()
    ordered = sorted(dated, key=lambda r: (r.decision_date, r.id), reverse=True)
    return [str(r.decision_number) for r in (undated, *ordered)]


def _consent(client: TestClient, sme_user: str, institution_id: int) -> None:
    _login(client, sme_user)
    granted = client.post(
        "/me/financing/consents",
        data={"institution_id": institution_id, "purpose": "流动资金贷款审批",
              "valid_until": str(TODAY + timedelta(days=60))},
        follow_redirects=False,
    )  # fmt: skip
    assert granted.status_code == 303


def _archive_logs(session: Session, subject: Subject) -> list[QueryLogEntry]:
    stmt = select(QueryLogEntry).where(
        QueryLogEntry.subject_id == subject.id, QueryLogEntry.surface == "bank",
        QueryLogEntry.purpose == bank_pages.LENDER_PURPOSE,
    ).order_by(QueryLogEntry.id)  # fmt: skip
    return list(session.execute(stmt).scalars())


def test_the_bank_pages_the_archive_and_each_page_is_logged(
    client: TestClient, session: Session, catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bank_pages, "ARCHIVE_PER_PAGE", 10)
    bank = make_bank(session)
    sme = make_sme(session, catalog, TODAY)
    expected = _archive(session, sme.subject)
    _consent(client, sme.username, bank.institution.id)
    _login(client, bank.username)

    first = client.get(f"/bank/subjects/{sme.subject.code}")
    assert first.status_code == 200
    assert "第 1 页（第 1–10 条，共 25 条" in first.text
    assert "最新记录" not in first.text
    seen, page, pages = NUMBER.findall(first.text), first, 1
    while (found := NEXT.search(page.text)) is not None:
        page = client.get(found.group(1).replace("&amp;", "&"))
        assert page.status_code == 200
        pages += 1
        assert f"第 {pages} 页（第 {(pages - 1) * 10 + 1}–" in page.text
        assert "最新记录" in page.text
        seen += NUMBER.findall(page.text)
    assert pages == 3
    assert "第 3 页（第 21–25 条，共 25 条" in page.text
    assert seen == expected  # every current record once, newest first, the undated first

    logged = _archive_logs(session, sme.subject)
    assert [(q.detail or {})["records"] for q in logged] == [10, 10, 5]
    assert all(q.basis == "consent" and q.consent_id for q in logged)
    assert (logged[0].detail or {})["after"] is None
    assert (logged[1].detail or {})["after"] is not None


def test_a_revoked_consent_refuses_the_next_page(
    client: TestClient, session: Session, catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bank_pages, "ARCHIVE_PER_PAGE", 10)
    bank = make_bank(session)
    sme = make_sme(session, catalog, TODAY)
    _archive(session, sme.subject)
    _consent(client, sme.username, bank.institution.id)
    _login(client, bank.username)
    first = client.get(f"/bank/subjects/{sme.subject.code}")
    found = NEXT.search(first.text)
    assert found is not None

    _login(client, sme.username)
    revoked = client.post(f"/me/financing/consents/{bank.institution.id}/revoke",
                          follow_redirects=False)  # fmt: skip
    assert revoked.status_code == 303

    _login(client, bank.username)
    refused = client.get(found.group(1).replace("&amp;", "&"), headers={"accept": "text/html"})
    assert refused.status_code == 403
    assert "无权访问" in refused.text
    assert len(_archive_logs(session, sme.subject)) == 1  # the refused page read nothing


def test_the_count_says_at_least_beyond_its_cap(
    client: TestClient, session: Session, catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bank_pages, "ARCHIVE_PER_PAGE", 5)
    monkeypatch.setattr(views, "ARCHIVE_COUNT_CAP", 7)
    bank = make_bank(session)
    sme = make_sme(session, catalog, TODAY)
    _archive(session, sme.subject)
    _consent(client, sme.username, bank.institution.id)
    _login(client, bank.username)
    page = client.get(f"/bank/subjects/{sme.subject.code}")
    assert "第 1 页（第 1–5 条，至少 7 条" in page.text
    assert len(NUMBER.findall(page.text)) == 5


def test_a_malformed_position_is_refused_in_chinese(
    client: TestClient, session: Session, catalog: Catalog
) -> None:
    bank = make_bank(session)
    sme = make_sme(session, catalog, TODAY)
    _consent(client, sme.username, bank.institution.id)
    _login(client, bank.username)
    page = client.get(f"/bank/subjects/{sme.subject.code}?after=yesterday",
                      headers={"accept": "text/html"})  # fmt: skip
    assert page.status_code == 422
    assert "<html" in page.text.lower()
