"""Excel: the rejected rows of a batch as XLSX — the original columns plus 错误原因 — so a clerk
can fix just those rows and submit them again.

Every cell is written as a string (`write_string`), never as a formula; text a spreadsheet would
still read as a formula (= + - @ at the start) also gets a leading apostrophe, in case the file
is re-saved as CSV and opened again.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import xlsxwriter

from xinyong.db.tables import Batch, BatchRow

REASON = "错误原因"
ROW = "原行号"
_FORMULA_START = ("=", "+", "-", "@", "＝", "＋", "－", "＠", "\t", "\r")


def safe_cell(value: str) -> str:
    """Text that no spreadsheet will execute."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def rejected_rows_xlsx(batch: Batch, rows: Sequence[BatchRow]) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer, {"strings_to_formulas": False, "strings_to_urls": False, "in_memory": True}
    )
    sheet = book.add_worksheet("退回数据")
    bold = book.add_format({"bold": True})
    headers = [*batch.columns, REASON, ROW]
    for col, header in enumerate(headers):
        sheet.write_string(0, col, safe_cell(header), bold)
    for line, row in enumerate(rows, start=1):
        cells = (row.source or {}).get("cells", [])
        for col, value in enumerate(cells):
            if value is not None:
                sheet.write_string(line, col, safe_cell(str(value)))
        reasons = "；".join(f"{i['field'] or '整行'}：{i['message']}" for i in row.issues or [])
        sheet.write_string(line, len(batch.columns), safe_cell(reasons))
        sheet.write_number(line, len(batch.columns) + 1, row.row_no)
    sheet.freeze_panes(1, 0)
    book.close()
    return buffer.getvalue()


def table_xlsx(title: str, headers: Sequence[str], rows: Sequence[Sequence[object]]) -> bytes:
    """Any table as XLSX: numbers as numbers, everything else as formula-safe text."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer, {"strings_to_formulas": False, "strings_to_urls": False, "in_memory": True}
    )
    sheet = book.add_worksheet(safe_sheet_name(title))
    bold = book.add_format({"bold": True})
    for col, header in enumerate(headers):
        sheet.write_string(0, col, safe_cell(str(header)), bold)
    for line, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                sheet.write_number(line, col, value)
            else:
                sheet.write_string(line, col, safe_cell(str(value)))
    sheet.freeze_panes(1, 0)
    book.close()
    return buffer.getvalue()


def safe_sheet_name(title: str) -> str:
    """Excel sheet names: at most 31 characters, none of the characters Excel forbids."""
    cleaned = "".join("_" if ch in "[]:*?/\\" else ch for ch in title).strip("'")
    return cleaned[:31] or "数据"
