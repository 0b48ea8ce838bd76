"""The lean record (docs/decisions/0013): `records.data` keeps only what no column holds, and
`archive.source_row` gives back every field of the source row exactly — here for every field of
the national penalty and licence layouts, through collect → store → reconstruct (COPY on
PostgreSQL, executemany on SQLite), and for the rule itself on rows no collection would send."""

from __future__ import annotations

import json
import random
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import JSON, literal, make_url, select
from sqlalchemy.orm import Session

from tests.collection.conftest import to_csv
from tests.databases import migrated_database
from xinyong import archive, collection, demo
from xinyong.audit import Actor
from xinyong.catalog import Catalog, FieldRole, load_catalog
from xinyong.clock import Calendar
from xinyong.collection import readers
from xinyong.collection.validate import (
    ROLE_COLUMNS,
    Context,
    ValidRow,
    map_columns,
    validate_row,
)
from xinyong.db import lean_record, migrate
from xinyong.db.session import make_engine
from xinyong.db.tables import Provider, Record

# Text exactly as a department sends it: inner blanks (half- and full-width), full-width letters,
# digits and brackets, a tab-free multi-line cell, quotes and a backslash (JSON escapes).
ODD_TEXT = (
    '经查，当事人（全角括号）　内有全角空格  两个半角空格 ＡＢＣ１２３ “引号”"x" \\ 第二行\n第三行'
)


def _value(info_class: str, field_id: str, kind: str, i: int, rng: random.Random) -> str:
    """A valid cell for one field of a full row (every optional field filled)."""
    fixed = {
        "subject_category": "法人及非法人组织",
        "subject_id_kind": "身份证",  # an organisation may name a person's ID as well
        "legal_rep_id_kind": "身份证",
        "penalty_kinds": "罚款;没收违法所得;暂扣许可证件",
        "fine_amount": "0.2",
        "confiscated_amount": "１２.５０",  # full-width digits: normalised like any amount
        "decision_date": "2026-11-16",
        "valid_from": "2026-11-16",
        "valid_until": "2027-11-15",
        "disclosure_until": "2029-11-15",
        "licence_kind": "普通",
        "status": "有效",
        "org_code": "MA1234567",
    }
    if field_id in fixed:
        return fixed[field_id]
    if kind == "uscc":
        return demo.make_uscc(rng, "9" if field_id == "subject_uscc" else "1", "1")
    if kind == "id_number":
        return demo.make_id_number(rng)
    if field_id == "decision_number":
        return f"示{info_class}〔2026〕{i}号"
    if field_id in ("facts", "content", "remarks"):
        return ODD_TEXT
    return f"{field_id} 值{i}（全角）"


PERSON_EMPTY = ("subject_uscc", "legal_rep", "legal_rep_id_kind", "legal_rep_id_number",
                "fine_amount", "confiscated_amount", "licence_affected")  # fmt: skip


def _layout_rows(catalog: Catalog, info_class: str) -> tuple[list[str], list[list[str]]]:
    """Headers (every field's label) and rows: all fields filled; a person with every optional
    field left empty; optional fields sent as 无 / — / blanks; a decision number holding "|"
    (the natural key no longer splits, so the key parts stay in `data`)."""
    info = catalog.info_class(info_class)
    rng = random.Random(17)
    headers = [f.label for f in info.fields]
    full = [_value(info_class, f.id, f.type, 1, rng) for f in info.fields]
    at = {f.id: i for i, f in enumerate(info.fields)}
    for source, authority in (("source_name", "authority_name"), ("source_uscc", "authority_uscc")):
        full[at[source]] = full[at[authority]]  # the usual case: the authority sends its own
    optional = {f.id for f in info.fields if not f.required and f.required_when is None}
    person = []
    for f in info.fields:
        if f.id == "subject_category":
            person.append("自然人")
        elif f.id == "subject_id_kind":
            person.append("身份证")
        elif f.id == "subject_id_number":
            person.append(demo.make_id_number(rng))
        elif f.id == "penalty_kinds":
            person.append("警告")  # so no amount or licence is required
        elif f.id in optional or f.id in PERSON_EMPTY:
            person.append("")
        else:
            person.append(_value(info_class, f.id, f.type, 2, rng))
    empties = ["无", "—", "　 ", "N/A"]  # what departments send for "nothing"
    tokens = [
        empties[i % len(empties)] if f.id in optional else _value(info_class, f.id, f.type, 3, rng)
        for i, f in enumerate(info.fields)
    ]
    piped = [_value(info_class, f.id, f.type, 4, rng) for f in info.fields]
    piped[[f.id for f in info.fields].index("decision_number")] = "示罚〔2026〕4|补号"
    return headers, [full, person, tokens, piped]


