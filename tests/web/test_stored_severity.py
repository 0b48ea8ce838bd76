"""The stored severity (issue 17): classified when written, by the one rule, and the 双公示 listing
exact in SQL — equal to the rules' own answer on the demo region at several dates, whether the
records are classified, unclassified or classified under a severity table that has since changed.
"""

from __future__ import annotations

import html
import importlib
import re
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import inspect, select, text, update
from sqlalchemy.orm import Session

from tests.databases import migrated_database
from xinyong import archive, demo
from xinyong.audit import Actor
from xinyong.catalog import Catalog
from xinyong.db import migrate
from xinyong.db.session import make_engine, make_sessionmaker, transaction
from xinyong.db.tables import Record
from xinyong.disclosure import reclassify, stored
from xinyong.disclosure.listing import ListingQuery, class_filter
from xinyong.disclosure.severity import severity_of, severity_table_for
from xinyong.disclosure.views import windows

listing_module = importlib.import_module("xinyong.disclosure.listing")
NUMBER = re.compile(r"[^<>\s]*罚[^<>\s]*〕\d+号")
NEXT = re.compile(r'<a href="([^"]+)" rel="next">')
DAYS = (date(2025, 3, 31), date(2026, 3, 31), date(2026, 4, 1), date(2026, 11, 23),
        date(2027, 6, 30))  # fmt: skip


@pytest.fixture
def region(session: Session) -> Session:
    demo.load(session, count=150, actor=Actor.system("测试"), today=date(2026, 11, 23))
    session.flush()
    return session


Row = tuple[object, ...]


def _shown(session: Session, catalog: Catalog, today: date) -> list[Record]:
    """Every shown penalty by the rules alone (no SQL filter but class and status), newest first."""
    where = archive.ClassFilter(info_class="penalty")
    records = archive.current_of_class(session, where, limit=100_000)
    return [r for r, w in windows(session, records, catalog=catalog, today=today) if w.shown]


def _by_rules(session: Session, catalog: Catalog, today: date) -> list[Row]:
    return [(r.decision_number, r.decision_date, r.authority_name)
            for r in _shown(session, catalog, today)]  # fmt: skip


def _by_listing(session: Session, catalog: Catalog, today: date, per_page: int = 7) -> list[Row]:
    """Every row of the listing, page after page by its keyset."""
    rows: list[Row] = []
    after = None
    while True:
        query = ListingQuery("penalty", per_page=per_page, after=after)
        page = listing_module.listing(session, query, catalog=catalog, today=today)
        rows += [(i.decision_number, i.decision_date, i.authority_name) for _, i in page.items]
        if not page.has_next:
            return rows
        after = page.next_after


def test_collection_stores_the_rules_severity(region: Session, catalog: Catalog) -> None:
    records = (
        region.execute(
            select(Record).where(
                Record.info_class == "penalty", Record.is_current, Record.batch_id.is_not(None)
            )
        )
        .scalars()
        .all()
    )  # collected ones (other tests commit made-up records on PostgreSQL)
    assert records
    kinds = archive.provider_kinds(region, [r.provider_id for r in records])
    rule = catalog.disclosure_rules.rule("penalty")
    assert rule is not None
    info = catalog.info_class("penalty")
    seen = set()
    for record in records:
        table = severity_table_for(catalog, rule, kinds.get(record.provider_id or 0))
        finding = severity_of(archive.source_row(record), table, info)
        assert record.severity_class == finding.severity.value
        assert record.severity_basis == f"{stored.table_tag(table)}/{finding.rule_id}"
        seen.add(record.severity_class)
    assert len(seen) >= 2  # the demo region holds more than one class
    others = region.execute(select(Record.severity_class).where(Record.info_class != "penalty"))
    assert set(others.scalars()) <= {None}


@pytest.mark.parametrize("today", DAYS, ids=str)
def test_listing_in_sql_equals_the_rules(region: Session, catalog: Catalog, today: date) -> None:
    """Walked page by page, and SQL alone: every classified row it lets through is shown."""
    expected = _by_rules(region, catalog, today)
    assert _by_listing(region, catalog, today) == expected
    where = class_filter(ListingQuery("penalty"), catalog, today)
    in_sql = [r.id for r in archive.current_of_class(region, where, limit=100_000)]
    assert in_sql == [r.id for r in _shown(region, catalog, today)]


def test_unclassified_and_stale_rows_are_left_to_the_rules(
    region: Session, catalog: Catalog
) -> None:
    today = date(2026, 11, 23)
    expected = _by_rules(region, catalog, today)
    ids = region.execute(select(Record.id).where(Record.info_class == "penalty")).scalars().all()
    half = ids[::2]
    region.execute(update(Record).where(Record.id.in_(half)).values(
        severity_class=None, severity_basis=None))  # fmt: skip
    region.execute(update(Record).where(Record.id.in_(ids[1::2])).values(
        severity_class="serious", severity_basis="default@2025.9+0000/heavy_kinds"))  # fmt: skip
    assert _by_listing(region, catalog, today) == expected
    connection = region.connection()
    assert reclassify.due(connection, catalog) == len(ids)
    seen: list[tuple[int, int]] = []
    outcome = reclassify.reclassify(
        region.connection, catalog, progress=lambda d, t: seen.append((d, t))
    )
    assert outcome.examined == len(ids)
    assert seen[-1] == (len(ids), len(ids))
    assert reclassify.due(connection, catalog) == 0
    region.expire_all()
    assert _by_listing(region, catalog, today) == expected
    where = class_filter(ListingQuery("penalty"), catalog, today)
    in_sql = [r.id for r in archive.current_of_class(region, where, limit=100_000)]
    assert in_sql == [r.id for r in _shown(region, catalog, today)]


