"""collection storage: records shaped for bulk COPY, accepted rows counted per chunk

docs/decisions/0009-collection-storage.md has the measurements behind each change.

- records.data: jsonb → json on PostgreSQL (stored as sent, parsed only to validate; nothing
  queries inside it). records.natural_key: COLLATE "C" on PostgreSQL (byte-wise btree compares).
- records.subject_id / provider_id: the per-row foreign keys (one locking lookup per inserted row)
  become one set-based check per statement: an AFTER INSERT / AFTER UPDATE trigger with a
  transition table on PostgreSQL, BEFORE INSERT / UPDATE triggers on SQLite; deleting a subject or
  provider that records still reference is refused by a trigger on each side.
- batch_chunks: one row per committed chunk (its counts); batch_rows keeps the rejected rows only.
  Existing accepted batch_rows are folded into one chunk row per batch.

Revision ID: 6c0a4e21d9b3
Revises: b17559d2b9b6
Create Date: 2026-11-22 20:00:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "6c0a4e21d9b3"
down_revision: str | None = "b17559d2b9b6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
# messages (frozen here, as migrations are): records 引用了不存在的主体或报送部门（subject_id / provider_id） / 仍有信用记录引用该主体或报送部门，不能删除

PG_UP = [
    """
    CREATE FUNCTION xinyong_records_refs() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF EXISTS (
        SELECT 1 FROM (SELECT DISTINCT subject_id FROM new_records) n
        WHERE NOT EXISTS (SELECT 1 FROM subjects s WHERE s.id = n.subject_id)
      ) OR EXISTS (
        SELECT 1 FROM (SELECT DISTINCT provider_id FROM new_records
                       WHERE provider_id IS NOT NULL) n
        WHERE NOT EXISTS (SELECT 1 FROM providers p WHERE p.id = n.provider_id)
      ) THEN
        RAISE EXCEPTION 'records 引用了不存在的主体或报送部门（subject_id / provider_id）' USING ERRCODE = 'foreign_key_violation';
      END IF;
      RETURN NULL;
    END $$
    """,
    "CREATE TRIGGER records_refs_insert AFTER INSERT ON records "
    "REFERENCING NEW TABLE AS new_records FOR EACH STATEMENT "
    "EXECUTE FUNCTION xinyong_records_refs()",
    "CREATE TRIGGER records_refs_update AFTER UPDATE ON records "
    "REFERENCING NEW TABLE AS new_records FOR EACH STATEMENT "
    "EXECUTE FUNCTION xinyong_records_refs()",
    """
    CREATE FUNCTION xinyong_records_referenced() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF EXISTS (SELECT 1 FROM records r WHERE
                 (TG_TABLE_NAME = 'subjects' AND r.subject_id = OLD.id)
                 OR (TG_TABLE_NAME = 'providers' AND r.provider_id = OLD.id)) THEN
        RAISE EXCEPTION '仍有信用记录引用该主体或报送部门，不能删除' USING ERRCODE = 'foreign_key_violation';
      END IF;
      RETURN OLD;
    END $$
    """,
    "CREATE TRIGGER subjects_records_guard BEFORE DELETE ON subjects "
    "FOR EACH ROW EXECUTE FUNCTION xinyong_records_referenced()",
    "CREATE TRIGGER providers_records_guard BEFORE DELETE ON providers "
    "FOR EACH ROW EXECUTE FUNCTION xinyong_records_referenced()",
]
PG_DOWN = [
    "DROP TRIGGER IF EXISTS providers_records_guard ON providers",
    "DROP TRIGGER IF EXISTS subjects_records_guard ON subjects",
    "DROP FUNCTION IF EXISTS xinyong_records_referenced()",
    "DROP TRIGGER IF EXISTS records_refs_update ON records",
    "DROP TRIGGER IF EXISTS records_refs_insert ON records",
    "DROP FUNCTION IF EXISTS xinyong_records_refs()",
]
_SQLITE_MISSING = (
    "WHEN NOT EXISTS (SELECT 1 FROM subjects WHERE id = NEW.subject_id) "
    "OR (NEW.provider_id IS NOT NULL "
    "AND NOT EXISTS (SELECT 1 FROM providers WHERE id = NEW.provider_id)) "
    "BEGIN SELECT RAISE(ABORT, 'records 引用了不存在的主体或报送部门（subject_id / provider_id）'); END"
)
SQLITE_UP = [
    f"CREATE TRIGGER records_refs_insert BEFORE INSERT ON records {_SQLITE_MISSING}",
    "CREATE TRIGGER records_refs_update BEFORE UPDATE OF subject_id, provider_id ON records "
    + _SQLITE_MISSING,
    "CREATE TRIGGER subjects_records_guard BEFORE DELETE ON subjects "
    "WHEN EXISTS (SELECT 1 FROM records WHERE subject_id = OLD.id) "
    "BEGIN SELECT RAISE(ABORT, '仍有信用记录引用该主体或报送部门，不能删除'); END",
    "CREATE TRIGGER providers_records_guard BEFORE DELETE ON providers "
    "WHEN EXISTS (SELECT 1 FROM records WHERE provider_id = OLD.id) "
    "BEGIN SELECT RAISE(ABORT, '仍有信用记录引用该主体或报送部门，不能删除'); END",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS providers_records_guard",
    "DROP TRIGGER IF EXISTS subjects_records_guard",
    "DROP TRIGGER IF EXISTS records_refs_update",
    "DROP TRIGGER IF EXISTS records_refs_insert",
]
FOLD_ACCEPTED = """
    INSERT INTO batch_chunks
      (batch_id, first_row, last_row, new, updated, unchanged, rejected, timely, late)
    SELECT batch_id, min(row_no), max(row_no),
           sum(CASE WHEN outcome = 'new' THEN 1 ELSE 0 END),
           sum(CASE WHEN outcome = 'updated' THEN 1 ELSE 0 END),
           sum(CASE WHEN outcome = 'unchanged' THEN 1 ELSE 0 END),
           sum(CASE WHEN outcome = 'rejected' THEN 1 ELSE 0 END),
           sum(CASE WHEN outcome <> 'rejected' AND timely THEN 1 ELSE 0 END),
           sum(CASE WHEN outcome <> 'rejected' AND NOT timely THEN 1 ELSE 0 END)
    FROM batch_rows GROUP BY batch_id
