"""pages: the work queue's open items by department and deadline (partial indexes)

The work queue reads one page in the query (`workqueue.queue_page`): the open items of each kind
(UNION ALL), of one department, by (deadline, kind, number), after the last row's position. Each
kind's table keeps its closed cases for good, so without an index on the open ones a page view
read every case ever filed. Each index holds only the open rows (a partial index, on both
databases), by the department column the scope compares and the deadline the queue sorts on:

- `ix_objections_open` (provider_id, answer_due, id) WHERE status = 'open';
- `ix_interviews_follow_up_open` (provider_id, follow_up_on, id) WHERE followed_up_on IS NULL;
- `ix_commitments_signed` (acceptance_provider_id, valid_until, id) WHERE status = 'signed';
- `ix_voluntary_registrations_submitted` (provider_id, id) WHERE status = 'submitted';
- `ix_repair_applications_open` (provider_id, status, accept_due, decide_due, id) WHERE status
  IN ('submitted', 'accepted') — `ix_repair_applications_status_due` (status, accept_due) stays
  for the deadline jobs.

Revision ID: 18e7a9b1c2d3
Revises: 18b0a1c2d3e4
Create Date: 2026-11-30 06:30:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "18e7a9b1c2d3"
down_revision: str | None = "18b0a1c2d3e4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = [
    ("ix_objections_open", "objections", ["provider_id", "answer_due", "id"], "status = 'open'"),
    ("ix_interviews_follow_up_open", "interviews", ["provider_id", "follow_up_on", "id"],
     "followed_up_on IS NULL"),
    ("ix_commitments_signed", "commitments", ["acceptance_provider_id", "valid_until", "id"],
     "status = 'signed'"),
    ("ix_voluntary_registrations_submitted", "voluntary_registrations", ["provider_id", "id"],
     "status = 'submitted'"),
    ("ix_repair_applications_open", "repair_applications",
     ["provider_id", "status", "accept_due", "decide_due", "id"],
     "status IN ('submitted', 'accepted')"),
]  # fmt: skip


def upgrade() -> None:
    for name, table, columns, where in INDEXES:
        op.create_index(name, table, columns, postgresql_where=sa.text(where),
                        sqlite_where=sa.text(where))  # fmt: skip


def downgrade() -> None:
    for name, table, _columns, _where in reversed(INDEXES):
        op.drop_index(name, table_name=table)