def test_a_correction_leaves_the_class_to_the_rules(region: Session, catalog: Catalog) -> None:
    record = region.execute(
        select(Record).where(Record.info_class == "penalty", Record.is_current).limit(1)
    ).scalar_one()
    same = archive.new_version(region, record, reason="状态更正", actor=Actor.system())
    assert (same.severity_class, same.severity_basis) == (
        record.severity_class, record.severity_basis)  # fmt: skip
    changed = archive.new_version(region, same, reason="更正", changes={"penalty_kinds": ["警告"]},
                                  actor=Actor.system())  # fmt: skip
    assert changed.severity_basis is None
    reclassify.reclassify(region.connection, catalog)
    region.refresh(changed)
    assert changed.severity_class == "minor"


def test_the_bulk_path_asks_the_rule_once_per_distinct_input(catalog: Catalog) -> None:
    rows = [
        '{"penalty_kinds":["警告"],"subject_category":"法人及非法人组织"}',
        '{"penalty_kinds":["罚款"],"fine_amount":"0.2","subject_category":"法人及非法人组织"}',
        '{"penalty_kinds":["吊销许可证件"],"subject_category":"法人及非法人组织"}',
        '{"penalty_kinds":["罚款"],"fine_amount":120,"subject_category":"法人及非法人组织"}',
        '{"penalty_kinds":["罚款"],"fine_amount":"5","subject_category":"自然人"}',
    ] * 3
    frame = pl.DataFrame({"data": rows})
    out = stored.classify_frame(catalog, "penalty", None, frame)
    assert out["severity_class"].to_list()[:5] == ["minor", "minor", "serious", "serious",
                                                   "general"]  # fmt: skip
    assert out["data"].to_list() == rows
    market = stored.classify_frame(catalog, "penalty", "market_regulation", frame)
    assert market["severity_basis"][0].startswith("market_regulation@")
    none = stored.classify_frame(catalog, "licence", None, frame)
    assert none["severity_class"].null_count() == len(rows)


def test_authorities_are_every_name_the_records_hold(region: Session) -> None:
    names = archive.authorities_of_class(region, "penalty")
    stmt = (
        select(Record.authority_name)
        .where(Record.info_class == "penalty", Record.authority_name.is_not(None))
        .distinct()
        .order_by(Record.authority_name)
    )
    assert names == [n for n in region.execute(stmt).scalars() if n]
    assert len(names) >= 2


def test_migration_backfills_a_database_holding_the_demo_region(
    database_url: str, tmp_path: Path, catalog: Catalog
) -> None:
    """5e17c1a55b0d on a database holding demo data: down (the columns go), up again (they are
    backfilled by the one rule, equal to what collection wrote)."""
    fresh = migrated_database(database_url, "xinyong_test_17s", tmp_path)
    engine = make_engine(fresh)
    with transaction(make_sessionmaker(engine)) as session:
        demo.load(session, count=60, actor=Actor.system("测试"), today=date(2026, 11, 23))
    columns = "SELECT id, severity_class, severity_basis FROM records ORDER BY id"
    with engine.connect() as conn:
        written = conn.execute(text(columns)).all()
    engine.dispose()
    assert any(row[1] for row in written)
    command.downgrade(migrate.alembic_config(fresh), "13c5a1e0b0c4")
    engine = make_engine(fresh)
    with engine.connect() as conn:
        names = {c["name"] for c in inspect(conn).get_columns("records")}
    engine.dispose()
    assert "severity_class" not in names
    migrate.upgrade(fresh)
    migrate.check(fresh)
    engine = make_engine(fresh)
    with engine.connect() as conn:
        assert conn.execute(text(columns)).all() == written
    engine.dispose()


def test_the_portal_pages_follow_the_keyset(
    client: TestClient, region: Session, catalog: Catalog
) -> None:
    """下一页 links carry the keyset; walking them lists what the rules show, once each."""
    today = date(2026, 11, 23)
    client.app.state.settings = client.app.state.settings.model_copy(update={"today": today})  # type: ignore[attr-defined]
    expected = [str(number) for number, *_ in _by_rules(region, catalog, today)]
    seen: list[str] = []
    path: str | None = "/disclosures/penalty"
    while path:
        page = client.get(path)
        assert page.status_code == 200
        seen += [n for n in NUMBER.findall(page.text) if n in expected]
        found = NEXT.search(page.text)
        path = html.unescape(found.group(1)) if found else None
    assert sorted(seen) == sorted(expected)
    assert "after=" in client.get("/disclosures/penalty").text
    bad = client.get("/disclosures/penalty?after=yesterday")
    assert bad.status_code == 422
