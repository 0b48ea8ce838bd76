"""17g evaluation_pending: subjects whose stored grade may not match their archive

The subject page shows the stored grade instead of computing it from every record (issue 17);
it may do so only while the grade still matches the archive (docs/decisions/0010, addendum).
A row marks a subject whose archive changed without its grade being recomputed: a failed
re-evaluation, or a batch too large to re-grade at once. Empty on upgrade: before this, a
stale grade was never shown (the page computed it live).

Revision ID: 17e9a1d2c3b4
Revises: 17e2b9d4a6c8
Create Date: 2026-11-29 21:30:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "17e9a1d2c3b4"
down_revision: str | None = "17e2b9d4a6c8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "evaluation_pending",
        sa.Column(
            "subject_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=False,
        ),
        sa.Column(
            "since", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("reason", sa.String(32), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("evaluation_pending")
