"""The stored record's narrower parts (issue 17, 17w): the content hash as 32 bytes on PostgreSQL
(hex text to every reader), and the deciding authority's integer id — the listing filters by it,
the department choices come from `record_authorities`. Every writer fills the
id, the answers stay those of the names, and the migration keeps them on a database holding the
demo data, down and up again."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from alembic import command
from sqlalchemy import inspect, select, text
from sqlalchemy.orm import Session

from tests.databases import migrated_database
from tests.factories.archive import make_record
from tests.factories.subjects import make_subject
from xinyong import archive, demo
from xinyong.audit import Actor
from xinyong.db import migrate
from xinyong.db.session import make_engine, make_sessionmaker, transaction
from xinyong.db.tables import Record, RecordAuthority

BEFORE = "17d5a0c3b2e1"  # the head before 17w


def _names_of_records(session: Session, info_class: str) -> list[str]:
    stmt = (
        select(Record.authority_name)
        .where(Record.info_class == info_class, Record.authority_name.is_not(None))
        .distinct()
    )
    return sorted(n for n in session.execute(stmt).scalars() if n)


def test_every_written_record_carries_its_authoritys_id(session: Session) -> None:
    subject = make_subject(session)
    made = [
        make_record(session, subject, authority_name=name, info_class=info_class)
        for name, info_class in (("甲局", "penalty"), ("乙局", "penalty"), ("甲局", "licence"))
    ]
    made.append(make_record(session, subject, authority_name=None))
    ids = {(a.info_class, a.name): a.id for a in session.execute(select(RecordAuthority)).scalars()}
    for record in made:
        want = ids.get((record.info_class, record.authority_name or ""))
        assert record.authority_id == want
    assert made[0].authority_id != made[2].authority_id  # one id per (class, name)
    assert made[3].authority_id is None
    newer = archive.new_version(
        session, made[0], reason="更正", changes={"fine_amount": "1"}, actor=Actor.system("测试")
    )
    assert newer.authority_id == made[0].authority_id


def test_the_listing_filters_and_lists_authorities_as_the_names_do(session: Session) -> None:
    subject = make_subject(session)
    for n, name in enumerate(("示范区税务局", "示范区市场监管局", "示范区税务局", "示范区应急局")):
        make_record(session, subject, authority_name=name, decision_date=date(2026, 5, 1 + n))
    choices = archive.authorities_of_class(session, "penalty")
    assert choices == _names_of_records(session, "penalty")  # every name, in code point order
    for name in ("示范区税务局", "示范区应急局", "无此机关"):
        where = archive.ClassFilter(info_class="penalty", authority_name=name)
        got = archive.current_of_class(session, where, limit=1000)
        stmt = select(Record.id).where(
            Record.info_class == "penalty", Record.is_current, Record.status == "active",
            Record.authority_name == name,
        )  # fmt: skip
        assert sorted(r.id for r in got) == sorted(session.execute(stmt).scalars())
    assert "示范区应急局" not in archive.authorities_of_class(session, "licence")


def test_a_name_no_record_holds_any_more_is_not_offered(session: Session) -> None:
    """A department whose records were all removed (or whose batch was undone) keeps its row in
    `record_authorities`, but the listing's choices offer only names a record still holds."""
    subject = make_subject(session)
    kept = make_record(
        session, subject, authority_name="示范区存留局", decision_date=date(2026, 5, 1)
    )
    gone = make_record(
        session, subject, authority_name="示范区撤销局", decision_date=date(2026, 5, 2)
    )
    assert {"示范区存留局", "示范区撤销局"} <= set(archive.authorities_of_class(session, "penalty"))
    session.delete(gone)
    session.flush()
    choices = archive.authorities_of_class(session, "penalty")
    assert "示范区撤销局" not in choices
    assert kept.authority_name in choices
    assert choices == _names_of_records(session, "penalty")


def test_the_hash_reads_back_as_hex(session: Session) -> None:
    record = make_record(session, make_subject(session))
    session.expire(record)
    assert record.content_hash == archive.content_hash(archive.source_row(record))
    found = session.execute(select(Record.id).where(Record.content_hash == record.content_hash))
    assert list(found.scalars()) == [record.id]


def _answers(url: str) -> tuple[Any, list[str], list[list[int]]]:
    """What the readers of the hash and the authority give on this database."""
    engine = make_engine(url)
    with transaction(make_sessionmaker(engine)) as session:
        hashes = session.execute(select(Record.id, Record.content_hash).order_by(Record.id)).all()
        choices = archive.authorities_of_class(session, "penalty")
        pages = []
        for name in choices[:3]:
            where = archive.ClassFilter(info_class="penalty", authority_name=name)
            pages.append([r.id for r in archive.current_of_class(session, where, limit=50)])
    engine.dispose()
    return hashes, choices, pages


def test_migration_on_a_database_holding_the_demo_data(database_url: str, tmp_path: Path) -> None:
    """17e2b9d4a6c8 down and up on the demo data: the same hashes, choices and filtered pages."""
    url = migrated_database(database_url, "xinyong_test_17w", tmp_path)
    engine = make_engine(url)
    with transaction(make_sessionmaker(engine)) as session:
        demo.load(session, count=60, actor=Actor.system("测试"), today=date(2026, 11, 23))
    engine.dispose()
    before = _answers(url)
    assert before[1]
    assert all(before[2])
    command.downgrade(migrate.alembic_config(url), BEFORE)
    engine = make_engine(url)
    with engine.connect() as conn:
        assert "authority_id" not in {c["name"] for c in inspect(conn).get_columns("records")}
        stored = conn.execute(text("SELECT id, content_hash FROM records ORDER BY id")).all()
    engine.dispose()
    assert stored == before[0]  # hex text again, the same digests
    migrate.upgrade(url)
    migrate.check(url)
    assert _answers(url) == before
    engine = make_engine(url)
    with engine.connect() as conn:
        unfilled = "SELECT count(*) FROM records WHERE authority_name IS NOT NULL"
        assert conn.execute(text(f"{unfilled} AND authority_id IS NULL")).scalar() == 0
    engine.dispose()
