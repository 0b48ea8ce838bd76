"""13 slim joint-check log: what reproduces an answer instead of its whole text

Revision ID: 13c5a1e0b0c4
Revises: 4b17c2e9a0d1
Create Date: 2026-11-29 12:45:00+00:00

New rows keep the catalog version, the day checked, the hits' entry/record ids, the grade result,
the measures returned and the SHA-256 of the canonical answer (`measures.replay` rebuilds it).
Rows logged before keep their whole `answer` (now nullable) and stay readable: it is the only
record of what was answered then (the grade result behind it was not kept), so it is not thrown
away; `measures.replay` derives their inputs from it, and the retention job purges them in time.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "13c5a1e0b0c4"
down_revision: str | None = "4b17c2e9a0d1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("checks") as batch:
        batch.add_column(sa.Column("catalog_version", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("checked_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("code", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("basis", JSON, nullable=True))
        batch.add_column(sa.Column("digest", sa.String(length=64), nullable=True))
        batch.alter_column("answer", existing_type=JSON, nullable=True)


def downgrade() -> None:
    with op.batch_alter_table("checks") as batch:
        batch.drop_column("digest")
        batch.drop_column("basis")
        batch.drop_column("code")
        batch.drop_column("checked_on")
        batch.drop_column("catalog_version")
