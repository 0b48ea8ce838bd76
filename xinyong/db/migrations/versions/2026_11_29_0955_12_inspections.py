"""inspections: inspectors, plans (seed + recorded inputs), drawn inspections and results

Revision ID: 12b1f2d3e4c5
Revises: 12a0e7a1c0de
Create Date: 2026-11-29 09:55:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "12b1f2d3e4c5"
down_revision: str | None = "12a0e7a1c0de"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
NOW = sa.text("(CURRENT_TIMESTAMP)")


def upgrade() -> None:
    op.create_table(
        "inspectors",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("badge", sa.String(length=64), nullable=False),
        sa.Column("provider_id", BIG_ID, nullable=False),
        sa.Column("related_subject_ids", JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.ForeignKeyConstraint(
            ["provider_id"], ["providers.id"], name=op.f("fk_inspectors_provider_id_providers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspectors")),
        sa.UniqueConstraint("badge", name=op.f("uq_inspectors_badge")),
    )
    op.create_table(
        "inspection_plans",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("provider_id", BIG_ID, nullable=False),
        sa.Column("sector", sa.String(length=64), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("seed", sa.String(length=64), nullable=False),
        sa.Column("previous_plan_id", BIG_ID, nullable=True),
        sa.Column("drawn_on", sa.Date(), nullable=False),
        sa.Column("inputs", JSON, nullable=False),
        sa.Column("catalog_version", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["providers.id"],
            name=op.f("fk_inspection_plans_provider_id_providers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_plans")),
        sa.UniqueConstraint("code", name=op.f("uq_inspection_plans_code")),
    )
    op.create_table(
        "inspections",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("plan_id", BIG_ID, nullable=False),
        sa.Column("subject_id", BIG_ID, nullable=False),
        sa.Column("supervision_class", sa.String(length=4), nullable=False),
        sa.Column("inspector_ids", JSON, nullable=False),
        sa.Column("result", sa.String(length=32), nullable=True),
        sa.Column("result_detail", sa.Text(), nullable=True),
        sa.Column("result_on", sa.Date(), nullable=True),
        sa.Column("publish_by", sa.Date(), nullable=True),
        sa.Column("published_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["inspection_plans.id"],
            name=op.f("fk_inspections_plan_id_inspection_plans"),
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name=op.f("fk_inspections_subject_id_subjects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspections")),
    )
    op.create_index("ix_inspections_plan", "inspections", ["plan_id"])


def downgrade() -> None:
    op.drop_index("ix_inspections_plan", table_name="inspections")
    op.drop_table("inspections")
    op.drop_table("inspection_plans")
    op.drop_table("inspectors")
