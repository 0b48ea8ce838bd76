"""17x: the subject index and the date index carry the pages' order (subject_id, is_current,
decision_date, id) and (decision_date, id) in place of (subject_id, is_current) and
(decision_date). The migration, down and up on a database holding the demo data, keeps every
answer the indexes serve: each section of the subject page, the full archive view's pages, the
listing's pages (issue 17, docs/decisions/0012 addendum 4)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from alembic import command
from sqlalchemy import inspect, select

from tests.databases import migrated_database
from xinyong import archive, demo, disclosure
from xinyong.audit import Actor
from xinyong.catalog import Catalog
from xinyong.db import migrate
from xinyong.db.session import make_engine, make_sessionmaker, transaction
from xinyong.db.tables import Record, Subject
from xinyong.disclosure.listing import ListingQuery, listing

BEFORE = "17e9a1d2c3b4"  # the head before 17x
TODAY = date(2026, 11, 23)


def _indexes(url: str) -> set[str]:
    engine = make_engine(url)
    with engine.connect() as conn:
        names = {i["name"] for i in inspect(conn).get_indexes("records")}
    engine.dispose()
    return {n for n in names if n}


def _answers(url: str, catalog: Catalog) -> list[Any]:
    """The subject pages' sections, the full view's pages and the listings' first pages."""
    engine = make_engine(url)
    out: list[Any] = []
    with transaction(make_sessionmaker(engine)) as session:
        held = select(Record.subject_id).where(Record.is_current.is_(True)).distinct()
        for subject in session.execute(
            select(Subject).where(Subject.id.in_(held)).order_by(Subject.id).limit(12)
        ).scalars():
            sections = disclosure.subject_sections(session, subject, catalog=catalog, today=TODAY,
                                                   per_page=3)  # fmt: skip
            out.append({tab: ([r.decision_number for r in s.items], s.count, s.next_after)
                        for tab, s in sections.sections.items()})  # fmt: skip
            page = disclosure.views.full_archive_page(session, subject, catalog=catalog,
                                                      today=TODAY, per_page=4)  # fmt: skip
            out.append(([e.record.id for e in page.entries], page.count, page.next_after))
            window = archive.archive_of_subject(session, subject.id, list(catalog.info_classes),
                                                after=page.next_after, limit=4)  # fmt: skip
            out.append([r.id for r in window])
        for info_class in ("penalty", "licence"):
            listed = listing(session, ListingQuery(info_class), catalog=catalog, today=TODAY)
            out.append(([rec.decision_number for _, rec in listed.items], listed.next_after))
    engine.dispose()
    return out


def test_migration_on_a_database_holding_the_demo_data(
    database_url: str, tmp_path: Path, catalog: Catalog
) -> None:
    url = migrated_database(database_url, "xinyong_test_17x", tmp_path)
    engine = make_engine(url)
    with transaction(make_sessionmaker(engine)) as session:
        demo.load(session, count=60, actor=Actor.system("测试"), today=TODAY)
    engine.dispose()
    assert {"ix_records_subject_date", "ix_records_decision_date_id"} <= _indexes(url)
    before = _answers(url, catalog)
    assert any(isinstance(a, list) and a for a in before)  # the demo gives pages to compare
    command.downgrade(migrate.alembic_config(url), BEFORE)
    was = _indexes(url)
    assert {"ix_records_subject_current", "ix_records_decision_date"} <= was
    assert not {"ix_records_subject_date", "ix_records_decision_date_id"} & was
    assert _answers(url, catalog) == before
    migrate.upgrade(url)
    migrate.check(url)
    assert _answers(url, catalog) == before
    now = _indexes(url)
    assert {"ix_records_subject_date", "ix_records_decision_date_id"} <= now
    assert not {"ix_records_subject_current", "ix_records_decision_date"} & now