"""


def _pg() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    op.create_table(
        "batch_chunks",
        sa.Column("batch_id", BIG_ID, nullable=False),
        sa.Column("first_row", sa.Integer(), nullable=False),
        sa.Column("last_row", sa.Integer(), nullable=False),
        sa.Column("new", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("timely", sa.Integer(), nullable=False),
        sa.Column("late", sa.Integer(), nullable=False),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["batches.id"], name=op.f("fk_batch_chunks_batch_id_batches")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_batch_chunks")),
        sa.UniqueConstraint(
            "batch_id", "first_row", name=op.f("uq_batch_chunks_batch_id_first_row")
        ),
    )
    op.execute(FOLD_ACCEPTED)
    op.execute("DELETE FROM batch_rows WHERE outcome <> 'rejected'")
    with op.batch_alter_table("records") as batch:
        batch.drop_constraint("fk_records_subject_id_subjects", type_="foreignkey")
        batch.drop_constraint("fk_records_provider_id_providers", type_="foreignkey")
        if _pg():
            batch.alter_column(
                "data",
                type_=sa.JSON(),
                existing_type=postgresql.JSONB(),
                postgresql_using="data::json",
            )
            batch.alter_column(
                "natural_key",
                type_=sa.String(500, collation="C"),
                existing_type=sa.String(500),
            )
    for statement in PG_UP if _pg() else SQLITE_UP:
        op.execute(statement)


def downgrade() -> None:
    for statement in PG_DOWN if _pg() else SQLITE_DOWN:
        op.execute(statement)
    with op.batch_alter_table("records") as batch:
        if _pg():
            batch.alter_column(
                "natural_key", type_=sa.String(500), existing_type=sa.String(500, collation="C")
            )
            batch.alter_column(
                "data",
                type_=postgresql.JSONB(),
                existing_type=sa.JSON(),
                postgresql_using="data::jsonb",
            )
        batch.create_foreign_key(
            "fk_records_provider_id_providers", "providers", ["provider_id"], ["id"]
        )
        batch.create_foreign_key(
            "fk_records_subject_id_subjects", "subjects", ["subject_id"], ["id"]
        )
    # accepted rows are not re-expanded from their chunk counts: only the rejected rows had detail
    op.drop_table("batch_chunks")
