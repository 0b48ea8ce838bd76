"""17s stored severity: records.severity_class and severity_basis, backfilled; authority index

Each penalty's severity as `disclosure.severity_of` classifies it, with the table version and rule
that gave it (docs/decisions/0015-stored-severity.md), so that the 双公示 listing filters in SQL.
The backfill is `disclosure.reclassify` (batches of 5,000 by id) under the configured catalog.
`ix_records_class_authority` lets the listing's authority filter walk the distinct names.

Revision ID: 5e17c1a55b0d
Revises: 13c5a1e0b0c4
Create Date: 2026-11-29 15:30:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5e17c1a55b0d"
down_revision: str | None = "13c5a1e0b0c4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    from xinyong.catalog import load_catalog  # noqa: PLC0415
    from xinyong.config import get_settings  # noqa: PLC0415
    from xinyong.disclosure.reclassify import reclassify  # noqa: PLC0415

    op.add_column("records", sa.Column("severity_class", sa.String(16), nullable=True))
    op.add_column("records", sa.Column("severity_basis", sa.String(120), nullable=True))
    op.create_index("ix_records_class_authority", "records", ["info_class", "authority_name"])
    settings = get_settings()
    reclassify(op.get_bind, load_catalog(settings.catalog_dir, settings.catalog_override_dir))


def downgrade() -> None:
    op.drop_index("ix_records_class_authority", table_name="records")
    # plain ALTER on both (SQLite ≥ 3.35): a batch copy of records would trip its triggers
    op.execute("ALTER TABLE records DROP COLUMN severity_basis")
    op.execute("ALTER TABLE records DROP COLUMN severity_class")
