"""The test suite's own database helpers (tests/databases.py): what they promise holds on both
databases, since every test that commits or needs a database of its own relies on them."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, inspect
from sqlalchemy.orm import Session

from tests.databases import audit_tail, delete_audit_after, drop_database, migrated_database
from xinyong import audit
from xinyong.db import migrate
from xinyong.db.base import Base
from xinyong.db.session import make_engine


def test_a_copy_of_the_template_is_at_head_and_holds_every_table(
    database_url: str, tmp_path: Path
) -> None:
    url = migrated_database(database_url, "xinyong_test_copy", tmp_path)
    migrate.check(url)  # the tables in code, the Alembic head: nothing left to migrate
    copy = make_engine(url)
    assert set(Base.metadata.tables) <= set(inspect(copy).get_table_names())
    copy.dispose()
    again = migrated_database(database_url, "xinyong_test_copy", tmp_path)  # replaced, not added
    assert again == url
    if database_url.startswith("postgresql"):
        drop_database(database_url, "xinyong_test_copy")


def test_the_audit_rows_a_test_commits_are_deleted_and_the_chain_still_holds(
    engine: Engine,
) -> None:
    before = audit_tail(engine)
    with Session(engine) as s, s.begin():
        for n in range(3):
            audit.record(s, audit.Actor.system("测试"), "test.committed", target_type="test",
                         target_id=n)  # fmt: skip
    assert audit_tail(engine) > before
    delete_audit_after(engine, before)
    assert audit_tail(engine) == before
    with Session(engine) as s:
        assert audit.verify_chain(s).ok
