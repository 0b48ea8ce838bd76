"""outbox (replaces sync_log), related parties from registration data (API key scopes: 11's)

`outbox` generalises `sync_log`: every change leaving the region, one row per change (one per
committed collection chunk), its id the change-feed cursor; the repair outcomes queued in
`sync_log` move over unchanged (event, subject, target, payload, day; exported → sent).
`related_parties`: legal representatives and investors of a subject, from registration data.

Revision ID: 7e14a0b2c3d4
Revises: 12b1f2d3e4c5
Create Date: 2026-11-29 09:40:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "7e14a0b2c3d4"
down_revision: str | None = "12b1f2d3e4c5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
NOW = sa.text("(CURRENT_TIMESTAMP)")


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("event", sa.String(length=40), nullable=False),
        sa.Column("subject_id", BIG_ID, nullable=True),
        sa.Column("target_type", sa.String(length=40), nullable=False),
        sa.Column("target_id", BIG_ID, nullable=True),
        sa.Column("provider_id", BIG_ID, nullable=True),
        sa.Column("payload", JSON, nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_sent_at"), ["sent_at"], unique=False)
    op.execute(
        "INSERT INTO outbox (event, subject_id, target_type, target_id, payload, occurred_on,"
        " sent_at, attempts, created_at)"
        " SELECT event, subject_id, target_type, target_id, payload, occurred_on, exported_at,"
        " CASE WHEN exported_at IS NULL THEN 0 ELSE 1 END, created_at FROM sync_log ORDER BY id"
    )
    with op.batch_alter_table("sync_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sync_log_exported_at"))
    op.drop_table("sync_log")

    op.create_table(
        "related_parties",
        sa.Column("subject_id", BIG_ID, nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("party_kind", sa.String(length=16), nullable=False),
        sa.Column("party_name", sa.String(length=200), nullable=False),
        sa.Column("party_code", sa.String(length=18), nullable=True),
        sa.Column("share", sa.String(length=20), nullable=True),
        sa.Column("batch_id", BIG_ID, nullable=True),
        sa.Column("source_row", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_related_parties")),
    )
    with op.batch_alter_table("related_parties", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_related_parties_subject_id"), ["subject_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_related_parties_party_code"), ["party_code"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("related_parties", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_related_parties_party_code"))
        batch_op.drop_index(batch_op.f("ix_related_parties_subject_id"))
    op.drop_table("related_parties")
    op.create_table(
        "sync_log",
        sa.Column("event", sa.String(length=40), nullable=False),
        sa.Column("subject_id", BIG_ID, nullable=False),
        sa.Column("target_type", sa.String(length=40), nullable=False),
        sa.Column("target_id", BIG_ID, nullable=False),
        sa.Column("payload", JSON, nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("exported_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name=op.f("fk_sync_log_subject_id_subjects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_log")),
    )
    with op.batch_alter_table("sync_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sync_log_exported_at"), ["exported_at"], unique=False)
    op.execute(
        "INSERT INTO sync_log (event, subject_id, target_type, target_id, payload, occurred_on,"
        " exported_at, created_at) SELECT event, subject_id, target_type, target_id, payload,"
        " occurred_on, sent_at, created_at FROM outbox WHERE target_type = 'repair_application'"
        " ORDER BY id"
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_sent_at"))
    op.drop_table("outbox")
