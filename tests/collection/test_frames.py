"""The column-by-column validation (frames.py) gives, row for row, what validate_row gives: the same
accepted data, natural key, content hash, subject and timeliness, and the same issues."""

from __future__ import annotations

import json
import random
from datetime import date
from typing import Any

import polars as pl

from tests.collection.conftest import penalty_rows, to_csv
from xinyong.catalog import Catalog
from xinyong.clock import Calendar
from xinyong.collection import readers
from xinyong.collection.frames import FILLED, INPUT, BlockValidator
from xinyong.collection.validate import Context, RejectedRow, ValidRow, map_columns, validate_row
from xinyong.db import lean_record
from xinyong.disclosure import stored

# Cells departments really send, valid and not: formats the fast rules take, formats only the
# per-row path takes, and values both must refuse.
ODD_CELLS = [
    "", " ", "无", "—", "2026/11/5", "2026.11.05", "2026年11月5日", "20261105", "45000", "45000.5",
    "2026-13-01", "２０２６-11-05", "0.20", "1,000.50", "-1", "1e3", "00012", "0", "0.000", ".5",
    "罚款", "警告；罚款", "03", "警告,罚款,警告", "罚酒三杯", "自然人", "个体工商户", "1", "2", "3",
    "x" * 300, "a\nb", 'q"uote\\', "ctl\x01", " 91110000MA01234567 ", "身份证", "护照号",
    "E12345678",
    "2099-12-31", "2026-11-01", "2026-11-30", "1900-01-01", "0000-01-01", "2026-11-16 00:00:00",
    "\u3000罚款\u3000", "其他-测试", "9.14403E+17", "110101199003078515", "11010119900307851x",
    "110101900307851",
]  # fmt: skip


def _expected(row: ValidRow, catalog: Catalog) -> dict[str, Any]:
    fields = catalog.info_class("penalty").fields
    return {
        "natural_key": row.natural_key,
        "content_hash": row.content_hash,
        # the stored text is archive.lean's, byte for byte; the hash is over the full row
        "data": lean_record.dumps(
            lean_record.lean("penalty", row.natural_key, row.columns, row.data)
        ),
        "subject_code": row.subject_code,
        "subject_kind": row.subject_kind.value,
        "subject_name": row.subject_name,
        **row.columns,
        "timely": row.timely,
        "calendar_gap": row.calendar_gap,
        **{FILLED + f.id: f.id in row.data for f in fields},
        # the severity inputs as values (the list of a multi-valued code, else the text)
        **{INPUT + fid: (v if v is None or isinstance(v, list) else str(v))
           for fid in stored.input_fields(catalog.info_class("penalty"))
           for v in [row.data.get(fid)]},
    }  # fmt: skip


def test_column_validation_agrees_with_row_validation_on_every_row(
    catalog: Catalog, calendar: Calendar, today: date
) -> None:
    rows = penalty_rows(3000, seed=3)
    rng = random.Random(7)
    for row in rows:
        for _ in range(rng.choice([0, 0, 0, 1, 2])):
            row[rng.randrange(len(row))] = rng.choice(ODD_CELLS)
    table = readers.read(to_csv(rows), file_name="penalty.csv")
    ctx = Context(catalog.info_class("penalty"), catalog, today, today, calendar)
    columns = map_columns(ctx.info_class, table.headers)
    checked = BlockValidator(ctx, columns).check(table.frame)
    accepted = {r["row_no"]: r for r in checked.accepted.iter_rows(named=True)}
    rejected = {r["row_no"]: r["issues"] for r in checked.rejected}
    assert len(accepted) > 1000  # both paths are exercised
    assert len(rejected) > 300
    for source in table.frame.rows():
        row_no = int(source[0])
        want = validate_row(ctx, columns, row_no, source[1:])
        if isinstance(want, RejectedRow):
            issues = [{"field": i.field, "code": i.code, "message": i.message} for i in want.issues]
            assert rejected.get(row_no) == issues, row_no
        else:
            got = accepted[row_no]
            assert {k: got[k] for k in _expected(want, catalog)} == _expected(want, catalog)
            lean = json.loads(got["data"])
            assert lean_record.rebuild("penalty", got["natural_key"], got, lean) == want.data
    # the stored severity from the value columns is the one read from `data` row by row
    for kind in (None, "market_regulation"):
        typed = stored.classify_frame(catalog, "penalty", kind, checked.accepted)
        parsed = stored.classify_frame(
            catalog, "penalty", kind, checked.accepted.select(pl.exclude(f"^{INPUT}.*$"))
        )
        out = ["row_no", "severity_class", "severity_basis"]
        assert typed.select(out).equals(parsed.select(out))
        assert typed["severity_class"].n_unique() >= 2  # not one class for every row


