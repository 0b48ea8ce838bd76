"""repair list entries: early exit from platform lists through the repair workflow

A repair application targets a record version or a list entry decided on this platform (exactly
one, a check constraint); list entries remember the department that decided them, for routing.

Revision ID: b17559d2b9b6
Revises: 3450f5f6eba0
Create Date: 2026-11-22 18:27:12.515475+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b17559d2b9b6"
down_revision: str | None = "3450f5f6eba0"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
ONE_TARGET = (
    "(target_kind = 'record' AND record_id IS NOT NULL AND list_entry_id IS NULL)"
    " OR (target_kind = 'list_entry' AND list_entry_id IS NOT NULL AND record_id IS NULL)"
)


def upgrade() -> None:
    with op.batch_alter_table("list_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("provider_id", BIG_ID, nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_list_entries_provider_id_providers"),
            "providers",
            ["provider_id"],
            ["id"],
        )

    with op.batch_alter_table("repair_applications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("list_entry_id", BIG_ID, nullable=True))
        batch_op.alter_column("record_id", existing_type=BIG_ID, nullable=True)
        batch_op.create_index(
            "ix_repair_applications_list_entry_id", ["list_entry_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_repair_applications_list_entry_id_list_entries"),
            "list_entries",
            ["list_entry_id"],
            ["id"],
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_repair_applications_one_target"), sa.text(ONE_TARGET)
        )


def downgrade() -> None:
    with op.batch_alter_table("repair_applications", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_repair_applications_one_target"), type_="check")
        batch_op.drop_constraint(
            batch_op.f("fk_repair_applications_list_entry_id_list_entries"), type_="foreignkey"
        )
        batch_op.drop_index("ix_repair_applications_list_entry_id")
        batch_op.alter_column("record_id", existing_type=BIG_ID, nullable=False)
        batch_op.drop_column("list_entry_id")

    with op.batch_alter_table("list_entries", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_list_entries_provider_id_providers"), type_="foreignkey"
        )
        batch_op.drop_column("provider_id")
