"""hh need settled_on: when a 信易贷 financing need left 对接中 (withdrawn, served or declined)

A need records the day it was raised (`published_on`) and now the day it was settled
(`settled_on`, set by `market.withdraw_need` and by a loan outcome through `answer_need`). The
backfill dates a settled need from what already says when: a served or declined need by the
latest decision day of the loan outcomes on it; a withdrawn need by the day (Beijing) of its
audit row `financing.need.withdrawn`; failing both, by the day it was raised. Open needs stay
NULL.

Revision ID: 19005e771ed0
Revises: 1830c4ec5b1d
Create Date: 2026-11-29 19:00:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision: str = "19005e771ed0"
down_revision: str | None = "1830c4ec5b1d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BEIJING = timedelta(hours=8)
NEEDS = sa.table("financing_needs", sa.column("id", sa.BigInteger()),
                 sa.column("status", sa.String()), sa.column("published_on", sa.Date()),
                 sa.column("settled_on", sa.Date()))  # fmt: skip
OUTCOMES = sa.table("loan_outcomes", sa.column("need_id", sa.BigInteger()),
                    sa.column("decided_on", sa.Date()))  # fmt: skip
AUDIT = sa.table("audit_log", sa.column("action", sa.String()), sa.column("target_type", sa.String()),
                 sa.column("target_id", sa.String()), sa.column("at", sa.DateTime(timezone=True)))  # fmt: skip


def _day(at: datetime) -> date:
    return ((at if at.tzinfo else at.replace(tzinfo=UTC)) + BEIJING).date()


def upgrade() -> None:
    op.add_column("financing_needs", sa.Column("settled_on", sa.Date(), nullable=True))
    bind = op.get_bind()
    decided = dict(bind.execute(
        sa.select(OUTCOMES.c.need_id, sa.func.max(OUTCOMES.c.decided_on))
        .where(OUTCOMES.c.need_id.is_not(None)).group_by(OUTCOMES.c.need_id)
    ).all())  # fmt: skip
    withdrawn: dict[int, date] = {}
    for target_id, at in bind.execute(
        sa.select(AUDIT.c.target_id, AUDIT.c.at).where(
            AUDIT.c.target_type == "financing_need", AUDIT.c.action == "financing.need.withdrawn"
        )
    ):
        withdrawn[int(target_id)] = _day(at)
    settled = bind.execute(
        sa.select(NEEDS.c.id, NEEDS.c.status, NEEDS.c.published_on).where(NEEDS.c.status != "open")
    ).all()
    rows = [
        {"need_id": need_id,
         "day": (withdrawn if status == "withdrawn" else decided).get(need_id, raised)}
        for need_id, status, raised in settled
    ]  # fmt: skip
    if rows:
        bind.execute(
            sa.update(NEEDS).where(NEEDS.c.id == sa.bindparam("need_id"))
            .values(settled_on=sa.bindparam("day")), rows,
        )  # fmt: skip


def downgrade() -> None:
    # plain ALTER on both (SQLite ≥ 3.35): a batch copy of the table trips its foreign keys
    op.drop_column("financing_needs", "settled_on")
