"""Migration 19005e771ed0 on a database holding the demo region: `financing_needs.settled_on` is
backfilled — a served need by its loan outcome's decision day, a withdrawn one by the Beijing day
of its audit row, open needs stay NULL — and the pages show when a need was raised and settled."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command

from tests.databases import drop_database, migrated_database
from xinyong import auth, catalog, demo, subjects
from xinyong.audit import Actor
from xinyong.config import REPO_ROOT
from xinyong.db import migrate
from xinyong.db.session import make_engine, make_sessionmaker, transaction
from xinyong.db.tables import FinancingNeed, LoanOutcome, User
from xinyong.enums import NeedStatus, Role
from xinyong.financing import market

BEFORE = "1830c4ec5b1d"
TODAY = date(2026, 11, 23)
CATALOG_DIR = REPO_ROOT / "catalogs"

NAME = "xinyong_test_need_dates"  # PostgreSQL: a database of its own


@pytest.fixture
def demo_url(database_url: str, db_kind: str, tmp_path: Path) -> Iterator[str]:
    """A database of the kind this run uses, at head, with the demo region loaded."""
    url = migrated_database(database_url, NAME, tmp_path)
    engine = make_engine(url)
    with transaction(make_sessionmaker(engine)) as session:
        catalog.record_version(session, catalog.load_catalog(CATALOG_DIR), actor=Actor.system())
        demo.load(session, count=60, actor=Actor.system("测试"), today=TODAY)
        owner = session.execute(sa.select(User).where(User.role == Role.ENTERPRISE)).scalars()
        user = next(u for u in owner if u.subject_id is not None)
        assert user.subject_id is not None
        company = subjects.get(session, user.subject_id)
        actor = auth.actor_for_user(user)
        for purpose in ("设备更新", "临时周转"):
            market.publish_need(session, company, amount_wan="30", term_months=6, purpose=purpose,
                                size="small", actor=actor, today=TODAY)  # fmt: skip
        newest = market.needs_of(session, company.id)[0]
        market.withdraw_need(session, newest, actor=actor, today=TODAY)
    engine.dispose()
    yield url
    if db_kind == "postgresql":
        drop_database(database_url, NAME)


def test_settled_on_is_backfilled_from_outcomes_and_the_audit_chain(demo_url: str) -> None:
    command.downgrade(migrate.alembic_config(demo_url), BEFORE)  # as before the column
    migrate.upgrade(demo_url)
    engine = make_engine(demo_url)
    with transaction(make_sessionmaker(engine)) as session:
        needs = session.execute(sa.select(FinancingNeed)).scalars().all()
        by_status = {NeedStatus(n.status): n for n in needs}
        assert set(by_status) == {NeedStatus.OPEN, NeedStatus.SERVED, NeedStatus.WITHDRAWN}
        served = by_status[NeedStatus.SERVED]
        decided = session.execute(
            sa.select(LoanOutcome.decided_on).where(LoanOutcome.need_id == served.id)
        ).scalar_one()
        assert served.settled_on == decided
        assert by_status[NeedStatus.WITHDRAWN].settled_on is not None  # the audit row's day
        assert by_status[NeedStatus.OPEN].settled_on is None
    engine.dispose()
