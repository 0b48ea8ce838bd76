"""disclosure search indexes: subject name search on PostgreSQL (pg_trgm + bigram GIN) and SQLite (FTS5)

Revision ID: 9f218567e0e9
Revises: cdc3cb4c66f7
Create Date: 2026-11-22 18:00:14.938659+00:00

Semantics on both databases (xinyong/subjects.py `search`): a keyword matches when it is a
substring of the name or of a former name. These objects are not in the SQLAlchemy metadata; the
include_object hook in db/migrations/env.py keeps `alembic check` from comparing them (names
start with `ix_search_` / `subjects_fts`).

PostgreSQL: `xinyong_subject_names(name, former_names)` joins the names with newlines (IMMUTABLE),
a pg_trgm GIN index on it serves 3+ characters, and a GIN index on `xinyong_bigrams(...)` (every
2-character substring) serves 2-character queries. The database must be UTF8 with a real locale
(C.UTF-8), or pg_trgm drops Chinese characters (shared/TECH.md).
SQLite: an FTS5 table with the trigram tokenizer (case-sensitive, like PostgreSQL LIKE) kept in sync
by triggers serves 3+ characters; 1–2 characters scan the base table.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "9f218567e0e9"
down_revision: str | None = "cdc3cb4c66f7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PG_UP = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """
    CREATE OR REPLACE FUNCTION xinyong_subject_names(name text, former jsonb) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
      SELECT name || coalesce(E'\\n' || (
        SELECT string_agg(x, E'\\n') FROM jsonb_array_elements_text(
          CASE WHEN jsonb_typeof(former) = 'array' THEN former ELSE '[]'::jsonb END) AS x), '')
    $$
    """,
    """
    CREATE OR REPLACE FUNCTION xinyong_bigrams(t text) RETURNS text[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
      SELECT coalesce(array_agg(DISTINCT substr(t, i, 2)), '{}')
      FROM generate_series(1, char_length(t) - 1) AS i
    $$
    """,
    "CREATE INDEX ix_search_subjects_trgm ON subjects "
    "USING gin (xinyong_subject_names(name, former_names) gin_trgm_ops)",
    "CREATE INDEX ix_search_subjects_bigram ON subjects "
    "USING gin (xinyong_bigrams(xinyong_subject_names(name, former_names)))",
]
PG_DOWN = [
    "DROP INDEX IF EXISTS ix_search_subjects_bigram",
    "DROP INDEX IF EXISTS ix_search_subjects_trgm",
    "DROP FUNCTION IF EXISTS xinyong_bigrams(text)",
    "DROP FUNCTION IF EXISTS xinyong_subject_names(text, jsonb)",
]

# name + former names (JSON array), newline-separated, as in xinyong_subject_names on PostgreSQL.
SQLITE_UP = [
    "CREATE VIRTUAL TABLE subjects_fts USING fts5(names, tokenize = 'trigram case_sensitive 1')",
    """INSERT INTO subjects_fts(rowid, names)
    SELECT id, name || coalesce(char(10) ||
      (SELECT group_concat(value, char(10)) FROM json_each(subjects.former_names)), '')
    FROM subjects""",
    """CREATE TRIGGER subjects_fts_insert AFTER INSERT ON subjects BEGIN
      INSERT INTO subjects_fts(rowid, names) VALUES (new.id, new.name || coalesce(char(10) ||
        (SELECT group_concat(value, char(10)) FROM json_each(new.former_names)), ''));
    END""",
    """CREATE TRIGGER subjects_fts_update AFTER UPDATE OF name, former_names ON subjects BEGIN
      DELETE FROM subjects_fts WHERE rowid = old.id;
      INSERT INTO subjects_fts(rowid, names) VALUES (new.id, new.name || coalesce(char(10) ||
        (SELECT group_concat(value, char(10)) FROM json_each(new.former_names)), ''));
    END""",
    """CREATE TRIGGER subjects_fts_delete AFTER DELETE ON subjects BEGIN
      DELETE FROM subjects_fts WHERE rowid = old.id;
    END""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS subjects_fts_delete",
    "DROP TRIGGER IF EXISTS subjects_fts_update",
    "DROP TRIGGER IF EXISTS subjects_fts_insert",
    "DROP TABLE IF EXISTS subjects_fts",
]


def _run(statements: list[str]) -> None:
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        _run(PG_UP)
    elif dialect == "sqlite":
        _run(SQLITE_UP)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        _run(PG_DOWN)
    elif dialect == "sqlite":
        _run(SQLITE_DOWN)
