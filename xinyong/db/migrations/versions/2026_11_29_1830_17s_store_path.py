"""17s storing path: the listing's two indexes without the class, the natural key before the
class, byte-wise authority names, and one reference check the bulk writer and the trigger share

Measured with bench/store_parts.py (bench/RESULTS.md, docs/decisions/0012 addendum 2):

- `ix_records_class_decision_date (info_class, decision_date)` becomes `ix_records_decision_date
  (decision_date)` and `ix_records_class_authority (info_class, authority_name)` becomes
  `ix_records_authority (authority_name)`. On PostgreSQL every partition holds one class, so the
  leading `info_class` only made each entry wider and each comparison longer; the listing, the
  authority walk and the date filters name the class and are pruned to its partition first.
  SQLite gets the same indexes (one schema for the model; its listings are small).
- `uq_records_key_version` becomes `(natural_key, version, info_class)`: the same set of columns,
  so the same uniqueness (a unique index of a partitioned table must hold the partition key), but
  the class, equal in every entry of a partition, is compared last instead of first at every
  step of every insert and probe.
- PostgreSQL: `records.authority_name` compares byte-wise (COLLATE "C", like `natural_key`):
  with ~300 deciding authorities a region's inserts compared names by `strcoll` at every level
  of the authority btree. The order of the names is their code point order (what C.UTF-8 gave).
- PostgreSQL: `xinyong_records_check_refs(subject_ids, provider_ids)` is the one statement of the
  reference rule (ADR 0009): the statement trigger on `records` calls it with its transition
  table's distinct ids, and the bulk writer, which copies straight into a partition where that
  trigger does not fire, calls it with the chunk's distinct ids (`archive.check_references`).

Revision ID: 17d5a0c3b2e1
Revises: 12e8b0a4c1f2
Create Date: 2026-11-29 18:30:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "17d5a0c3b2e1"
down_revision: str | None = "12e8b0a4c1f2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# message frozen here, as migrations are: records 引用了不存在的主体或报送部门（subject_id / provider_id）
CHECK_REFS = """
CREATE FUNCTION xinyong_records_check_refs(subject_ids bigint[], provider_ids bigint[])
RETURNS void LANGUAGE plpgsql STABLE AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM unnest(subject_ids) n(id)
             WHERE n.id IS NULL OR NOT EXISTS (SELECT 1 FROM subjects s WHERE s.id = n.id))
  OR EXISTS (SELECT 1 FROM unnest(provider_ids) n(id)
             WHERE n.id IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM providers p WHERE p.id = n.id)) THEN
    RAISE EXCEPTION 'records 引用了不存在的主体或报送部门（subject_id / provider_id）' USING ERRCODE = 'foreign_key_violation';
  END IF;
END $$
"""
REFS_NOW = """
CREATE OR REPLACE FUNCTION xinyong_records_refs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM xinyong_records_check_refs(
    ARRAY(SELECT DISTINCT subject_id FROM new_records),
    ARRAY(SELECT DISTINCT provider_id FROM new_records WHERE provider_id IS NOT NULL));
  RETURN NULL;
END $$
"""
REFS_BEFORE = """
CREATE OR REPLACE FUNCTION xinyong_records_refs() RETURNS trigger LANGUAGE plpgsql AS $$
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
"""


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    op.drop_index("uq_records_key_version", table_name="records")
    op.create_index(
        "uq_records_key_version", "records", ["natural_key", "version", "info_class"], unique=True
    )
    op.drop_index("ix_records_class_decision_date", table_name="records")
    op.drop_index("ix_records_class_authority", table_name="records")
    if _postgres():
        op.execute('ALTER TABLE records ALTER COLUMN authority_name TYPE varchar(200) COLLATE "C"')
        op.execute(CHECK_REFS)
        op.execute(REFS_NOW)
    op.create_index("ix_records_decision_date", "records", ["decision_date"])
    op.create_index("ix_records_authority", "records", ["authority_name"])


def downgrade() -> None:
    op.drop_index("ix_records_authority", table_name="records")
    op.drop_index("ix_records_decision_date", table_name="records")
    if _postgres():
        op.execute(REFS_BEFORE)
        op.execute("DROP FUNCTION xinyong_records_check_refs(bigint[], bigint[])")
        op.execute("ALTER TABLE records ALTER COLUMN authority_name TYPE varchar(200) "
                   'COLLATE "default"')  # fmt: skip
    op.create_index("ix_records_class_decision_date", "records", ["info_class", "decision_date"])
    op.create_index("ix_records_class_authority", "records", ["info_class", "authority_name"])
    op.drop_index("uq_records_key_version", table_name="records")
    op.create_index(
        "uq_records_key_version", "records", ["info_class", "natural_key", "version"], unique=True
    )
