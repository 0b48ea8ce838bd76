"""Readers: CSV (UTF-8 with/without BOM, GB18030/GBK), XLSX (Excel and WPS) and JSON rows →
one `Table` of strings with the source row numbers a clerk sees in the file.

A file that is not a table, uses an unknown encoding, has a merged or multi-line header, holds a
formula or an oversized cell is refused as a whole (`BatchRefused`) before anything is stored.
"""

from __future__ import annotations

import codecs
import dataclasses
import io
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import polars as pl

from xinyong.errors import InvalidInput

MAX_CELL = 32_767  # Excel's own limit for one cell
CHUNK = 10_000  # rows per committed chunk (the resume granularity)
BLOCK = 50_000  # rows validated together, column by column (bounds the working memory)
_FORMULA = re.compile(r"^\s*[=＝+\-@]\s*[A-Za-z_][A-Za-z0-9_.]*\s*\(")
_ZIP = b"PK\x03\x04"
_BINARY_MAGIC = (b"%PDF", b"\xd0\xcf\x11\xe0", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b")


class BatchRefused(InvalidInput):
    """The whole submission is refused; nothing of it is stored."""

    code = "collection.batch_refused"


@dataclass(frozen=True, slots=True)
class Table:
    headers: tuple[str, ...]
    frame: pl.DataFrame  # "_row" (source row number) then every column as Utf8, header order
    source_format: str  # csv | xlsx | json
    encoding: str | None
    # no cell holds a control character json.dumps escapes as \u00XX (a CSV's bytes were looked
    # at once: the column-wise validation then skips its search of every row, frames.py)
    control_free: bool = False

    @property
    def height(self) -> int:
        return self.frame.height

    def blocks(self, size: int = BLOCK, *, first: int | None = None) -> Iterator[pl.DataFrame]:
        """Slices of the frame ("_row", then the cells as strings); `first`: the first slice's
        size when smaller (a multiple of CHUNK keeps every chunk's bounds where they were)."""
        offset = 0
        if first is not None and first < size:
            yield self.frame.slice(0, first)
            offset = first
        for start in range(offset, self.frame.height, size):
            yield self.frame.slice(start, size)


def read(data: bytes, *, file_name: str | None = None) -> Table:
    """Sniff the format from the content (and the name), read, and check the whole table."""
    if not data or data.isspace():  # as `not data.strip()`, without a copy of the file
        raise BatchRefused("文件为空", code="collection.empty")
    name = (file_name or "").lower()
    if data.startswith(_ZIP) or name.endswith((".xlsx", ".xlsm")):
        table = read_xlsx(data)
    elif name.endswith(".json") or data.lstrip()[:1] in (b"[", b"{"):
        table = read_json(data)
    else:
        table = read_csv(data)
    check_cells(table)
    return table


def detect_encoding(data: bytes) -> str:
    """utf-8-sig, utf-8 or gb18030 (a superset of GBK), checked over the whole file."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if _valid_utf8(data):
        return "utf-8"
    for encoding in ("utf-8", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            for start in range(0, len(data), 1 << 20):
                decoder.decode(data[start : start + (1 << 20)])
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise BatchRefused(
        "无法识别文件编码（支持 UTF-8 与 GB18030/GBK），请另存为“CSV UTF-8”后重新报送",
        code="collection.encoding",
    )


_SLICE = 1 << 24
# every byte but the control characters json.dumps writes as \u00XX (columns._JSON_UNSAFE): in
# UTF-8 (and GB18030) such a byte is never part of another character, so a file without one has
# no cell with one; `bytes.translate` deleting these keeps only those (~0.1 µs a row)
_NOT_CONTROL = bytes(b for b in range(256) if b >= ord(" ") or chr(b) in "\t\n\r")


def _valid_utf8(data: bytes) -> bool:
    """Strict UTF-8 (as Python's decoder) checked by Polars a slice at a time, ~10 × faster
    than decoding in Python; each slice ends after a newline, never inside a character.
    False means "not shown valid": the caller then decodes in Python."""
    start = 0
    while start < len(data):
        end = len(data)
        if start + _SLICE < end:
            end = data.rfind(b"\n", start, start + _SLICE) + 1
            if end <= start:  # a 16 MB line: left to Python
                return False
        try:
            pl.Series([data[start:end]], dtype=pl.Binary).cast(pl.String)
        except pl.exceptions.ComputeError:
            return False
        start = end
    return True


def read_csv(data: bytes) -> Table:
    if data.startswith(_BINARY_MAGIC) or b"\x00" in data[:8192]:
        raise BatchRefused(
            "文件不是表格（疑似二进制文件），请上传 CSV、XLSX 或 JSON",
            code="collection.not_a_table",
        )
    encoding = detect_encoding(data)
    if encoding == "gb18030":
        data = data.decode("gb18030").encode("utf-8")
    elif encoding == "utf-8-sig":
        data = data[len(codecs.BOM_UTF8) :]
    try:
        frame = pl.read_csv(
            io.BytesIO(data), infer_schema=False, has_header=False, truncate_ragged_lines=True
        )
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError) as exc:
        raise BatchRefused(
            f"无法按 CSV 读取：{str(exc)[:200]}", code="collection.not_a_table"
        ) from None
    return dataclasses.replace(
        _with_header(frame, "csv", encoding), control_free=not data.translate(None, _NOT_CONTROL)
    )


def read_xlsx(data: bytes) -> Table:
    try:
        frame = pl.read_excel(
            io.BytesIO(data), engine="calamine", has_header=False, infer_schema_length=0
        )
    except Exception as exc:  # calamine raises its own types for every broken workbook
        raise BatchRefused(
            f"无法读取 Excel 文件：{str(exc)[:200]}", code="collection.not_a_table"
        ) from None
    return _with_header(frame, "xlsx", None)


def read_json(data: bytes) -> Table:
    try:
        payload = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise BatchRefused("JSON 格式错误，应为对象数组", code="collection.not_a_table") from None
    rows = payload.get("rows") if isinstance(payload, dict) else payload
    return table_from_rows(rows)


def table_from_rows(rows: object) -> Table:
    """API rows: a list of objects keyed by field id, Chinese name or field code."""
    if not isinstance(rows, list) or not rows or not all(isinstance(r, dict) for r in rows):
        raise BatchRefused("rows 应为非空的对象数组", code="collection.not_a_table")
    headers: list[str] = []
    for row in rows:
        headers.extend(k for k in row if k not in headers)
    columns = {h: [_text(r.get(h)) for r in rows] for h in headers}
    frame = pl.DataFrame(columns, schema=dict.fromkeys(headers, pl.String))
    frame.columns = [f"c{i}" for i in range(len(headers))]
    return Table(tuple(headers), frame.with_row_index("_row", offset=1), "json", "utf-8")


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):
        return "；".join(str(v) for v in value)
    return str(value)


def _with_header(frame: pl.DataFrame, source_format: str, encoding: str | None) -> Table:
    if frame.height == 0:
        raise BatchRefused("文件中没有表头行", code="collection.not_a_table")
    header_row = [(_text(v) or "").strip() for v in frame.row(0)]
    named = [h for h in header_row if h]
    if not named:
        raise BatchRefused("第1行没有列名", code="collection.not_a_table")
    if len(named) < len(header_row) and _looks_merged(frame, header_row):
        raise BatchRefused(
            "表头疑似合并单元格或多行表头：第1行须为一行完整的字段名，请取消合并后重新报送",
            code="collection.merged_header",
        )
    keep = [i for i, h in enumerate(header_row) if h]
    body = frame.slice(1).select([frame.columns[i] for i in keep])
    headers = tuple(header_row[i] for i in keep)
    body.columns = [f"c{i}" for i in range(len(headers))]
    body = body.with_row_index("_row", offset=2)
    body = body.filter(~pl.all_horizontal(pl.all().exclude("_row").is_null()))  # blank lines
    if body.height == 0:
        raise BatchRefused("文件只有表头，没有数据行", code="collection.empty")
    return Table(headers, body, source_format, encoding)


def _looks_merged(frame: pl.DataFrame, header_row: Sequence[str]) -> bool:
    """Blank header cells with data under them, or a second row that is itself a header."""
    blanks = [i for i, h in enumerate(header_row) if not h]
    return frame.height > 1 and any(frame.row(1)[i] is not None for i in blanks)


def check_cells(table: Table) -> None:
    """Refuse the batch for an oversized cell or a formula (never stored, never echoed back)."""
    frame = table.frame.drop("_row")
    if frame.width == 0:
        return
    longest = frame.select(pl.max_horizontal(pl.all().str.len_chars().max())).item()
    if longest is not None and longest > MAX_CELL:
        raise BatchRefused(
            f"存在超长单元格（{longest} 个字符，上限 {MAX_CELL}），整批未入库",
            code="collection.cell_too_large",
        )
    formula = frame.select(pl.any_horizontal(pl.all().str.contains(_FORMULA.pattern).any())).item()
    if formula:
        raise BatchRefused(
            "单元格含公式（如 =HYPERLINK(...)），为安全起见整批未入库；请粘贴为数值后重新报送",
            code="collection.formula",
        )
