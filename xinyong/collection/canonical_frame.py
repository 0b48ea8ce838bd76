"""The canonical text of a block's records as one Polars expression: `archive.canonical_json`
(json.dumps with sorted keys, ensure_ascii=False) built column-wise, so that a 10k-row chunk's
texts and content hashes cost no Python per row. Tests hold the two to byte equality
(tests/collection/test_frames.py); `compact` gives the stored lean text (`lean_record.dumps`).

Both texts are made of the same values: `json_texts` adds the few value columns that need a form
of their own (escaped text, a date or an integer as text, a list's JSON), once a block; a value
that needs none (most text columns) is read where it is. `canonical_expr` is then ONE
`concat_str` of literals and value columns: a field present in every row of the block (null
count 0, not dropped) is written straight into the text — its key, quotes and separator are
literals beside it — and only a field that may be absent becomes a piece of its own (null when
the value is, so that the key goes with it). No intermediate column per field, no second copy
for the braces (issue 17: the texts were ~3.9 µs of CPU a row, the largest part of validation).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import polars as pl

from xinyong.catalog.schema import Field

_JSON_ESCAPES = (["\\", '"', "\n", "\r", "\t"], ["\\\\", '\\"', "\\n", "\\r", "\\t"])
_TO_ESCAPE = r'["\\\n\r\t]'  # one class: half the CPU of contains_any(_JSON_ESCAPES[0])
JSON = "json:"  # + field id (+ "," for a list's compact form): a field's JSON form (json_texts)
_LIST = pl.List(pl.String)


def _json_string(expr: pl.Expr) -> pl.Expr:
    return pl.concat_str(pl.lit('"'), expr.str.replace_many(*_JSON_ESCAPES), pl.lit('"'))


def escaped(values: dict[str, pl.Series]) -> frozenset[str]:
    """The text fields of a block with a character json.dumps escapes (most columns have none)."""
    return frozenset(
        fid
        for fid, series in values.items()
        if series.dtype == pl.String and bool(series.str.contains(_TO_ESCAPE).any())
    )


def _form(
    fid: str, series: pl.Series, escapes: frozenset[str], *, compact: bool
) -> tuple[str, bool]:
    """The column that holds the field's JSON form in the frame (the value column itself, or the
    one `json_texts` adds) and whether the text goes between quotes."""
    if series.dtype == _LIST:
        return JSON + fid + ("," if compact else ""), False
    if series.dtype == pl.Int64:
        return JSON + fid, False
    if series.dtype == pl.Date or fid in escapes:
        return JSON + fid, True
    return fid, True  # text json.dumps writes as it is


def json_texts(
    fields: list[Field], values: dict[str, pl.Series], escapes: frozenset[str]
) -> dict[str, pl.Expr]:
    """The value columns of a block that need a JSON form of their own (an escaped text, a date
    or integer as text, a list in both separators' forms), to be added to the block's frame once
    and read by `canonical_expr` (canonical and lean text alike)."""
    out: dict[str, pl.Expr] = {}
    for fid in sorted(f.id for f in fields if f.id in values):
        series, expr = values[fid], pl.col(fid)
        if series.dtype == _LIST:
            for sep, name in ((", ", JSON + fid), (",", JSON + fid + ",")):
                items = expr.list.eval(_json_string(pl.element())).list.join(sep)
                out[name] = pl.concat_str(pl.lit("["), items, pl.lit("]"))
        elif series.dtype == pl.Date:
            out[JSON + fid] = expr.dt.to_string("%Y-%m-%d")
        elif series.dtype == pl.Int64:
            out[JSON + fid] = expr.cast(pl.String)
        elif fid in escapes:
            out[JSON + fid] = expr.str.replace_many(*_JSON_ESCAPES)
    return out


@dataclass(frozen=True, slots=True)
class Shared:
    """What a block's canonical and lean texts share: the text fields with characters to escape,
    the fields with a value in every row of the frame."""

    escapes: frozenset[str]
    present: frozenset[str]


def with_json_texts(
    frame: pl.DataFrame, fields: list[Field], values: dict[str, pl.Series]
) -> tuple[pl.DataFrame, Shared]:
    """The frame with its `json_texts` added, and what `canonical_expr` needs to know of it."""
    escapes = escaped(values)
    frame = frame.with_columns(**json_texts(fields, values, escapes))
    return frame, Shared(escapes, frozenset(f for f in values if frame[f].null_count() == 0))


def canonical_expr(
    fields: list[Field],
    values: dict[str, pl.Series],
    drop: dict[str, pl.Expr] | None = None,
    *,
    escapes: frozenset[str],
    present: Collection[str] = (),
    compact: bool = False,
) -> pl.Expr:
    """archive.canonical_json (json.dumps, sorted keys, ensure_ascii=False) as one expression
    over a frame holding `values` and their `json_texts`; `drop`: a field left out of the rows
    where its expression holds; `escapes`: the text fields `json_texts` escaped (`escaped`);
    `present`: fields with a value in every row of the frame; `compact`: no blanks after the
    separators (lean_record.dumps, the stored text)."""
    drop = drop or {}
    sep, colon = (",", ":") if compact else (", ", ": ")
    ids = sorted(f.id for f in fields if f.id in values)
    always = [fid for fid in ids if fid in present and fid not in drop]
    # the separators hang on the one field every row has: before it a piece ends with one, after
    # it a piece starts with one (with no such field: pieces joined by concat_str's separator)
    anchor = ids.index(always[0]) if always else None
    parts: list[str | pl.Expr] = ["{"]
    for at, fid in enumerate(ids):
        column, quoted = _form(fid, values[fid], escapes, compact=compact)
        quote = '"' if quoted else ""
        lead = sep if anchor is not None and at > anchor else ""
        trail = sep if anchor is not None and at < anchor else ""
        opening, closing = f'{lead}"{fid}"{colon}{quote}', f"{quote}{trail}"
        if fid in always:
            parts += [opening, pl.col(column), closing]
            continue
        # null when the value is: the key and its separator go with it
        piece = pl.concat_str(pl.lit(opening), pl.col(column), pl.lit(closing))
        if fid in drop:
            piece = pl.when(drop[fid]).then(pl.lit(None, dtype=pl.String)).otherwise(piece)
        parts.append(piece)
    parts.append("}")
    if anchor is None:
        pieces = [p for p in parts if isinstance(p, pl.Expr)]
        body = pl.concat_str(pieces, separator=sep, ignore_nulls=True)
        return pl.concat_str(pl.lit("{"), body, pl.lit("}")).alias("data")
    return pl.concat_str(_merged(parts), ignore_nulls=True).alias("data")


def _merged(parts: list[str | pl.Expr]) -> list[pl.Expr]:
    """Adjacent literals as one."""
    out: list[pl.Expr] = []
    text = ""
    for part in parts:
        if isinstance(part, str):
            text += part
            continue
        if text:
            out.append(pl.lit(text))
            text = ""
        out.append(part)
    if text:
        out.append(pl.lit(text))
    return out
