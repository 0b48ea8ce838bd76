"""Voluntary registration: a truth commitment, verification, and only verified items public."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from tests.factories import SYSTEM, make_subject
from tests.factories.workflows import make_enterprise
from xinyong import registrations
from xinyong.catalog import Catalog
from xinyong.errors import InvalidInput
from xinyong.registrations import NewRegistration


def test_only_verified_registrations_appear_publicly(
    session: Session, catalog: Catalog, today: date
) -> None:
    subject = make_subject(session)
    enterprise = make_enterprise(session, subject)
    new = NewRegistration(
        "certificate",
        "ISO 9001 质量管理体系认证",
        "证书编号 00123Q",
        evidence="中国质量认证中心",
        occurred_on=date(2026, 3, 1),
        truth_affirmed=True,
    )
    first = registrations.submit(
        session, subject, new, actor=enterprise, today=today, catalog=catalog
    )
    second = registrations.submit(
        session, subject, new, actor=enterprise, today=today, catalog=catalog
    )
    assert "真实" in first.truth_commitment
    assert registrations.public_items(session, subject.id) == []
    registrations.verify(session, first, verified=True, note="", actor=SYSTEM, today=today)
    registrations.verify(
        session, second, verified=False, note="证书查询不到", actor=SYSTEM, today=today
    )
    assert registrations.public_items(session, subject.id) == [first]
    with pytest.raises(registrations.AlreadyVerified):
        registrations.verify(session, second, verified=True, note="", actor=SYSTEM, today=today)


def test_registration_without_truth_commitment_is_refused(
    session: Session, catalog: Catalog, today: date
) -> None:
    subject = make_subject(session)
    with pytest.raises(InvalidInput, match="真实性承诺"):
        registrations.submit(
            session,
            subject,
            NewRegistration("public_welfare", "捐赠", "捐款"),
            actor=make_enterprise(session, subject),
            today=today,
            catalog=catalog,
        )