def _expected(catalog: Catalog, calendar: Calendar, today: date, info_class: str,
              data: bytes) -> dict[str, ValidRow]:  # fmt: skip
    """The reference (validate_row, one row at a time) by natural key."""
    table = readers.read(data, file_name=f"{info_class}.csv")
    ctx = Context(catalog.info_class(info_class), catalog, today, today, calendar)
    columns = map_columns(ctx.info_class, table.headers)
    out = {}
    for source in table.frame.rows():
        row = validate_row(ctx, columns, int(source[0]), source[1:])
        assert isinstance(row, ValidRow), row
        out[row.natural_key] = row
    return out


@pytest.mark.parametrize("info_class", ["penalty", "licence"])
def test_every_field_of_the_national_layout_round_trips_through_the_lean_record(
    session: Session,
    provider: Provider,
    catalog: Catalog,
    calendar: Calendar,
    today: date,
    operator: Actor,
    info_class: str,
) -> None:
    headers, rows = _layout_rows(catalog, info_class)
    data = to_csv(rows, headers)
    expected = _expected(catalog, calendar, today, info_class, data)
    sub = collection.Submission(info_class, provider.uscc, data=data, file_name="full.csv")
    report = collection.collect(session, sub, catalog=catalog, calendar=calendar,
                                actor=operator, today=today)  # fmt: skip
    assert (report.accepted, report.rejected, report.new) == (4, 0, 4), report.errors
    records = session.execute(
        select(Record).where(Record.batch_id == report.batch_id).order_by(Record.source_row)
    ).scalars().all()  # fmt: skip
    info = catalog.info_class(info_class)
    every = {f.id for f in info.fields}
    assert every == set(expected[records[0].natural_key].data)  # the full row has every field
    assert expected[records[1].natural_key].data.keys() < every  # the person: many absent
    columns = {fid for _, fid in lean_record.layout(info_class).columns}
    for record in records:
        want = expected[record.natural_key]
        session.expire(record)  # read back from the database, not the session's objects
        assert archive.source_row(record) == want.data
        assert record.content_hash == archive.content_hash(archive.source_row(record))
        assert record.content_hash == want.content_hash
        assert not columns & set(record.data)  # stored once: in its column
    full = records[0].data
    assert "subject_uscc" not in full  # a natural-key part: the key holds it
    assert "source_name" not in full  # the data source is the authority (a column)
    assert "source_name" in records[2].data  # another source than the authority: stored
    assert full["facts" if info_class == "penalty" else "content"] == ODD_TEXT.strip()
    piped = records[3].data
    assert {"subject_uscc", "decision_number"} - set(piped) == {"decision_number"}
    again = collection.collect(session, sub, catalog=catalog, calendar=calendar,
                               actor=operator, today=today)  # fmt: skip
    assert again.repeat_of == report.batch_id
    renamed = collection.Submission(info_class, provider.uscc, data=data + b"\n",
                                    file_name="again.csv")  # fmt: skip
    other = collection.collect(session, renamed, catalog=catalog, calendar=calendar,
                               actor=operator, today=today)  # fmt: skip
    assert (other.unchanged, other.new, other.updated) == (4, 0, 0)  # the hash is the full row's


def test_the_layouts_are_the_catalogs_roles_and_natural_keys() -> None:
    """LAYOUTS is the one column → field-id map: it must follow the shipped info classes."""
    shipped = load_catalog(Path(__file__).parents[2] / "catalogs")
    assert set(lean_record.LAYOUTS) == set(shipped.info_classes)
    for info in shipped.info_classes.values():
        lay = lean_record.layout(info.id)
        roles = {col: f.id for role, col in ROLE_COLUMNS.items() if (f := info.field_by_role(role))}
        assert dict(lay.columns) == roles, info.id
        assert list(lay.key) == info.natural_key, info.id
        sources = {"authority_name": FieldRole.SOURCE_NAME, "authority_uscc": FieldRole.SOURCE_USCC}
        alike = {(col, f.id) for col, role in sources.items()
                 if col in roles and (f := info.field_by_role(role))}  # fmt: skip
        assert set(lay.alike) == alike, info.id


