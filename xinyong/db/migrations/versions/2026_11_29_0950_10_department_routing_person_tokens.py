"""department routing of voluntary registrations; unguessable public addresses of persons

`voluntary_registrations.provider_id`: the department that verifies the registration (from the
catalog's `workflows/registrations.yaml`). `subjects.public_token`: a random token that addresses a
subject registered under an ID number on public surfaces (`/subjects/p<token>`), replacing the
sequential `p<id>`; existing rows get one from the database's own random source.

Revision ID: 10b0c0de0950
Revises: 6c0a4e21d9b3
Create Date: 2026-11-29 09:50:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "10b0c0de0950"
down_revision: str | None = "6c0a4e21d9b3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
RANDOM_TOKEN = {
    "postgresql": "replace(gen_random_uuid()::text, '-', '')",
    "sqlite": "lower(hex(randomblob(16)))",
}


def upgrade() -> None:
    with op.batch_alter_table("voluntary_registrations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("provider_id", BIG_ID, nullable=True))
        batch_op.create_index(
            "ix_voluntary_registrations_provider_id", ["provider_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_voluntary_registrations_provider_id_providers"),
            "providers",
            ["provider_id"],
            ["id"],
        )
    with op.batch_alter_table("subjects", schema=None) as batch_op:
        batch_op.add_column(sa.Column("public_token", sa.String(length=32), nullable=True))
        batch_op.create_index("ix_subjects_public_token", ["public_token"], unique=True)
    random_token = RANDOM_TOKEN[op.get_bind().dialect.name]
    op.execute(
        f"UPDATE subjects SET public_token = {random_token} WHERE code_kind = 'id_number'"  # noqa: S608
    )


def downgrade() -> None:
    with op.batch_alter_table("subjects", schema=None) as batch_op:
        batch_op.drop_index("ix_subjects_public_token")
        batch_op.drop_column("public_token")
    with op.batch_alter_table("voluntary_registrations", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_voluntary_registrations_provider_id_providers"), type_="foreignkey"
        )
        batch_op.drop_index("ix_voluntary_registrations_provider_id")
        batch_op.drop_column("provider_id")
