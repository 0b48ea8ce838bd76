"""api_clients: scopes, rate limit, last use, rotation and revocation (issue 11)

Keys stay stored as their SHA-256 only. `rate_limit` is in the `limits` notation ("120/minute").

Revision ID: 11a0c11e4b01
Revises: 16a1d2c3b4e5
Create Date: 2026-11-29 10:10:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "11a0c11e4b01"
down_revision: str | None = "16a1d2c3b4e5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("api_clients") as batch:
        batch.add_column(sa.Column("scopes", JSON, nullable=False, server_default="[]"))
        batch.add_column(
            sa.Column(
                "rate_limit", sa.String(length=32), nullable=False, server_default="120/minute"
            )
        )
        batch.add_column(sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("rotated_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("api_clients") as batch:
        for column in ("revoked_at", "rotated_at", "last_used_at", "rate_limit", "scopes"):
            batch.drop_column(column)
