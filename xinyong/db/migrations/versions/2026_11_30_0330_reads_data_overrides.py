"""reads: records.data_overrides — the column fields of a record are read from their columns

A whole-population read (`xinyong evaluate`) asks a record's source field in SQL with
`archive.source_field`. For a field the lean format moves to a column (`valid_until` of honours
and licences, the decision date of an undated record …) the stored `data` still holds it when its
text differs from the column's, or names it under `~` when the row did not have it, so the read
was exact only with a `LIKE` over `data`'s text on every row. `data_overrides` says whether
`data` names any such field (`lean_record.overrides`: one of `lean_record.override_marks` in the
stored text); only those rows — none of a collected record whose columns agree with its row —
are asked of `data`, every other one reads the column.

Filled here for the stored rows with the same rule in SQL (one pass over `records`, rewriting only
the rows that name such a field: adding the column with a constant default rewrites nothing on
PostgreSQL); every writer fills it afterwards (`archive.add_record`, `new_version`, the bulk
writers `write_versions_pg` / `write_versions_sqlite`, and any ORM insert by the column's default).

Revision ID: 17f4a2b3c4d5
Revises: 17f3c4d5e6a7
Create Date: 2026-11-30 03:30:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from xinyong.db import lean_record

revision: str = "17f4a2b3c4d5"
down_revision: str | None = "17f3c4d5e6a7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "records",
        sa.Column("data_overrides", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    records = sa.table(
        "records", sa.column("info_class", sa.String), sa.column("data", sa.Text),
        sa.column("data_overrides", sa.Boolean),
    )  # fmt: skip
    text = sa.cast(records.c.data, sa.Text)
    for info_class in sorted(lean_record.LAYOUTS):
        marks = lean_record.override_marks(info_class)
        named = sa.or_(*(text.contains(mark, autoescape=True) for mark in marks))
        op.execute(
            records.update()
            .where(records.c.info_class == info_class, named)
            .values(data_overrides=True)
        )


def downgrade() -> None:
    op.execute("ALTER TABLE records DROP COLUMN data_overrides")
