"""17w: the content hash as 32 bytes, and the listing's authority filter by an integer id
(docs/decisions/0012 addendum 3, docs/decisions/0013 addendum 2)

- PostgreSQL: `records.content_hash` becomes `bytea` (the digest's 32 bytes instead of its 64
  hex characters; the ORM still gives and takes the hex text, `tables.archive.HexDigest`).
  SQLite keeps the hex text.
- `record_authorities (id, info_class, name)`: every deciding authority the records of a class
  name, filled here from the stored records; `records.authority_id` holds the id, filled here.
- `ix_records_authority (authority_name)` becomes `ix_records_authority_id (authority_id)`: the
  listing's filter by authority compares integers; the department choices come from
  `record_authorities` instead of a walk of the name index.

Rewrites every record (the type change, then the id): on a production archive run it in a
maintenance window and VACUUM `records` afterwards.

Revision ID: 17e2b9d4a6c8
Revises: 17d5a0c3b2e1
Create Date: 2026-11-29 21:30:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "17e2b9d4a6c8"
down_revision: str | None = "17d5a0c3b2e1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FILL_NAMES = """INSERT INTO record_authorities (info_class, name)
SELECT DISTINCT info_class, authority_name FROM records WHERE authority_name IS NOT NULL
ORDER BY 1, 2"""
FILL_IDS = """UPDATE records SET authority_id = (
  SELECT a.id FROM record_authorities a
  WHERE a.info_class = records.info_class AND a.name = records.authority_name)
WHERE authority_name IS NOT NULL"""
FILL_IDS_PG = """UPDATE records r SET authority_id = a.id FROM record_authorities a
WHERE a.info_class = r.info_class AND a.name = r.authority_name"""


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    name = sa.String(200).with_variant(sa.String(200, collation="C"), "postgresql")
    op.create_table(
        "record_authorities",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("info_class", sa.String(length=40), nullable=False),
        sa.Column("name", name, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_authorities")),
        sa.UniqueConstraint(
            "info_class", "name", name=op.f("uq_record_authorities_info_class_name")
        ),
    )
    op.execute(FILL_NAMES)
    # plain ALTER on both (SQLite: a batch copy of records would trip its triggers)
    op.execute("ALTER TABLE records ADD COLUMN authority_id INTEGER")
    if _postgres():
        op.execute("ALTER TABLE records ALTER COLUMN content_hash TYPE bytea "
                   "USING decode(content_hash, 'hex')")  # fmt: skip
    op.execute(FILL_IDS_PG if _postgres() else FILL_IDS)
    op.drop_index("ix_records_authority", table_name="records")
    op.create_index("ix_records_authority_id", "records", ["authority_id"])


def downgrade() -> None:
    op.drop_index("ix_records_authority_id", table_name="records")
    op.create_index("ix_records_authority", "records", ["authority_name"])
    if _postgres():
        op.execute("ALTER TABLE records ALTER COLUMN content_hash TYPE varchar(64) "
                   "USING encode(content_hash, 'hex')")  # fmt: skip
    op.execute("ALTER TABLE records DROP COLUMN authority_id")
    op.drop_table("record_authorities")
