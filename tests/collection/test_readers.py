"""Readers and batch-level refusals: real-looking department exports in, clear errors for
malformed input, nothing stored."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.collection.conftest import HEADERS, penalty_rows, to_csv
from xinyong import collection
from xinyong.audit import Actor
from xinyong.catalog import Catalog
from xinyong.clock import Calendar
from xinyong.collection import BatchRefused, Submission, readers
from xinyong.db.tables import Batch, Provider, Record

DATA = Path(__file__).resolve().parents[1] / "data"


def _collect(
    session, provider, data, name, catalog, calendar, today, operator
) -> collection.BatchReport:
    sub = Submission("penalty", provider.uscc, data=data, file_name=name)
    return collection.collect(
        session, sub, catalog=catalog, calendar=calendar, actor=operator, today=today
    )


def _stored(session: Session) -> tuple[int, int]:
    records = session.execute(select(func.count()).select_from(Record)).scalar_one()
    batches = session.execute(select(func.count()).select_from(Batch)).scalar_one()
    return int(records), int(batches)


def test_gb18030_sample_is_detected_and_only_the_bad_row_rejected(
    session: Session,
    provider: Provider,
    catalog: Catalog,
    calendar: Calendar,
    today: date,
    operator: Actor,
) -> None:
    data = (DATA / "行政处罚_样例_gb18030.csv").read_bytes()
    report = _collect(session, provider, data, "样例.csv", catalog, calendar, today, operator)
    assert report.encoding == "gb18030"
    assert [(e["row"], e["code"]) for e in report.errors] == [(5, "collection.unknown_code")]
    assert (report.accepted, report.rejected) == (4, 1)
    assert any("地方编码" in w for w in report.warnings)  # a column nobody consumes


def test_xlsx_sample_reads_date_cells_and_catches_the_excel_mangled_uscc(
    session: Session,
    provider: Provider,
    catalog: Catalog,
    calendar: Calendar,
    today: date,
    operator: Actor,
) -> None:
    data = (DATA / "行政处罚_样例.xlsx").read_bytes()
    report = _collect(session, provider, data, "样例.xlsx", catalog, calendar, today, operator)
    codes = {(e["row"], e["code"]) for e in report.errors}
    assert codes == {(3, "identifiers.uscc.excel_mangled"), (5, "collection.unknown_code")}
    record = session.execute(select(Record).where(Record.source_row == 2)).scalar_one()
    assert record.decision_date == date(2026, 11, 11)
    assert record.data["fine_amount"] == "0.5"
    assert record.data["penalty_kinds"] == ["警告", "罚款"]


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00binary", "collection.not_a_table"),
        (b"\xff\xfe\xfa\xfb\x80\x81" * 50, "collection.encoding"),
        (b"   ", "collection.empty"),
        (b"PK\x03\x04 not really a workbook", "collection.not_a_table"),
    ],
)
def test_malformed_input_is_refused_as_a_batch(
    session: Session,
    provider: Provider,
    catalog: Catalog,
    calendar: Calendar,
    today: date,
    operator: Actor,
    content: bytes,
    code: str,
) -> None:
    with pytest.raises(BatchRefused) as caught:
        _collect(session, provider, content, "x.csv", catalog, calendar, today, operator)
    assert caught.value.code == code
    assert _stored(session) == (0, 0)


def test_formula_text_refuses_the_batch(
    session: Session,
    provider: Provider,
    catalog: Catalog,
    calendar: Calendar,
    today: date,
    operator: Actor,
) -> None:
    rows = penalty_rows(3)
    rows[1][7] = '=HYPERLINK("http://evil.example","点我")'
    with pytest.raises(BatchRefused) as caught:
        _collect(session, provider, to_csv(rows), "x.csv", catalog, calendar, today, operator)
    assert caught.value.code == "collection.formula"
    assert _stored(session) == (0, 0)


def test_a_10mb_cell_refuses_the_batch(
    session: Session,
    provider: Provider,
    catalog: Catalog,
    calendar: Calendar,
    today: date,
    operator: Actor,
) -> None:
    rows = penalty_rows(2)
    rows[0][8] = "长" * (10 * 1024 * 1024 // 3)
    with pytest.raises(BatchRefused) as caught:
        _collect(session, provider, to_csv(rows), "x.csv", catalog, calendar, today, operator)
    assert caught.value.code == "collection.cell_too_large"
    assert _stored(session) == (0, 0)


def test_merged_header_rows_are_refused_clearly() -> None:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    sheet = book.add_worksheet()
    sheet.merge_range(0, 0, 0, 5, "2026年行政处罚信息汇总表")
    sheet.write_row(1, 0, HEADERS)
    sheet.write_row(2, 0, penalty_rows(1)[0])
    book.close()
    with pytest.raises(BatchRefused) as caught:
        readers.read(buffer.getvalue(), file_name="x.xlsx")
    assert caught.value.code == "collection.merged_header"


def test_utf8_with_bom_and_field_codes_as_headers_are_read() -> None:
    codes = ["CF_XDR_MC", "CF_XDR_LB"]
    table = readers.read(b"\xef\xbb\xbf" + to_csv([["甲公司", "法人及非法人组织"]], codes))
    assert (table.encoding, table.headers) == ("utf-8-sig", tuple(codes))


def test_rejected_rows_xlsx_has_original_columns_a_reason_and_no_formula(
    session: Session,
    provider: Provider,
    catalog: Catalog,
    calendar: Calendar,
    today: date,
    operator: Actor,
) -> None:
    rows = penalty_rows(3)
    rows[1][13] = "不是日期"
    rows[1][11] = "-罚款2000元"  # would start a formula in a spreadsheet
    rows[1][9] = "@SUM 依据"
    report = _collect(session, provider, to_csv(rows), "x.csv", catalog, calendar, today, operator)
    batch = collection.get(session, report.batch_id or 0, actor=Actor.system())
    data = collection.rejected_rows_xlsx(batch, collection.rejected_rows(session, batch.id))
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][: len(HEADERS)] == tuple(HEADERS)
    assert values[0][len(HEADERS)] == "错误原因"
    assert len(values) == 2
    assert "处罚决定日期" in str(values[1][len(HEADERS)])
    cells = [c for row in sheet.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    assert values[1][11] == "'-罚款2000元"
    assert values[1][9] == "'@SUM 依据"


def test_a_short_first_block_keeps_every_chunk_where_it_was() -> None:
    """The pipeline validates one chunk first so the writer starts early; the committed chunks'
    bounds (the resume points, a pure function of the file) are those of equal blocks."""
    from xinyong.collection import pipeline, readers  # noqa: PLC0415

    table = readers.table_from_rows([{"a": str(i)} for i in range(123_456)])

    def bounds(**first: int) -> list[tuple[int, int]]:
        return [b for block in table.blocks(**first) for b in pipeline._chunks(block["_row"])]

    assert bounds(first=readers.CHUNK) == bounds()
    assert sum(block.height for block in table.blocks(first=readers.CHUNK)) == 123_456
    assert next(iter(table.blocks(first=readers.CHUNK))).height == readers.CHUNK


def test_collect_times_its_phases_on_each_thread(
    session: Session, provider: Provider, catalog: Catalog, calendar: Calendar, today: date,
    operator: Actor,
) -> None:  # fmt: skip
    """collection/phases.py: what the benchmark's phase table reads (XINYONG_COLLECT_PHASES)."""
    phases = collection.Phases()
    report = collection.collect(
        session, Submission("penalty", provider.uscc, data=to_csv(penalty_rows(3))),
        catalog=catalog, calendar=calendar, durable=False, actor=operator, today=today,
        phases=phases,
    )  # fmt: skip
    assert report.received == 3
    timed = phases.as_dict()["threads"]
    assert isinstance(timed, dict)
    wanted = {"read", "find batch", "validate", "link", "probe", "write in place", "finish"}
    assert wanted <= set(timed["main"])
    assert all(s["wall"] >= 0 and s["cpu"] >= 0 for s in timed["main"].values())
    assert timed["pool"]["polars threads"]["cpu"] >= 0  # Polars' own threads, beside the two


def _decodes(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@pytest.mark.parametrize("size", [7, 64, 1 << 24])
def test_the_fast_utf8_check_agrees_with_python_slice_by_slice(
    size: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(readers, "_SLICE", size)
    good = "名称,代码\n示范有限公司,91990100ABCDEFGH12\n\n𠀀,x\n".encode() * 5
    cuts = (b"\xe4\xb8", b"\xff", b"\xed\xa0\x80", b"\xc0\xaf", b"\xf4\x90\x80\x80")
    broken = [good[:9] + cut + good[9:] for cut in cuts]
    for data in [good, b"a\nb", *broken, "报送".encode("gb18030") + b"\n" + good]:
        fast = readers._valid_utf8(data)
        assert _decodes(data) or not fast  # never vouches for what Python refuses
        if size >= 64:  # every line fits in a slice: the fast check decides alone
            assert fast == _decodes(data)
        try:
            found: str | None = readers.detect_encoding(data)
        except BatchRefused:
            found = None
        assert (found == "utf-8") == _decodes(data)
