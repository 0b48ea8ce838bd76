"""Keyset paging in the query: one page of an ordered statement costs its own rows.

A page is read after (or, for the previous page, before) the key of a row — the values of the
order's columns on it — never by skipping the rows before it, so a deep page costs what the
first does when an index holds the order. The order's last column must make it total (an id).

- `Order`: the columns a statement is read in, each ascending or descending, nulls first or last;
- `Order.beyond(key)`: the rows strictly after `key` in that order (the expanded OR form: mixed
  directions and NULLs are allowed), with a plain range on the first column when it is never
  NULL (`Column.not_null`), so an index on it starts at the key instead of the first row;
- `window`: up to `limit` rows after `after` (or just before `before`), in reading order;
- `capped_count`: the rows of a statement counted up to a cap ("至少 N 条" beyond it);
- `encode` / `decode`: a key as the opaque text of a next-page link, checked when read back.

The paged lists of the officers' work queue, /admin/lists and the public lists use it
(`workqueue.queue_page`, `lists.paging`); the 双公示 listing and the subject pages keep their
(decision_date, id) keyset through `archive.reads.beyond_keyset`, which states it with `Order`.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, func, or_, select, true
from sqlalchemy.orm import Session

from xinyong.errors import InvalidInput

Key = tuple[Any, ...]  # one value per column of the order (None: NULL)
MAX_POSITION = 400  # characters a link's position may have
DEFAULT_CAP = 1_000  # rows a count reads at most (+ 1: more makes the count a floor)


@dataclass(frozen=True, slots=True)
class Column:
    expr: Any  # a column or SQL expression (an ORM attribute too)
    descending: bool = False
    nulls_last: bool = True  # where NULL sorts (both databases are told explicitly)
    not_null: bool = False  # never NULL in the statement: `beyond` adds a range an index can use

    def reversed(self) -> Column:
        return Column(self.expr, not self.descending, not self.nulls_last, self.not_null)

    def from_(self, value: Any) -> ColumnElement[bool]:
        """The rows at or after `value` (a bound on the column alone: an index range)."""
        bound: ColumnElement[bool] = self.expr <= value if self.descending else self.expr >= value
        return bound

    def ordering(self) -> Any:
        on = self.expr.desc() if self.descending else self.expr.asc()
        return on.nulls_last() if self.nulls_last else on.nulls_first()

    def after(self, value: Any) -> ColumnElement[bool]:
        """The rows strictly after `value` in this column's order."""
        if value is None:  # after NULL: the non-NULL values when NULLs come first
            return self.expr.is_not(None) if not self.nulls_last else false()
        past = self.expr < value if self.descending else self.expr > value
        return or_(past, self.expr.is_(None)) if self.nulls_last else past

    def equal(self, value: Any) -> ColumnElement[bool]:
        same: ColumnElement[bool] = self.expr.is_(None) if value is None else self.expr == value
        return same


@dataclass(frozen=True, slots=True)
class Order:
    columns: tuple[Column, ...]

    @classmethod
    def of(cls, *columns: Column | ColumnElement[Any]) -> Order:
        return cls(tuple(c if isinstance(c, Column) else Column(c) for c in columns))

    def reversed(self) -> Order:
        return Order(tuple(c.reversed() for c in self.columns))

    def clauses(self) -> list[Any]:
        return [c.ordering() for c in self.columns]

    def beyond(self, key: Key) -> ColumnElement[bool]:
        """The rows strictly after `key`: first column past it, or equal and the next past …"""
        if len(key) != len(self.columns):
            raise InvalidInput("翻页位置与排序不符，请从第一页重新翻页")
        terms: list[ColumnElement[bool]] = []
        for i, (column, value) in enumerate(zip(self.columns, key, strict=True)):
            same = [c.equal(v) for c, v in zip(self.columns[:i], key[:i], strict=True)]
            terms.append(and_(*same, column.after(value)) if same else column.after(value))
        first = self.columns[0] if self.columns else None
        if first is not None and first.not_null and key[0] is not None:
            return and_(first.from_(key[0]), or_(*terms))
        return or_(*terms) if terms else true()


def window(
    session: Session, stmt: Select[Any], order: Order, *, limit: int,
    after: Key | None = None, before: Key | None = None, skip: int = 0,
) -> list[Any]:  # fmt: skip
    """Up to `limit` rows of `stmt` in `order`: after the key `after`, or the `limit` rows just
    before `before` (the previous page), or — without a key — after skipping `skip` rows (a
    page number typed by hand; the caller bounds it). Rows come back in reading order."""
    if before is not None:
        back = order.reversed()
        rows = session.execute(stmt.where(back.beyond(before)).order_by(*back.clauses())
                               .limit(limit)).all()  # fmt: skip
        return list(rows[::-1])
    if after is not None:
        stmt = stmt.where(order.beyond(after))
    elif skip:
        stmt = stmt.offset(skip)
    return list(session.execute(stmt.order_by(*order.clauses()).limit(limit)).all())


@dataclass(frozen=True, slots=True)
class Count:
    """A count read up to a cap: exact (共 N 条), or a floor beyond it (至少 N 条)."""

    n: int
    is_floor: bool

    @property
    def words(self) -> str:
        return f"至少 {self.n:,} 条" if self.is_floor else f"共 {self.n:,} 条"

    @property
    def short(self) -> str:
        return f"{self.n:,}+" if self.is_floor else f"{self.n:,}"


def capped_count(session: Session, stmt: Select[Any], cap: int = DEFAULT_CAP) -> Count:
    """The rows of `stmt`, reading at most `cap` + 1 of them."""
    inner = stmt.order_by(None).limit(cap + 1).subquery("capped")
    n = int(session.execute(select(func.count()).select_from(inner)).scalar_one())
    return Count(min(n, cap), n > cap)


def encode(key: Sequence[Any]) -> str:
    """A key as a link's position: URL-safe text (dates as ISO days)."""
    values = [{"d": v.isoformat()} if isinstance(v, date) else v for v in key]
    text = json.dumps(values, ensure_ascii=False, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode(text: str | None, kinds: Sequence[type]) -> Key | None:
    """A link's position back as a key of these kinds (date, int, str, bool; None allowed in
    any place); a position that is not one is refused in Chinese, never passed to SQL."""
    if not text:
        return None
    try:
        if len(text) > MAX_POSITION:
            raise ValueError(text)
        raw = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        if not isinstance(raw, list) or len(raw) != len(kinds):
            raise ValueError(text)
        return tuple(_value(v, k) for v, k in zip(raw, kinds, strict=True))
    except (ValueError, TypeError, UnicodeDecodeError):
        raise InvalidInput("翻页位置无效，请从第一页重新翻页", code="paging.position") from None


def _value(raw: Any, kind: type) -> Any:
    if raw is None:
        return None
    if kind is date:
        return date.fromisoformat(raw["d"])
    if (kind is bool and isinstance(raw, bool)) or (kind is str and isinstance(raw, str)):
        return raw
    if kind is int and isinstance(raw, int) and not isinstance(raw, bool) and abs(raw) < 2**62:
        return raw
    raise ValueError(raw)