def test_a_repeated_natural_key_is_rejected_in_its_block_and_in_every_later_one(
    catalog: Catalog, calendar: Calendar, today: date
) -> None:
    from xinyong.collection.pipeline import Tally  # noqa: PLC0415

    rows = penalty_rows(30, seed=5)
    rows[4] = list(rows[1])  # same block as its first row
    rows[15] = list(rows[2])  # a later block
    rows[27] = list(rows[12])  # a later block, first seen in the second one
    rows[28] = list(rows[12])
    table = readers.read(to_csv(rows), file_name="penalty.csv")
    ctx = Context(catalog.info_class("penalty"), catalog, today, today, calendar)
    tally = Tally(BlockValidator(ctx, map_columns(ctx.info_class, table.headers)))
    accepted, rejected = [], []
    for block in table.blocks(10, first=10):
        checked = tally.validate(block)
        accepted += checked.accepted["row_no"].to_list()
        rejected += [(r["row_no"], r["issues"][0]["message"][:5]) for r in checked.rejected]
    # source rows are numbered from 2 (the header is row 1)
    assert rejected == [(6, "与第3行是"), (17, "与第4行是"), (29, "与第14行"), (30, "与第14行")]
    assert len(accepted) == 26
    assert accepted == sorted(accepted)


def test_a_control_character_in_an_accepted_value_is_written_as_json_dumps_writes_it(
    catalog: Catalog, calendar: Calendar, today: date
) -> None:
    """One search of each row's canonical text finds it (not one per cell): the row goes to
    Python, its hash and stored text are json.dumps's (\\u0001), the others stay column-wise."""
    rows = penalty_rows(6, seed=11)
    rows[2][8] = "违法\x01事实"  # 违法事实, free text
    rows[4][8] = 'a "quoted"\\ fact\twith a tab'  # escaped by the column-wise path itself
    table = readers.read(to_csv(rows), file_name="penalty.csv")
    ctx = Context(catalog.info_class("penalty"), catalog, today, today, calendar)
    columns = map_columns(ctx.info_class, table.headers)
    assert not table.control_free  # the file's bytes hold one
    checked = BlockValidator(ctx, columns, control_free=table.control_free).check(table.frame)
    assert not checked.rejected
    got = {r["row_no"]: r for r in checked.accepted.iter_rows(named=True)}
    for source in table.frame.rows():
        want = validate_row(ctx, columns, int(source[0]), source[1:])
        assert isinstance(want, ValidRow)
        assert {k: got[want.row_no][k] for k in _expected(want, catalog)} == _expected(
            want, catalog
        )
    assert "\\u0001" in got[4]["data"]
    rows[2][8] = "违法事实"
    assert readers.read(to_csv(rows), file_name="penalty.csv").control_free
    assert readers.read(to_csv(rows, encoding="gb18030"), file_name="penalty.csv").control_free


def test_the_canonical_expression_is_canonical_json_whichever_fields_every_row_has() -> None:
    """The separators hang on a field every row has; with none, pieces are joined: both give
    archive.canonical_json byte for byte, absent and dropped fields leaving no trace."""
    from xinyong import archive  # noqa: PLC0415
    from xinyong.catalog.schema import Field  # noqa: PLC0415
    from xinyong.collection.canonical_frame import (  # noqa: PLC0415
        canonical_expr,
        escaped,
        json_texts,
    )

    values = {
        "a": pl.Series(["x", None, 'q"', None], dtype=pl.String),
        "b": pl.Series([date(2026, 1, 2), date(2026, 1, 3), None, None], dtype=pl.Date),
        "c": pl.Series([1, 2, 3, 4], dtype=pl.Int64),
        "d": pl.Series([["甲", "乙"], None, ["丙"], []], dtype=pl.List(pl.String)),
        "e": pl.Series(["一", "二", "三", "四"], dtype=pl.String),
    }
    fields = [Field.model_validate({"id": k, "code": k, "label": k, "type": "text"})
              for k in values]  # fmt: skip
    frame = pl.DataFrame(values)
    escapes = escaped(values)
    frame = frame.with_columns(**json_texts(fields, values, escapes))
    rows = pl.DataFrame(values).to_dicts()
    for present in (frozenset(), frozenset({"c"}), frozenset({"c", "e"}), frozenset({"e"})):
        for drop in ({}, {"c": pl.col("c") > 2}, {"e": pl.col("c") == 1}):
            for compact in (False, True):
                expr = canonical_expr(fields, values, drop, escapes=escapes, present=present,
                                      compact=compact)  # fmt: skip
                texts = frame.select(expr).to_series().to_list()
                for i, (row, text) in enumerate(zip(rows, texts, strict=True)):
                    kept = {k: v for k, v in row.items() if v is not None
                            and not (k == "c" and "c" in drop and v > 2)
                            and not (k == "e" and "e" in drop and row["c"] == 1)}  # fmt: skip
                    want = archive.canonical_json(kept)
                    if compact:
                        want = json.dumps(json.loads(want), ensure_ascii=False, sort_keys=True,
                                          separators=(",", ":"))  # fmt: skip
                    assert text == want, (present, drop, compact, i)
