"""17x the subject and date indexes carry the pages' order: (subject_id, is_current, decision_date, id) and (decision_date, id)

Both pages read newest decision first by the keyset (decision_date DESC, id DESC) and stop after
a page's rows (issue 17, docs/decisions/0012 addendum 4). The indexes they used did not hold
that order whole:

- `ix_records_subject_current (subject_id, is_current)`: a section of the subject page fetched
  every current record of the subject in its classes and sorted them for the newest 21 (103 of
  160 buffers at 100 records a subject). `ix_records_subject_date (subject_id, is_current,
  decision_date, id)` replaces it: read backwards it gives a section's rows in order (one
  partition per class: a Merge Append when a section spans classes); the queries the old index
  served (a subject's current records, the joint check, /me, one subject's evaluation, the
  class probes) use its leading columns as before.
- `ix_records_decision_date (decision_date)`: the 双公示 listing read it backwards, then sorted
  each decision day's rows by id (an incremental sort), so a page read every row of its newest
  day — as many as a day holds, which grows with the archive (the listing's buffers 1,139 →
  2,211 at 1M → 10M records). `ix_records_decision_date_id (decision_date, id)` replaces it: the
  page reads its own rows.

Revision ID: 17f3c4d5e6a7
Revises: 17e9a1d2c3b4
Create Date: 2026-11-30 00:30:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "17f3c4d5e6a7"
down_revision: str | None = "17e9a1d2c3b4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # on PostgreSQL each is created on the partitioned parent and so on every class partition
    op.create_index(
        "ix_records_subject_date", "records", ["subject_id", "is_current", "decision_date", "id"]
    )
    op.drop_index("ix_records_subject_current", table_name="records")
    op.create_index("ix_records_decision_date_id", "records", ["decision_date", "id"])
    op.drop_index("ix_records_decision_date", table_name="records")


def downgrade() -> None:
    op.create_index("ix_records_decision_date", "records", ["decision_date"])
    op.drop_index("ix_records_decision_date_id", table_name="records")
    op.create_index("ix_records_subject_current", "records", ["subject_id", "is_current"])
    op.drop_index("ix_records_subject_date", table_name="records")
