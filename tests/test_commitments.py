"""Commitments: signed online from templates; a breach becomes a linked dishonesty record."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from tests.factories import make_provider, make_subject
from tests.factories.workflows import PDF, make_enterprise, make_officer, make_penalty
from xinyong import archive, commitments, repair
from xinyong.catalog import Catalog
from xinyong.clock import Calendar
from xinyong.errors import Forbidden

REGION = "990100"


def test_signed_commitment_carries_the_template_and_a_national_code(
    session: Session, catalog: Catalog, today: date
) -> None:
    subject = make_subject(session)
    signed = commitments.sign(
        session,
        subject,
        "approval_notified",
        actor=make_enterprise(session, subject),
        today=today,
        catalog=catalog,
        region_code=REGION,
    )
    assert signed.code == "99010020261123000001"
    assert signed.kind == "审批替代型"
    assert signed.valid_until == date(2027, 11, 23)
    assert any("国办发〔2020〕42号" in b for b in signed.legal_basis)
    assert commitments.public_items(session, subject.id) == [signed]


def test_only_the_subject_itself_signs(session: Session, catalog: Catalog, today: date) -> None:
    subject, other = make_subject(session), make_subject(session)
    with pytest.raises(Forbidden):
        commitments.sign(
            session,
            subject,
            "bidding_integrity",
            actor=make_enterprise(session, other),
            today=today,
            catalog=catalog,
            region_code=REGION,
        )


def test_broken_commitment_becomes_a_dishonesty_record_with_the_template_basis(
    session: Session, catalog: Catalog, today: date
) -> None:
    provider, subject = make_provider(session), make_subject(session)
    signed = commitments.sign(
        session,
        subject,
        "approval_notified",
        actor=make_enterprise(session, subject),
        today=today,
        catalog=catalog,
        region_code=REGION,
        acceptance_provider_id=provider.id,
    )
    result = commitments.record_verification(
        session,
        signed,
        fulfilment="全部未履行",
        unperformed="未在约定期限内补交消防验收材料",
        actor=make_officer(session, provider),
        today=today,
        catalog=catalog,
    )
    breach = result.breach_record
    assert breach is not None
    assert signed.status == "breached"
    assert signed.breach_record_id == breach.id
    assert breach.info_class == "commitment_breach"
    assert breach.natural_key == signed.code
    assert breach.data["unperformed_content"] == "未在约定期限内补交消防验收材料"
    assert "国办发〔2020〕42号" in breach.data["legal_basis"]
    assert breach.data["breach_consequence"] == "撤销审批决定，违诺信息记入信用记录并公示"
    assert set(breach.data) <= {f.id for f in catalog.info_class("commitment_breach").fields}
    with pytest.raises(commitments.AlreadyVerified):
        commitments.record_verification(
            session,
            signed,
            fulfilment="全部履行",
            actor=make_officer(session, provider),
            today=today,
            catalog=catalog,
        )


def test_kept_commitment_writes_no_record(session: Session, catalog: Catalog, today: date) -> None:
    subject = make_subject(session)
    signed = commitments.sign(
        session,
        subject,
        "bidding_integrity",
        actor=make_enterprise(session, subject),
        today=today,
        catalog=catalog,
        region_code=REGION,
    )
    result = commitments.record_verification(
        session,
        signed,
        fulfilment="全部履行",
        actor=make_officer(session, make_provider(session)),
        today=today,
        catalog=catalog,
    )
    assert result.kept
    assert result.breach_record is None
    assert archive.current_records(session, subject.id) == []


def test_false_repair_commitment_revokes_the_repair_and_discloses_for_the_maximum_period(
    session: Session, catalog: Catalog, calendar: Calendar, tmp_path: Path, today: date
) -> None:
    provider, subject = make_provider(session), make_subject(session)
    record = make_penalty(session, subject, provider, decision_date=date(2026, 6, 1))
    officer = make_officer(session, provider)
    app = commitments.apply_for_repair(
        session,
        record,
        repair.Application("已整改", True, (repair.Upload("performance_proof", "p.pdf", PDF),)),
        actor=make_enterprise(session, subject),
        today=today,
        catalog=catalog,
        calendar=calendar,
        data_dir=tmp_path,
        region_code=REGION,
    )
    repair.accept(session, app, actor=officer, today=today, catalog=catalog, calendar=calendar)
    repair.decide(
        session, app, approve=True, reason="", actor=officer, today=today, catalog=catalog
    )
    signed = commitments.get(session, app.commitment_id)
    assert signed.kind == "信用修复型"
    assert signed.record_id == record.id
    result = commitments.record_verification(
        session,
        signed,
        fulfilment="全部未履行",
        unperformed="缴款凭证系伪造",
        false_statement=True,
        actor=officer,
        today=today,
        catalog=catalog,
    )
    assert result.revoked_repair is app
    assert app.status == "revoked"
    versions = archive.history(session, record.info_class, record.natural_key)
    assert [v.status for v in versions] == ["active", "repaired", "active"]
    assert versions[-1].data["disclosure_until"] == "2027-06-01"  # general: 12 months
    assert result.breach_record is not None
    assert result.breach_record.data["remarks"] == "虚假承诺"
