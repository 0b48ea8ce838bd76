"""Journeys left open at the last walk (docs/dev/journeys.md): a verified commitment is found
again in the officer's list and on its own page, the enterprise reads each commitment's state in
/me, and a record that is not 失信信息 says repair does not apply instead of a red checklist."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import make_provider, make_subject
from tests.factories.accounts import sign_in
from tests.factories.archive import make_record
from tests.factories.workflows import make_enterprise, make_officer, make_user
from xinyong import commitments, repair
from xinyong.catalog import Catalog
from xinyong.enums import Role

REGION = "990100"


def _signed(session: Session, catalog: Catalog, today: date, provider_id: int | None):
    subject = make_subject(session)
    made = commitments.sign(
        session, subject, "approval_notified", actor=make_enterprise(session, subject),
        today=today, catalog=catalog, region_code=REGION, acceptance_provider_id=provider_id,
    )  # fmt: skip
    return subject, made


def test_a_verified_commitment_is_found_again_by_its_department(
    client: TestClient, session: Session, catalog: Catalog, today: date
) -> None:
    dept, other = make_provider(session), make_provider(session)
    subject, kept = _signed(session, catalog, today, dept.id)
    _, waiting = _signed(session, catalog, today, dept.id)
    _, elsewhere = _signed(session, catalog, today, other.id)
    commitments.record_verification(
        session, kept, fulfilment=commitments.KEPT, actor=make_officer(session, dept),
        today=today, catalog=catalog,
    )  # fmt: skip
    _, officer = make_user(session, Role.OFFICER, provider=dept)
    sign_in(client, officer)

    page = client.get("/admin/commitments").text
    assert kept.code in page
    assert waiting.code in page
    assert elsewhere.code not in page  # another department's
    assert "已履行" in page
    assert subject.name in page
    only_kept = client.get("/admin/commitments?status=kept").text
    assert kept.code in only_kept
    assert waiting.code not in only_kept
    assert "待核查" in client.get("/admin/commitments?status=signed").text
    # an officer cannot widen the list to another department
    assert elsewhere.code not in client.get(f"/admin/commitments?department={other.id}").text

    detail = client.get(f"/admin/commitments/{kept.id}").text
    assert "已履行" in detail
    assert "全部履行" in detail
    assert "记录核查结果" not in detail
    assert f"/subjects/{subject.code}" in detail
    assert "记录核查结果" in client.get(f"/admin/commitments/{waiting.id}").text
    recorded = client.post(
        f"/admin/commitments/{waiting.id}/verify",
        data={"fulfilment": "全部未履行", "unperformed": "未按期补交材料"},
        follow_redirects=False,
    )
    assert recorded.headers["location"] == f"/admin/commitments/{waiting.id}"
    shown = client.get(recorded.headers["location"]).text
    assert "未履行或不实" in shown
    assert "违诺信息" in shown
    refused = client.get(f"/admin/commitments/{elsewhere.id}")
    assert refused.status_code == 403
    assert "不属于本部门" in refused.text
    assert "/admin/commitments" in client.get("/admin/queue").text


def test_the_credit_office_chooses_a_department_and_pages_back(
    client: TestClient, session: Session, catalog: Catalog, today: date
) -> None:
    dept, other = make_provider(session), make_provider(session)
    _, mine = _signed(session, catalog, today, dept.id)
    _, theirs = _signed(session, catalog, today, other.id)
    _, admin = make_user(session, Role.ADMIN)
    sign_in(client, admin)
    everything = client.get("/admin/commitments").text
    assert mine.code in everything
    assert theirs.code in everything
    assert dept.name in everything  # the department filter offers it
    chosen = client.get(f"/admin/commitments?department={dept.id}").text
    assert mine.code in chosen
    assert theirs.code not in chosen
    older = client.get(f"/admin/commitments?department={dept.id}&before={mine.id}").text
    assert mine.code not in older


def test_the_enterprise_reads_each_commitments_state(
    client: TestClient, session: Session, catalog: Catalog, today: date
) -> None:
    dept = make_provider(session)
    subject, kept = _signed(session, catalog, today, dept.id)
    waiting = commitments.sign(
        session, subject, "bidding_integrity", actor=make_enterprise(session, subject),
        today=today, catalog=catalog, region_code=REGION, acceptance_provider_id=dept.id,
    )  # fmt: skip
    commitments.record_verification(
        session, kept, fulfilment="部分履行", unperformed="未按期补交材料",
        actor=make_officer(session, dept), today=today, catalog=catalog,
    )  # fmt: skip
    _, owner = make_user(session, Role.ENTERPRISE, subject=subject)
    sign_in(client, owner)
    home = client.get("/me/").text
    section = home[home.index('id="commitments"') :]
    assert waiting.code in section
    assert kept.code in section
    assert "待核查" in section
    assert "未履行或不实" in section
    assert "违诺信息已记入信用记录" in section


def test_a_licence_says_repair_does_not_apply_instead_of_a_red_checklist(
    client: TestClient, session: Session, catalog: Catalog, today: date
) -> None:
    subject = make_subject(session)
    licence = make_record(
        session, subject, info_class="licence",
        data={"decision_number": "示许〔2026〕1号", "licence_name": "食品经营许可证"},
    )  # fmt: skip
    verdict = repair.check_eligibility(session, licence, catalog=catalog, today=today)
    assert verdict.not_applicable == "该信息不属于失信信息，无需信用修复"
    _, owner = make_user(session, Role.ENTERPRISE, subject=subject)
    sign_in(client, owner)
    page = client.get(f"/me/records/{licence.id}").text
    assert "该信息不属于失信信息，无需信用修复" in page
    assert "✘" not in page
    assert 'id="repair-form"' not in page
