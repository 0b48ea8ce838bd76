"""bg job_runs: long officer procedures queued and run outside the request (xinyong/runs)

Revision ID: 18b0a1c2d3e4
Revises: 17f4a2b3c4d5
Create Date: 2026-11-30 03:30:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "18b0a1c2d3e4"
down_revision: str | None = "17f4a2b3c4d5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
At = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "job_runs",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("job", sa.String(32), nullable=False),
        sa.Column("params", Json, nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("started_by", sa.String(200), nullable=False),
        sa.Column("actor", Json, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("runner", sa.String(100), nullable=True),
        sa.Column("queued_at", At, nullable=False),
        sa.Column("started_at", At, nullable=True),
        sa.Column("heartbeat_at", At, nullable=True),
        sa.Column("finished_at", At, nullable=True),
        sa.Column("done", sa.Integer(), nullable=True),
        sa.Column("total", sa.Integer(), nullable=True),
        sa.Column("phase", sa.String(200), nullable=True),
        sa.Column("result", Json, nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_runs")),
    )
    op.create_index("ix_job_runs_status_id", "job_runs", ["status", "id"])
    op.create_index("ix_job_runs_job_id", "job_runs", ["job", "id"])


def downgrade() -> None:
    op.drop_index("ix_job_runs_job_id", table_name="job_runs")
    op.drop_index("ix_job_runs_status_id", table_name="job_runs")
    op.drop_table("job_runs")
