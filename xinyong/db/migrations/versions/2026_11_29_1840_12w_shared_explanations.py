"""12w evaluation results reference their explanation; the unused version index goes

A whole run stored a ≈ 560-byte jsonb explanation on every result row, though every subject with
the same tallies has the same one: explanations move to `evaluation_explanations` (a run stores
each distinct one once), results keep `explanation_id`. Existing rows keep their explanation
(one explanation row each, with the result's id). The body is `json` on PostgreSQL (text, its
syntax checked), not jsonb: read whole, never queried inside. `ix_evaluation_results_version` is dropped: no
query asks by model version and as-of date alone (they ask by subject, or by run).

Revision ID: 12e8b0a4c1f2
Revises: 19005e771ed0
Create Date: 2026-11-29 18:40:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "12e8b0a4c1f2"
down_revision: str | None = "19005e771ed0"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _restart_sequence() -> None:
    """PostgreSQL: new explanations get ids after the copied ones."""
    if _postgresql():
        op.execute(
            "SELECT setval(pg_get_serial_sequence('evaluation_explanations', 'id'), "
            "COALESCE((SELECT max(id) FROM evaluation_explanations), 0) + 1, false)"
        )


def upgrade() -> None:
    op.create_table(
        "evaluation_explanations",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),  # json on PostgreSQL: text, syntax checked
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation_explanations")),
    )
    copy = "INSERT INTO evaluation_explanations (id, body) SELECT id, explanation"
    op.execute(copy + ("::json" if _postgresql() else "") + " FROM evaluation_results")
    _restart_sequence()
    op.drop_index("ix_evaluation_results_version", table_name="evaluation_results")
    op.add_column("evaluation_results", sa.Column("explanation_id", BIG_ID, nullable=True))
    op.execute("UPDATE evaluation_results SET explanation_id = id")
    with op.batch_alter_table("evaluation_results") as batch:
        batch.alter_column("explanation_id", existing_type=BIG_ID, nullable=False)
        batch.drop_column("explanation")


def downgrade() -> None:
    op.add_column("evaluation_results", sa.Column("explanation", JSON, nullable=True))
    back = "UPDATE evaluation_results SET explanation = (SELECT e.body"
    op.execute(
        back + ("::jsonb" if _postgresql() else "") + " FROM evaluation_explanations e "
        "WHERE e.id = evaluation_results.explanation_id)"
    )
    with op.batch_alter_table("evaluation_results") as batch:
        batch.alter_column("explanation", existing_type=JSON, nullable=False)
        batch.drop_column("explanation_id")
    op.create_index(
        "ix_evaluation_results_version", "evaluation_results", ["model_version", "as_of"]
    )
    op.drop_table("evaluation_explanations")
