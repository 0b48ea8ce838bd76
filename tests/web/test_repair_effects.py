"""An approved repair takes effect everywhere at once: portal page, API mirror and joint check.

The record is reached and repaired through the real actions (apply → accept → decide); the very
next requests no longer show the record or apply the list's measures.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import make_provider, make_record, make_subject
from tests.factories.workflows import PDF, make_enterprise, make_officer, make_penalty
from xinyong import auth, commitments, repair
from xinyong.audit import Actor
from xinyong.catalog import Catalog
from xinyong.clock import Calendar
from xinyong.config import Settings
from xinyong.db.tables import Record
from xinyong.enums import Role

TODAY = date(2026, 11, 23)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"check_fast_path": False, "today": TODAY})


def _repair(
    session: Session,
    record: Record,
    enterprise: Actor,
    officer: Actor,
    *,
    catalog: Catalog,
    calendar: Calendar,
    data_dir: Path,
) -> None:
    application = commitments.apply_for_repair(
        session,
        record,
        repair.Application(
            "已履行全部义务", True, (repair.Upload("performance_proof", "凭证.pdf", PDF),)
        ),
        actor=enterprise, today=TODAY, catalog=catalog, calendar=calendar,
        data_dir=data_dir, region_code="990100",
    )  # fmt: skip
    assert application.eligibility["eligible"], application.eligibility
    repair.accept(session, application, actor=officer, today=TODAY, catalog=catalog,
                  calendar=calendar)  # fmt: skip
    repair.decide(session, application, approve=True, reason="已履行义务", actor=officer,
                  today=TODAY, catalog=catalog)  # fmt: skip


def test_approved_repair_is_reflected_by_portal_api_and_check_on_the_next_request(
    client: TestClient, session: Session, catalog: Catalog, calendar: Calendar, tmp_path: Path
) -> None:
    court = make_provider(session, name="示范区人民法院", kind="court")
    subject = make_subject(session, name="示范区璟泰建材有限公司")
    penalty = make_penalty(session, subject, court, decision_date=date(2026, 6, 1))
    defaulter = make_record(
        session, subject, info_class="court_defaulter", decision_date=date(2026, 5, 6),
        data={"subject_name": subject.name, "subject_category": "法人及非法人组织",
              "subject_uscc": subject.code, "case_number": "（2026）示执字第88号",
              "court": court.name, "basis_number": "（2025）示民初字第12号",
              "performance_status": "全部未履行", "conduct": "有履行能力而拒不履行",
              "published_on": "2026-05-06"},
        decision_number="（2025）示民初字第12号", provider_id=court.id,
        authority_name=court.name, authority_uscc=court.uscc,
    )  # fmt: skip
    _client, key = auth.create_api_client(session, "招投标系统", Role.SYSTEM, actor=Actor.system())
    headers = {"X-API-Key": key}
    body = {"code": subject.code, "matter": "bidding"}

    number = str(penalty.decision_number)
    assert client.post("/api/v1/checks", json=body, headers=headers).json()["clean"] is False
    page = client.get(f"/subjects/{subject.code}").text
    assert number in page
    assert "（2025）示民初字第12号" in page

    enterprise = make_enterprise(session, subject)
    officer = make_officer(session, court)
    for record in (penalty, defaulter):
        _repair(session, record, enterprise, officer, catalog=catalog, calendar=calendar,
                data_dir=tmp_path)  # fmt: skip

    answer = client.post("/api/v1/checks", json=body, headers=headers).json()
    assert answer["clean"] is True
    page = client.get(f"/subjects/{subject.code}").text
    assert number not in page
    assert "（2025）示民初字第12号" not in page
    mirrored = client.get(f"/api/v1/subjects/{subject.code}").json()
    assert mirrored["records"] == []
