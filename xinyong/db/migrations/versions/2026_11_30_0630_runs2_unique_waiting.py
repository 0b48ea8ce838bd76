"""runs2 job_runs: the parameters' digest with a partial unique index on the queued runs (two
clicks at one instant queue one run), and when an import's stored upload was deleted

Revision ID: 19r2a0b1c2d3
Revises: 18e7a9b1c2d3
Create Date: 2026-11-30 06:30:00+00:00
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "19r2a0b1c2d3"
down_revision: str | None = "18e7a9b1c2d3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

QUEUED = sa.text("status = 'queued'")


def upgrade() -> None:
    with op.batch_alter_table("job_runs") as batch:
        batch.add_column(sa.Column("params_digest", sa.String(64), nullable=True))
        batch.add_column(sa.Column("upload_deleted_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("upload_kept_days", sa.Integer(), nullable=True))
    # The digest of the runs already there: SHA-256 of the parameters' canonical JSON (keys
    # sorted, UTF-8 unescaped), as `runs.store.params_digest` computes it for these plain values.
    bind = op.get_bind()
    runs = sa.table("job_runs", sa.column("id", sa.Integer), sa.column("params", sa.JSON),
                    sa.column("status", sa.String), sa.column("params_digest", sa.String))  # fmt: skip
    seen: set[tuple[str, str]] = set()
    rows = bind.execute(sa.text("SELECT id, job, params, status FROM job_runs ORDER BY id DESC"))
    for run_id, job, stored, status in rows.all():
        params = json.loads(stored) if isinstance(stored, str) else stored
        text = json.dumps(params or {}, sort_keys=True, ensure_ascii=False)
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        if status == "queued" and (job, digest) in seen:  # an older twin of a waiting run
            bind.execute(sa.text("UPDATE job_runs SET status = 'failed', message = :m "
                                 "WHERE id = :i"),
                         {"m": "与同一任务、同样参数的另一次排队重复，未运行", "i": run_id})  # fmt: skip
        elif status == "queued":
            seen.add((job, digest))
        bind.execute(runs.update().where(runs.c.id == run_id).values(params_digest=digest))
    op.create_index("uq_job_runs_queued_job_params", "job_runs", ["job", "params_digest"],
                    unique=True, sqlite_where=QUEUED, postgresql_where=QUEUED)  # fmt: skip


def downgrade() -> None:
    op.drop_index("uq_job_runs_queued_job_params", table_name="job_runs")
    with op.batch_alter_table("job_runs") as batch:
        batch.drop_column("upload_kept_days")
        batch.drop_column("upload_deleted_on")
        batch.drop_column("params_digest")
