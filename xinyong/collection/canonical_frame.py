"""The canonical text of a block's records as one Polars expression: `archive.canonical_json`
(json.dumps with sorted keys, ensure_ascii=False) built column-wise, so that a 10k-row chunk's
texts and content hashes cost no Python per row. Tests hold the two to byte equality
(tests/collection/test_frames.py); `compact` gives the stored lean text (`lean_record.dumps`).

Both texts are made of the same values: `json_texts` gives each field's JSON text once a block
(added to the frame as `JSON` + field id), and `canonical_expr(..., shared=True)` joins those
columns, so the values are escaped and formatted once, not once per text."""

from __future__ import annotations

import polars as pl

from xinyong.catalog.schema import Field

_JSON_ESCAPES = (["\\", '"', "\n", "\r", "\t"], ["\\\\", '\\"', "\\n", "\\r", "\\t"])
JSON = "json:"  # + field id (+ "," for a list's compact form): a field's JSON text (json_texts)
_LIST = pl.List(pl.String)


def _json_string(expr: pl.Expr, *, escape: bool = True) -> pl.Expr:
    escaped = expr.str.replace_many(*_JSON_ESCAPES) if escape else expr
    return pl.concat_str(pl.lit('"'), escaped, pl.lit('"'))


def _json_value(field_id: str, series: pl.Series, *, sep: str = ", ") -> pl.Expr:
    expr = pl.col(field_id)
    if series.dtype == pl.Date:
        return _json_string(expr.dt.to_string("%Y-%m-%d"), escape=False)
    if series.dtype == pl.Int64:
        return expr.cast(pl.String)
    if series.dtype == _LIST:
        items = expr.list.eval(_json_string(pl.element())).list.join(sep)
        return pl.concat_str(pl.lit("["), items, pl.lit("]"))
    needs = bool(series.str.contains_any(_JSON_ESCAPES[0]).any())  # most columns never do
    return _json_string(expr, escape=needs)


def json_texts(fields: list[Field], values: dict[str, pl.Series]) -> dict[str, pl.Expr]:
    """Each field's value as json.dumps writes it (a list also in its compact form), to be added
    to the block's frame once and joined by `canonical_expr(..., shared=True)`."""
    out: dict[str, pl.Expr] = {}
    for fid in sorted(f.id for f in fields if f.id in values):
        out[JSON + fid] = _json_value(fid, values[fid])
        if values[fid].dtype == _LIST:
            out[JSON + fid + ","] = _json_value(fid, values[fid], sep=",")
    return out


def canonical_expr(
    fields: list[Field],
    values: dict[str, pl.Series],
    drop: dict[str, pl.Expr] | None = None,
    *,
    compact: bool = False,
    shared: bool = False,
) -> pl.Expr:
    """archive.canonical_json (json.dumps, sorted keys, ensure_ascii=False) as one expression;
    `drop`: a field left out of the rows where its expression holds; `compact`: no blanks after
    the separators (lean_record.dumps, the stored text); `shared`: the values are the frame's
    `json_texts` columns."""
    drop = drop or {}
    sep, colon = (",", ":") if compact else (", ", ": ")
    pieces = []
    for fid in sorted(f.id for f in fields if f.id in values):
        if shared:
            listed = compact and values[fid].dtype == _LIST
            value = pl.col(JSON + fid + ("," if listed else ""))
        else:
            value = _json_value(fid, values[fid], sep=sep)
        piece = pl.concat_str(pl.lit(f'"{fid}"{colon}'), value)
        if fid in drop:
            piece = pl.when(drop[fid]).then(pl.lit(None, dtype=pl.String)).otherwise(piece)
        pieces.append(piece)
    body = pl.concat_str(pieces, separator=sep, ignore_nulls=True)
    return pl.concat_str(pl.lit("{"), body, pl.lit("}")).alias("data")
