"""Fixtures for 信易贷: a bank with a user, an SME with its account and a grade."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy.orm import Session

from tests.factories import make_subject
from tests.factories.subjects import SYSTEM
from tests.factories.workflows import make_user
from xinyong import demo, evaluation
from xinyong.audit import Actor
from xinyong.catalog import Catalog
from xinyong.db.tables import Institution, Subject, User
from xinyong.enums import Role
from xinyong.financing import catalog as fin_catalog
from xinyong.financing import institutions, outcomes
from xinyong.financing.catalog import FinancingCatalog

_n = iter(range(1, 10**6))


@dataclass
class Bank:
    institution: Institution
    actor: Actor
    username: str


@dataclass
class Sme:
    subject: Subject
    actor: Actor
    username: str


def make_bank(session: Session, name: str = "示范农商银行", *, joined: bool = True) -> Bank:
    import random  # noqa: PLC0415

    code = demo.make_uscc(random.Random(next(_n) + 1000), "9", "1")
    inst = institutions.register(
        session, f"{name}{next(_n)}", code, "bank", joined_whitelist=joined, actor=SYSTEM
    )
    actor, username = make_user(session, Role.BANK)
    assert actor.id is not None
    user = session.get(User, actor.id)
    assert user is not None
    institutions.add_user(session, inst, user, actor=SYSTEM)
    return Bank(inst, actor, username)


def make_sme(session: Session, catalog: Catalog, today: date, name: str | None = None) -> Sme:
    subject = make_subject(session, name=name)
    evaluation.evaluate_subject(session, subject, catalog=catalog, today=today)
    actor, username = make_user(session, Role.ENTERPRISE, subject=subject)
    return Sme(subject, actor, username)


@pytest.fixture
def fin() -> FinancingCatalog:
    return fin_catalog.load()


@pytest.fixture
def alerting(catalog: Catalog, today: date) -> Iterator[None]:
    outcomes.install(lambda: (catalog, today))
    yield
    outcomes.uninstall()
