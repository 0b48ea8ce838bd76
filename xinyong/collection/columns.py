"""Columns: the cell rules of cells.py applied to a whole column at once (Polars).

Every function takes a cleaned column (strings, null = empty cell) and returns the normalised
column and `ok`: True where the cell is empty or surely valid *with exactly the value cells.py
gives*. False does not mean invalid: the row then goes through `validate.validate_row`, which
gives the exact issue (or accepts the row). So each fast rule accepts a subset of what cells.py
accepts, never more, and never another value.

Two techniques: vectorised expressions for high-cardinality types (text lengths, amounts,
integers, codes; USCC and ID-number checks from `identifiers.frames`), and the exact Python
parser of cells.py run once per *distinct* value for low-cardinality types (dates, code tables),
memoised for the whole file.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import polars as pl

from xinyong import identifiers
from xinyong.collection.cells import _STRIP, EMPTY_TOKENS, CellError
from xinyong.identifiers import frames

Fast = tuple[pl.Series, pl.Series]  # (normalised values, ok)
_EMPTY = sorted(EMPTY_TOKENS)
_DECIMAL = r"^[0-9]{1,20}(\.[0-9]{1,8})?$"  # ≤ 28 digits: Decimal.normalize() stays exact
_INTEGER = r"^[0-9]{1,18}(\.0)?$"
_CODE = r"^[!-~]+$"  # printable ASCII without blanks: NFKC and blank removal change nothing
_BLANK = "".join({"\t": r"\t", "\r": r"\r", "\n": r"\n"}.get(c, c) for c in _STRIP)
_EDGE = f"^[{_BLANK}]|[{_BLANK}]$"  # a cell cells.clean would trim
_JSON_UNSAFE = r"[\x00-\x08\x0b\x0c\x0e-\x1f]"  # json.dumps writes \u00XX: left to Python


def _frame(col: pl.Series) -> pl.DataFrame:
    return col.rename("v").to_frame()


def clean(col: pl.Series) -> pl.Series:
    """cells.clean for a column: trim blanks, 无 / — and the like → null. A column with no blank
    at either end of any cell is not copied by a strip (~0.9 µs a row over the 21 columns of a
    penalty; the search for one is ~0.4), nor by the nulls when it has no empty cell."""
    text = col.cast(pl.String)
    if text.str.contains(_EDGE).any():
        text = text.str.strip_chars(_STRIP)
    empty = text.is_in(_EMPTY) | (text.str.len_bytes() == 0)
    return text.set(empty, None) if empty.any() else text


def _ok(col: pl.Series, fast_ok: pl.Expr) -> pl.Series:
    """Empty cells are fine here (required is checked per row); else the fast rule."""
    return _frame(col).select(pl.col("v").is_null() | fast_ok.fill_null(False)).to_series()


def text(col: pl.Series, max_length: int | None) -> Fast:
    rule = pl.lit(True) if max_length is None else pl.col("v").str.len_chars() <= max_length
    return col, _ok(col, rule)


def decimal(col: pl.Series) -> Fast:
    """Plain non-negative numbers (commas allowed) → Decimal.normalize() text, e.g. 0.20 → 0.2."""
    plain = col.str.replace_all(",", "", literal=True)
    parts = _frame(plain).select(
        whole=pl.col("v").str.extract(r"^([0-9]+)", 1).str.strip_chars_start("0"),
        frac=pl.col("v").str.extract(r"\.([0-9]+)$", 1).str.strip_chars_end("0"),
        fits=pl.col("v").str.contains(_DECIMAL),
    )
    value = parts.select(
        pl.when(~pl.col("fits"))
        .then(None)
        .when(pl.col("frac").fill_null("") == "")
        .then(pl.when(pl.col("whole") == "").then(pl.lit("0")).otherwise(pl.col("whole")))
        .otherwise(
            pl.concat_str(
                pl.when(pl.col("whole") == "").then(pl.lit("0")).otherwise(pl.col("whole")),
                pl.lit("."),
                pl.col("frac"),
            )
        )
    ).to_series()
    fits = pl.col("v").str.replace_all(",", "", literal=True).str.contains(_DECIMAL)
    return value, _ok(col, fits)


def integer(col: pl.Series) -> Fast:
    fits = pl.col("v").str.contains(_INTEGER)
    value = _frame(col).select(
        pl.when(fits).then(pl.col("v").str.strip_suffix(".0").cast(pl.Int64, strict=False))
    )
    return value.to_series(), _ok(col, fits)


def code(col: pl.Series, max_length: int | None) -> Fast:
    """`code` fields: compact(text).upper() — for printable ASCII that is just upper()."""
    rule = pl.col("v").str.contains(_CODE)
    if max_length is not None:
        rule = rule & (pl.col("v").str.len_chars() <= max_length)
    return col.str.to_uppercase(), _ok(col, rule)


class Memo:
    """Exact cells.py results per (field, distinct text) for the whole file."""

    def __init__(self) -> None:
        self.values: dict[tuple[str, str], tuple[Any, bool]] = {}

    def by_distinct(
        self, key: str, col: pl.Series, parse: Callable[[str], Any], dtype: pl.DataType
    ) -> Fast:
        keys: list[str] = []
        values: list[Any] = []
        oks: list[bool] = []
        for value in col.drop_nulls().unique().to_list():
            hit = self.values.get((key, value))
            if hit is None:
                try:
                    hit = (parse(value), True)
                except CellError:
                    hit = (None, False)
                self.values[(key, value)] = hit
            keys.append(value)
            values.append(hit[0])
            oks.append(hit[1])
        table = pl.DataFrame(
            {"v": keys, "value": values, "ok": oks},
            schema={"v": pl.String, "value": dtype, "ok": pl.Boolean},
        )
        joined = _frame(col).join(table, on="v", how="left", maintain_order="left")
        return joined["value"], joined["ok"].fill_null(True)


def uscc(col: pl.Series, *, kinds: bool = True) -> tuple[pl.Series, pl.Series, pl.Series | None]:
    """Values, ok and the suggested subject kind (`kinds`: only the subject's code needs it):
    `identifiers.frames.uscc_ok` over the distinct codes; anything unusual (lower case, blanks,
    quotes) is left to Python."""
    distinct = col.drop_nulls().unique()
    good = distinct.filter(frames.uscc_ok(distinct))
    ok = _ok(col, pl.col("v").is_in(good.implode()))
    if not kinds:
        return col, ok, None
    suggested = _frame(col).select(
        pl.col("v")
        .str.slice(0, 2)
        .replace_strict(_suggested(), default="enterprise", return_dtype=pl.String)
    )
    return col, ok, suggested.to_series()


def _suggested() -> dict[str, str]:
    return dict(identifiers.SUGGESTED_KINDS)


def id_number(col: pl.Series, today: date) -> Fast:
    """18-character resident ID numbers: `identifiers.frames.id_number_ok` over distinct codes."""
    distinct = col.drop_nulls().unique()
    good = distinct.filter(frames.id_number_ok(distinct, today))
    return col, _ok(col, pl.col("v").is_in(good.implode()))


def json_unsafe(col: pl.Series) -> pl.Series:
    """Texts json.dumps would escape as \\u00XX (rare control characters): left to Python.
    frames.py asks it of each accepted row's canonical text, which holds every mapped value."""
    return col.str.contains(_JSON_UNSAFE).fill_null(False)
