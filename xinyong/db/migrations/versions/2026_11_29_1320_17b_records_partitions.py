"""records partitioned by information class on PostgreSQL (LIST), SQLite unchanged

docs/decisions/0012-records-partitions.md has the measurements behind the choice.

- PostgreSQL: `records` becomes `PARTITION BY LIST (info_class)`, one partition `records_p_<class>`
  per class shipped or already stored, and `records_p_default` for any other class. The rows are
  copied over (same ids, same sequence). Its primary key becomes (id, info_class): a unique
  constraint of a partitioned table must hold the partition key. The unique natural key
  (info_class, natural_key, version) and the other indexes are created on the parent.
- The six foreign keys to records.id (objections, commitments, repair_applications) cannot point
  at a partitioned table's id alone: each becomes a row trigger on its table that refuses an id
  no record has, and deleting a record still referenced is refused by a trigger on records
  (records are never deleted by the application). The statement-level reference check of
  subject_id / provider_id (0009) is recreated on the new parent.
- SQLite: nothing changes (one table, real foreign keys).

Revision ID: 4b17c2e9a0d1
Revises: 16b2e3f4a5d6
Create Date: 2026-11-29 13:20:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "4b17c2e9a0d1"
down_revision: str | None = "16b2e3f4a5d6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen here, as migrations are (xinyong/db/partitions.py creates partitions of later classes).
SHIPPED_CLASSES = ("abnormal_operation", "commitment_breach", "court_defaulter", "honour",
                   "licence", "penalty", "registration", "serious_list")  # fmt: skip
REFERENCES = (  # (table, column) that hold a records.id
    ("objections", "record_id"), ("objections", "result_record_id"),
    ("commitments", "record_id"), ("commitments", "breach_record_id"),
    ("repair_applications", "record_id"), ("repair_applications", "repaired_record_id"),
)  # fmt: skip
INDEXES = (
    "CREATE UNIQUE INDEX uq_records_key_version ON records (info_class, natural_key, version)",
    "CREATE INDEX ix_records_subject_current ON records (subject_id, is_current)",
    "CREATE INDEX ix_records_class_decision_date ON records (info_class, decision_date)",
)
REFS_TRIGGERS = (
    "CREATE TRIGGER records_refs_insert AFTER INSERT ON records "
    "REFERENCING NEW TABLE AS new_records FOR EACH STATEMENT "
    "EXECUTE FUNCTION xinyong_records_refs()",
    "CREATE TRIGGER records_refs_update AFTER UPDATE ON records "
    "REFERENCING NEW TABLE AS new_records FOR EACH STATEMENT "
    "EXECUTE FUNCTION xinyong_records_refs()",
)
RECORD_EXISTS = """
CREATE FUNCTION xinyong_record_exists() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  ref bigint := (to_jsonb(NEW) ->> TG_ARGV[0])::bigint;
BEGIN
  IF ref IS NOT NULL AND NOT EXISTS (SELECT 1 FROM records WHERE id = ref) THEN
    RAISE EXCEPTION '%.% 引用了不存在的信用记录 %', TG_TABLE_NAME, TG_ARGV[0], ref
      USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END $$
"""
RECORD_REFERENCED = """
CREATE FUNCTION xinyong_record_referenced() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM objections WHERE record_id = OLD.id OR result_record_id = OLD.id)
     OR EXISTS (SELECT 1 FROM commitments WHERE record_id = OLD.id OR breach_record_id = OLD.id)
     OR EXISTS (SELECT 1 FROM repair_applications
                WHERE record_id = OLD.id OR repaired_record_id = OLD.id) THEN
    RAISE EXCEPTION '信用记录 % 仍被异议、信用承诺或信用修复引用，不能删除', OLD.id
      USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN OLD;
END $$
"""


def _pg() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _rename_old() -> None:
    op.execute("ALTER TABLE records RENAME TO records_unpartitioned")
    for name in ("pk_records", "uq_records_key_version", "ix_records_subject_current",
                 "ix_records_class_decision_date"):  # fmt: skip
        op.execute(f"ALTER INDEX {name} RENAME TO {name}_old")
    op.execute("DROP TRIGGER records_refs_insert ON records_unpartitioned")
    op.execute("DROP TRIGGER records_refs_update ON records_unpartitioned")


def _drop_old() -> None:
    op.execute("ALTER SEQUENCE records_id_seq OWNED BY records.id")
    op.execute("DROP TABLE records_unpartitioned")


def upgrade() -> None:
    if not _pg():
        return
    for table, column in REFERENCES:
        op.execute(f"ALTER TABLE {table} DROP CONSTRAINT fk_{table}_{column}_records")
    _rename_old()
    op.execute("CREATE TABLE records (LIKE records_unpartitioned INCLUDING DEFAULTS) "
               "PARTITION BY LIST (info_class)")  # fmt: skip
    stored = [row[0] for row in op.get_bind().exec_driver_sql(
        "SELECT DISTINCT info_class FROM records_unpartitioned")]  # fmt: skip
    for info_class in sorted({*SHIPPED_CLASSES, *stored}):
        op.execute(f"CREATE TABLE \"records_p_{info_class}\" PARTITION OF records "
                   f"FOR VALUES IN ('{info_class}')")  # fmt: skip
    op.execute("CREATE TABLE records_p_default PARTITION OF records DEFAULT")
    op.execute("INSERT INTO records SELECT * FROM records_unpartitioned")
    _drop_old()
    op.execute("ALTER TABLE records ADD CONSTRAINT pk_records PRIMARY KEY (id, info_class)")
    for sql in (*INDEXES, *REFS_TRIGGERS, RECORD_EXISTS, RECORD_REFERENCED):
        op.execute(sql)
    for table, column in REFERENCES:
        op.execute(f"CREATE TRIGGER {table}_{column}_exists AFTER INSERT OR UPDATE OF {column} "
                   f"ON {table} FOR EACH ROW EXECUTE FUNCTION xinyong_record_exists('{column}')")  # fmt: skip
    op.execute("CREATE TRIGGER records_referenced_guard BEFORE DELETE ON records "
               "FOR EACH ROW EXECUTE FUNCTION xinyong_record_referenced()")  # fmt: skip
    op.execute("ANALYZE records")


def downgrade() -> None:
    if not _pg():
        return
    for table, column in REFERENCES:
        op.execute(f"DROP TRIGGER {table}_{column}_exists ON {table}")
    op.execute("DROP TRIGGER records_referenced_guard ON records")
    op.execute("DROP FUNCTION xinyong_record_referenced()")
    op.execute("DROP FUNCTION xinyong_record_exists()")
    _rename_old()
    op.execute("CREATE TABLE records (LIKE records_unpartitioned INCLUDING DEFAULTS)")
    op.execute("INSERT INTO records SELECT * FROM records_unpartitioned")
    _drop_old()  # its partitions go with it
    op.execute("ALTER TABLE records ADD CONSTRAINT pk_records PRIMARY KEY (id)")
    for sql in (*INDEXES, *REFS_TRIGGERS):
        op.execute(sql)
    for table, column in REFERENCES:
        op.execute(f"ALTER TABLE {table} ADD CONSTRAINT fk_{table}_{column}_records "
                   f"FOREIGN KEY ({column}) REFERENCES records (id)")  # fmt: skip
