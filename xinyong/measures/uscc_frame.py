"""Vectorised USCC check characters (GB 32100, with the GB 11714 organisation code inside) over a
Polars column of codes: the fast lane of screening, one million codes in about a second.

`plain_uscc_mask` says True only for an upper-case, 18-character USCC whose registration authority
is one of 1–9/A/N/Y, whose region code is six digits and whose two check characters hold — the
same rule as `screening.quick_uscc`. Anything else goes through
`identifiers.validate_subject_code` row by row, which names the exact error.
"""

from __future__ import annotations

import polars as pl

from xinyong import identifiers

USCC_W = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)  # 3^i mod 31
ORG_W = (3, 7, 9, 10, 5, 8, 4, 2)  # GB 11714
LENGTH = 18
# Base-36 digit values of the letters the USCC alphabet leaves out (I, O, S, V, Z).
_SKIPPED = tuple(int(c, 36) for c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ" if
                 c not in identifiers.USCC_ALPHABET)  # fmt: skip
_SHAPE = r"^[1-9ANY][0-9A-Z][0-9]{6}[0-9A-Z]{10}$"


def plain_uscc_mask(codes: pl.Series) -> pl.Series:
    """True where the code is a plain, well-formed USCC whose two check characters hold."""
    shaped = codes.str.contains(_SHAPE).fill_null(False)
    n = int(shaped.sum())
    if n == 0:
        return shaped
    digits = codes.filter(shaped).str.split("").explode().str.to_integer(base=36, strict=False)
    grid = pl.DataFrame({"d": digits.cast(pl.Int32).reshape((n, LENGTH))}).select(
        pl.col("d").arr.get(i).alias(str(i)) for i in range(LENGTH)
    )
    uscc = [_uscc_value(pl.col(str(i))) for i in range(LENGTH)]
    org = pl.sum_horizontal(pl.col(str(8 + i)) * w for i, w in enumerate(ORG_W)) % 11
    org_check = (11 - org) % 11  # 10 is written X
    org_ok = pl.col("16") == pl.when(org_check == 10).then(33).otherwise(org_check)  # noqa: PLR2004
    total = pl.sum_horizontal(v * w for v, w in zip(uscc, USCC_W, strict=False))
    check_ok = uscc[17] == (31 - total % 31) % 31
    alphabet_ok = pl.all_horizontal(~pl.col(str(i)).is_in(_SKIPPED) for i in range(LENGTH))
    good = grid.select(alphabet_ok & org_ok & check_ok).to_series()
    out = pl.Series("ok", [False] * len(codes), dtype=pl.Boolean)
    return out.scatter(shaped.arg_true(), good)


def _uscc_value(base36: pl.Expr) -> pl.Expr:
    """Value in the 31-character USCC alphabet: the base-36 value minus the letters skipped."""
    return base36 - pl.sum_horizontal((base36 > k).cast(pl.Int32) for k in _SKIPPED)