CASES: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    # (natural key, columns, full row)
    ("N1|A1|S1|", {"decision_number": "N1", "authority_uscc": "A1",
                   "decision_date": date(2026, 1, 2)},
     {"decision_number": "N1", "authority_uscc": "A1", "subject_uscc": "S1",
      "decision_date": "2026-01-02", "x": 1}),
    # a correction left the column behind: the row's own value stays in data
    ("N1|A1|S1|", {"decision_number": "N1", "authority_name": "旧局"},
     {"decision_number": "N1-更正", "authority_name": "新局", "subject_uscc": "S1"}),
    # columns the row never had (a platform-decided record): named under ABSENT
    ("K", {"decision_number": "N1", "decision_date": date(2026, 1, 2)}, {"note": "x"}),
    # a key part with "|": the key does not split, every part stays
    ("N|1|A1|S1|", {"decision_number": "N|1", "authority_uscc": "A1"},
     {"decision_number": "N|1", "authority_uscc": "A1", "subject_uscc": "S1"}),
    # the data source is the authority: stored once; another source: stored
    ("N1|A1|S1|", {"authority_name": "局", "authority_uscc": "A1"},
     {"authority_name": "局", "source_name": "局", "source_uscc": "A2", "subject_uscc": "S1"}),
    # empty strings and non-text values are never taken from the key
    ("N1|A1||7", {}, {"decision_number": "N1", "subject_uscc": "", "subject_id_number": 7}),
    ("", {}, {}),
]  # fmt: skip


@pytest.mark.parametrize(("key", "columns", "row"), CASES)
def test_lean_and_rebuild_are_exact_inverses(key: str, columns: dict[str, Any],
                                             row: dict[str, Any]) -> None:  # fmt: skip
    stored = lean_record.lean("penalty", key, columns, row)
    assert lean_record.rebuild("penalty", key, columns, stored) == row
    derived = lean_record.rebuild("penalty", key, columns, {})
    # lean: a field is stored only when the columns and the key cannot give it back
    assert all(k not in derived or derived[k] != v for k, v in stored.items() if k != "~")


@pytest.fixture
def old_url(database_url: str, tmp_path: Path) -> str:
    """A database of its own at head, to be taken down to the revision before the lean record."""
    return migrated_database(database_url, f"{make_url(database_url).database}_lean", tmp_path)


BEFORE = "fa5d9d5d511b"  # the head before migration 17a


def _stored(url: str) -> dict[int, dict[str, Any]]:
    engine = make_engine(url)
    with Session(engine) as db:  # only the two columns any revision has (not the whole model)
        rows = db.execute(select(Record.id, Record.data)).all()
    engine.dispose()
    return {i: dict(json.loads(d) if isinstance(d, str) else d) for i, d in rows}


def test_migration_converts_a_demo_database_and_every_row_comes_back(
    old_url: str, operator: Actor, today: date
) -> None:
    """Upgrade a database holding the demo region stored the old way (every field in `data`):
    every record's rebuilt row equals its old `data`, whose hash is the one collection stored."""
    engine = make_engine(old_url)  # today's code writes today's tables: load the demo at head, then
    with Session(engine) as db:
        demo.load(db, count=120, actor=operator, today=today)
        db.commit()
    engine.dispose()
    command.downgrade(migrate.alembic_config(old_url), BEFORE)  # the old format: the full row
    old = _stored(old_url)
    assert len(old) > 100
    migrate.upgrade(old_url)
    engine = make_engine(old_url)
    with Session(engine) as db:
        records = list(db.execute(select(Record)).scalars())
        classes = {r.info_class for r in records}
        for record in records:
            assert archive.source_row(record) == old[record.id], record.id
            assert record.content_hash == archive.content_hash(old[record.id])
        lean_bytes = sum(len(archive.canonical_json(r.data)) for r in records)
    engine.dispose()
    assert {"penalty", "licence"} <= classes
    assert lean_bytes < 0.8 * sum(len(archive.canonical_json(d)) for d in old.values())
    command.downgrade(migrate.alembic_config(old_url), BEFORE)  # and back: the full rows again
    assert _stored(old_url) == old


@pytest.mark.parametrize(
    ("key", "data", "want"),
    [
        ("严重失信主体名单|N1|S1|", {}, ["严重失信主体名单", "N1", "S1", None]),
        ("L|N1||P1", {}, ["L", "N1", None, "P1"]),
        # no clean split: every part the row had stayed in data, an absent one stays absent
        (
            "L|N|1|S1|",
            {"list_type": "L", "decision_number": "N|1", "subject_uscc": "S1"},
            ["L", "N|1", "S1", None],
        ),
    ],
)
def test_key_fields_in_sql_agree_with_the_rebuilt_row(
    session: Session, key: str, data: dict[str, Any], want: list[str | None]
) -> None:
    """`key_field_sql` (readers that select in the database) gives what `key_part`/`rebuild` do."""
    lay = lean_record.layout("serious_list")
    stored = literal(data, JSON)
    got = session.execute(
        select(
            *(
                lean_record.key_field_sql("serious_list", f, natural_key=literal(key), data=stored)
                for f in lay.key
            )
        )
    ).one()
    assert list(got) == want
    rebuilt = lean_record.rebuild("serious_list", key, {}, data)
    assert [rebuilt.get(f) for f in lay.key] == want
