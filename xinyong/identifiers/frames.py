"""The vectorised form of the identifier checks: a Polars column in, a Boolean column out.

Same weights, alphabets and check characters as the scalar functions in `core` (the only copy of
them), applied to a whole column at once: one million codes in about a second. Each predicate
accepts a *subset* of what the scalar validators accept — only codes already in canonical form
(upper case, no blanks or quotes, no 15-digit legacy ID numbers) — and never another value; a
False means "ask the scalar validator", which normalises and names the exact error.

Not imported by `identifiers/__init__` (Polars is heavy and the CLI's `--help` must start fast):
callers write `from xinyong.identifiers import frames`.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from xinyong.identifiers.core import (
    _ID_CHECK_CHARS,
    _ID_WEIGHTS,
    _ORG_ALPHABET,
    _ORG_WEIGHTS,
    _USCC_WEIGHTS,
    EARLIEST_BIRTH,
    USCC_ALPHABET,
    USCC_AUTHORITIES,
)

_LENGTH = 18
_USCC_SHAPE = rf"^[{''.join(USCC_AUTHORITIES)}][{USCC_ALPHABET}][0-9]{{6}}[{USCC_ALPHABET}]{{10}}$"
_ID_SHAPE = r"^[0-9]{17}[0-9X]$"
# Base-36 digit values of the letters the USCC alphabet leaves out (I, O, S, V, Z).
_SKIPPED = tuple(int(c, 36) for c in _ORG_ALPHABET if c not in USCC_ALPHABET)
_X = int("X", 36)


def _grid(codes: pl.Series, shaped: pl.Series) -> pl.DataFrame:
    """One column per character position ("0" … "17") of the shaped codes, as base-36 values."""
    n = int(shaped.sum())
    digits = codes.filter(shaped).str.split("").explode().str.to_integer(base=36, strict=False)
    return pl.DataFrame({"d": digits.cast(pl.Int32).reshape((n, _LENGTH))}).select(
        pl.col("d").arr.get(i).alias(str(i)) for i in range(_LENGTH)
    )


def _scatter(codes: pl.Series, shaped: pl.Series, good: pl.Series) -> pl.Series:
    out = pl.Series("ok", [False] * len(codes), dtype=pl.Boolean)
    return out.scatter(shaped.arg_true(), good)


def _weighted(weights: tuple[int, ...], values: list[pl.Expr]) -> pl.Expr:
    return pl.sum_horizontal(v * w for v, w in zip(values, weights, strict=False))


def uscc_ok(codes: pl.Series) -> pl.Series:
    """True where the code is a canonical USCC (GB 32100) whose two check characters hold.

    The registration authority is one of `USCC_AUTHORITIES`, characters 3–8 are digits, the
    embedded 组织机构代码 check (GB 11714, 10 written X) and the USCC check character hold.
    """
    shaped = codes.str.contains(_USCC_SHAPE).fill_null(False)
    if not shaped.any():
        return shaped.rename("ok")
    grid = _grid(codes, shaped)
    base36 = [pl.col(str(i)) for i in range(_LENGTH)]
    # Value in the 31-character USCC alphabet: the base-36 value minus the letters skipped.
    value = [b - pl.sum_horizontal((b > k).cast(pl.Int32) for k in _SKIPPED) for b in base36]
    org = (11 - _weighted(_ORG_WEIGHTS, base36[8:16]) % 11) % 11  # 10 is written X
    org_ok = base36[16] == pl.when(org == 10).then(_X).otherwise(org)
    check_ok = value[17] == (31 - _weighted(_USCC_WEIGHTS, value[:17]) % 31) % 31
    return _scatter(codes, shaped, grid.select(org_ok & check_ok).to_series())


def id_number_ok(codes: pl.Series, today: date | None = None) -> pl.Series:
    """True where the code is a canonical 18-character ID number (GB 11643) that checks out:
    a birth date from 1900 to `today` and the check character."""
    shaped = codes.str.contains(_ID_SHAPE).fill_null(False)
    if not shaped.any():
        return shaped.rename("ok")
    birth = codes.filter(shaped).str.slice(6, 8).str.to_date("%Y%m%d", strict=False)
    grid = _grid(codes, shaped).with_columns(birth=birth)
    digits = [pl.col(str(i)) for i in range(17)]
    remainder = _weighted(_ID_WEIGHTS, digits) % 11
    expected = remainder.replace_strict(
        list(range(11)), [int(c, 36) for c in _ID_CHECK_CHARS], return_dtype=pl.Int32
    )
    born_ok = pl.col("birth") >= EARLIEST_BIRTH
    if today is not None:
        born_ok = born_ok & (pl.col("birth") <= today)
    good = grid.select((born_ok & (pl.col("17") == expected)).fill_null(False)).to_series()
    return _scatter(codes, shaped, good)
