"""Builders for the workflow tests: accounts (enterprise, officer) and penalty records.

Repairs, objections and commitments themselves are reached only through their real actions.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from tests.factories.archive import make_record
from tests.factories.subjects import SYSTEM
from xinyong import auth
from xinyong.audit import Actor
from xinyong.db.tables import Provider, Record, Subject
from xinyong.enums import Role

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 48
_serial = iter(range(1, 10**9))


def make_user(
    session: Session,
    role: Role,
    *,
    subject: Subject | None = None,
    provider: Provider | None = None,
    password: str = "password123",
) -> tuple[Actor, str]:
    """A user and its actor; returns (actor, username)."""
    username = f"{role.value}{next(_serial)}"
    user = auth.create_user(
        session,
        username,
        password,
        role,
        subject_id=subject.id if subject else None,
        provider_id=provider.id if provider else None,
        credit_office=role == Role.OFFICER and provider is None,  # the credit office's own officer
        actor=SYSTEM,
    )
    return auth.actor_for_user(user), username


def make_enterprise(session: Session, subject: Subject) -> Actor:
    return make_user(session, Role.ENTERPRISE, subject=subject)[0]


def make_officer(session: Session, provider: Provider) -> Actor:
    return make_user(session, Role.OFFICER, provider=provider)[0]


def make_penalty(
    session: Session,
    subject: Subject,
    provider: Provider,
    *,
    decision_date: date = date(2026, 6, 1),
    kinds: tuple[str, ...] = ("罚款",),
    amount: str | None = None,
    **data: Any,
) -> Record:
    """A penalty decided by `provider` (its USCC is the record's authority)."""
    n = next(_serial)
    fields: dict[str, Any] = {
        "subject_name": subject.name,
        "subject_category": "法人及非法人组织",
        "subject_uscc": subject.code,
        "decision_number": f"示市监罚〔2026〕{n}号",
        "penalty_kinds": list(kinds),
        "content": "罚款",
        "decision_date": decision_date.isoformat(),
        "authority_name": provider.name,
        "authority_uscc": provider.uscc,
        **data,
    }
    if amount is not None:
        fields["fine_amount"] = amount
    return make_record(
        session,
        subject,
        decision_date=decision_date,
        data=fields,
        authority_name=provider.name,
        authority_uscc=provider.uscc,
        provider_id=provider.id,
    )
