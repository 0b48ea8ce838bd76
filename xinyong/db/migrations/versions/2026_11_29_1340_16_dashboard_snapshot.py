"""indicator_snapshots.data: the whole dashboard of a month, materialised with its computation time

Revision ID: 16b2e3f4a5d6
Revises: 17a1ea4e0c0d
Create Date: 2026-11-29 13:40:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "16b2e3f4a5d6"
down_revision: str | None = "17a1ea4e0c0d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("indicator_snapshots") as batch:
        batch.add_column(sa.Column("data", Json, nullable=True))
        batch.add_column(sa.Column("seconds", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("indicator_snapshots") as batch:
        batch.drop_column("seconds")
        batch.drop_column("data")
