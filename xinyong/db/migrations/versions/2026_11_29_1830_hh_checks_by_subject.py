"""hh checks by subject: ix_checks_subject_at, so "谁查询了我的信用信息" reads a subject's checks

The subject's page lists the joint checks of it beside the query log (issue 13 item 4: a check
is a query of the subject). The check log is the largest table; the read walks this index
(subject, newest first) instead of the whole log. Insert cost measured in bench/check_log_index.py.

Revision ID: 1830c4ec5b1d
Revises: 7c2d5e13a0b9
Create Date: 2026-11-29 18:30:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "1830c4ec5b1d"
down_revision: str | None = "7c2d5e13a0b9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_checks_subject_at", "checks", ["subject_id", "at"])


def downgrade() -> None:
    op.drop_index("ix_checks_subject_at", table_name="checks")
