"""indicators and editorial content: hand-entered indicator values, closed-month snapshots,
portal content items

Revision ID: 16a1d2c3b4e5
Revises: 10b0c0de0950
Create Date: 2026-11-29 09:50:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "16a1d2c3b4e5"
down_revision: str | None = "10b0c0de0950"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
NOW = sa.text("(CURRENT_TIMESTAMP)")


def upgrade() -> None:
    op.create_table(
        "indicator_values",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("source_date", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("entered_by", sa.String(length=200), nullable=False),
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator_values")),
    )
    op.create_index("ix_indicator_values_key_month", "indicator_values", ["key", "month"])
    op.create_table(
        "indicator_snapshots",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator_snapshots")),
        sa.UniqueConstraint("key", "month", name=op.f("uq_indicator_snapshots_key_month")),
    )
    op.create_table(
        "content_items",
        sa.Column("section", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.String(length=500), nullable=True),
        sa.Column("body_md", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("reviewed_by", sa.String(length=200), nullable=True),
        sa.Column("published_on", sa.Date(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_items")),
    )
    op.create_index("ix_content_items_section_status", "content_items", ["section", "status"])
    op.create_table(
        "content_attachments",
        sa.Column("item_id", BigId, nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=60), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("stored_as", sa.String(length=200), nullable=False),
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["content_items.id"],
            name=op.f("fk_content_attachments_item_id_content_items"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_attachments")),
    )
    op.create_index(op.f("ix_content_attachments_item_id"), "content_attachments", ["item_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_content_attachments_item_id"), table_name="content_attachments")
    op.drop_table("content_attachments")
    op.drop_index("ix_content_items_section_status", table_name="content_items")
    op.drop_table("content_items")
    op.drop_table("indicator_snapshots")
    op.drop_index("ix_indicator_values_key_month", table_name="indicator_values")
    op.drop_table("indicator_values")
