"""One function per computed indicator, each an SQL (or dataframe) aggregation, plus the rows
behind it for the dashboard's drill-down.

Rules owned elsewhere are called, not re-derived: list validity (`lists.counts`, the SQL form of
`lists.current_entries`), repair
timeliness (`repair.timeliness`), collection quality (`collection.quality`), check counts
(`measures.stats`). Every function takes the session and the `Period` and returns a number or
None (no denominator).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, distinct, exists, func, select
from sqlalchemy.orm import Session

from xinyong import identifiers, lists
from xinyong.db.tables import (
    Commitment,
    Record,
    Subject,
)
from xinyong.enums import ListKind, RecordStatus, SubjectKind, SubjectStatus
from xinyong.indicators.period import Period
from xinyong.lists import counts as list_counts

PUBLIC_CLASSES = ("penalty", "licence")  # 双公示
MARKET_KINDS = (SubjectKind.ENTERPRISE.value, SubjectKind.INDIVIDUAL_BUSINESS.value)
PUNISHED_KINDS = (ListKind.SERIOUS.value, ListKind.IMPORTED.value)
ROW_LIMIT = 100_000  # drill-down rows (page shows the first ROWS_SHOWN, XLSX all of these)

Value = float | None
AnySelect = Select[*tuple[Any, ...]]  # a select of any columns


@dataclass(frozen=True, slots=True)
class Rows:
    """The rows behind a figure: column titles and plain values."""

    headers: tuple[str, ...]
    rows: list[tuple[Any, ...]]


@dataclass(frozen=True, slots=True)
class Computer:
    value: Callable[[Session, Period], Value]
    rows: Callable[[Session, Period], Rows]


COMPUTERS: dict[str, Computer] = {}


def _computes(key: str, rows: Callable[[Session, Period], Rows]) -> Callable[..., Any]:
    def register(fn: Callable[[Session, Period], Value]) -> Callable[[Session, Period], Value]:
        COMPUTERS[key] = Computer(fn, rows)
        return fn

    return register


def masked(rows: Rows) -> Rows:
    """The same rows with every 代码 column masked where it holds a personal ID number."""
    cols = [i for i, h in enumerate(rows.headers) if h == "代码"]
    if not cols:
        return rows
    return Rows(rows.headers, [
        tuple(identifiers.mask_code(v) if i in cols and isinstance(v, str) else v
              for i, v in enumerate(r))
        for r in rows.rows
    ])  # fmt: skip


def _rate(numerator: int, denominator: int) -> Value:
    return round(100 * numerator / denominator, 2) if denominator else None


def _scalar(session: Session, stmt: AnySelect) -> int:
    return int(session.execute(stmt).scalar_one() or 0)


def _fetch(session: Session, headers: tuple[str, ...], stmt: AnySelect) -> Rows:
    return Rows(headers, [tuple(r) for r in session.execute(stmt.limit(ROW_LIMIT))])


# --- shared populations -----------------------------------------------------------------------


def _subjects_at(period: Period) -> ColumnElement[bool]:
    return Subject.created_at < period.until


def _subject_count(session: Session, period: Period, *extra: ColumnElement[bool]) -> int:
    return _scalar(
        session, select(func.count()).select_from(Subject).where(_subjects_at(period), *extra)
    )


def _public_records(period: Period) -> tuple[ColumnElement[bool], ...]:
    return (
        Record.info_class.in_(PUBLIC_CLASSES),
        Record.is_current.is_(True),
        Record.status == RecordStatus.ACTIVE,
        Record.created_at < period.until,
    )


def entries_in_force(session: Session, period: Period) -> list[lists.CurrentEntry]:
    """Entries in force on `as_of` with their details (lists owns the rule), read once per session
    and day: for the rows behind one list (the figures themselves are counted in SQL)."""
    key = ("indicators.entries_in_force", period.as_of, period.catalog.version)
    if key not in session.info:
        session.info[key] = lists.current_entries(
            session, catalog=period.catalog, today=period.as_of
        )
    found: list[lists.CurrentEntry] = session.info[key]
    return found


def _listed(session: Session, period: Period, kinds: tuple[str, ...]) -> AnySelect:
    """SELECT of the subjects with an entry in force on `as_of`, of the given kinds (lists owns
    the rule; `lists.counts` states it in SQL so no entry is loaded)."""
    return list_counts.listed_subjects(session, period.catalog, period.as_of, kinds)


def _listed_count(session: Session, period: Period, kinds: tuple[str, ...]) -> int:
    stmt = select(func.count()).select_from(_listed(session, period, kinds).subquery())
    return _scalar(session, stmt)


_SUBJECT_COLUMNS = ("主体名称", "代码", "主体类别", "区划", "行业")


def _subject_rows(session: Session, period: Period, ids: set[int] | None, *extra: Any) -> Rows:
    stmt = select(Subject.name, Subject.code, Subject.kind, Subject.region_code,
                  Subject.industry_code).where(_subjects_at(period), *extra)  # fmt: skip
    if ids is not None:
        stmt = stmt.where(Subject.id.in_(ids))
    return _fetch(session, _SUBJECT_COLUMNS, stmt.order_by(Subject.id))


# --- 归集量 -------------------------------------------------------------------------------------


def _records_collected_rows(session: Session, period: Period) -> Rows:
    stmt = (
        select(Record.info_class, Record.decision_number, Record.decision_date, Subject.name,
               Subject.code, Record.authority_name)
        .join(Subject, Subject.id == Record.subject_id)
        .where(Record.version == 1, Record.created_at < period.until)
        .order_by(Record.id.desc())
    )  # fmt: skip
    return _fetch(
        session, ("信息类", "决定文书号", "决定日期", "主体名称", "代码", "决定机关"), stmt
    )


@_computes("records_collected", _records_collected_rows)
def records_collected(session: Session, period: Period) -> Value:
    stmt = select(func.count()).where(Record.version == 1, Record.created_at < period.until)
    return _scalar(session, stmt)


# --- 建档率 -------------------------------------------------------------------------------------

_NOT_PERSON = Subject.kind != SubjectKind.PERSON.value
_ALIVE = Subject.status == SubjectStatus.ACTIVE
_HAS_RECORD = exists().where(
    Record.subject_id == Subject.id,
    Record.is_current.is_(True),
    Record.status != RecordStatus.WITHDRAWN,
)


def _archive_rows(session: Session, period: Period) -> Rows:
    return _subject_rows(session, period, None, _NOT_PERSON, _ALIVE, _HAS_RECORD)


@_computes("archive_rate", _archive_rows)
def archive_rate(session: Session, period: Period) -> Value:
    total = _subject_count(session, period, _NOT_PERSON, _ALIVE)
    return _rate(_subject_count(session, period, _NOT_PERSON, _ALIVE, _HAS_RECORD), total)


# --- 信用承诺 -----------------------------------------------------------------------------------


def _commitment_rows(session: Session, period: Period) -> Rows:
    stmt = (
        select(Commitment.code, Commitment.matter, Commitment.kind, Commitment.signed_on,
               Subject.name, Subject.code)
        .join(Subject, Subject.id == Commitment.subject_id)
        .where(Commitment.signed_on <= period.end)
        .order_by(Commitment.signed_on.desc())
    )  # fmt: skip
    return _fetch(session, ("承诺编码", "事项", "承诺类型", "签署日期", "主体名称", "代码"), stmt)


@_computes("commitment_matters", _commitment_rows)
def commitment_matters(session: Session, period: Period) -> Value:
    stmt = select(func.count(distinct(Commitment.matter))).where(
        Commitment.signed_on <= period.end, Commitment.matter.is_not(None)
    )
    return _scalar(session, stmt)


@_computes("commitment_coverage", _commitment_rows)
def commitment_coverage(session: Session, period: Period) -> Value:
    signed = _scalar(
        session,
        select(func.count(distinct(Commitment.subject_id))).where(
            Commitment.signed_on <= period.end
        ),
    )
    return _rate(signed, _subject_count(session, period))


# --- 名单 ---------------------------------------------------------------------------------------


RED = (ListKind.RED.value,)


def _dishonest_rows(session: Session, period: Period) -> Rows:
    listed = Subject.id.in_(_listed(session, period, PUNISHED_KINDS))
    return _subject_rows(session, period, None, listed)


@_computes("dishonest_share", _dishonest_rows)
def dishonest_share(session: Session, period: Period) -> Value:
    listed = _listed_count(session, period, PUNISHED_KINDS)
    return _rate(listed, _subject_count(session, period))


def _red_rows(session: Session, period: Period) -> Rows:
    return _subject_rows(session, period, None, Subject.id.in_(_listed(session, period, RED)))


@_computes("red_list_share", _red_rows)
def red_list_share(session: Session, period: Period) -> Value:
    return _rate(_listed_count(session, period, RED), _subject_count(session, period))


# --- 双公示数量、异议 ---------------------------------------------------------------------------


def _public_rows(session: Session, period: Period) -> Rows:
    stmt = (
        select(Record.info_class, Record.decision_number, Record.decision_date, Subject.name,
               Subject.code, Record.authority_name)
        .join(Subject, Subject.id == Record.subject_id)
        .where(*_public_records(period))
        .order_by(Record.id.desc())
    )  # fmt: skip
    return _fetch(
        session, ("信息类", "决定文书号", "决定日期", "主体名称", "代码", "决定机关"), stmt
    )


def _public_count(session: Session, period: Period) -> int:
    return _scalar(session, select(func.count()).where(*_public_records(period)))


@_computes("double_publicity_ratio", _public_rows)
def double_publicity_ratio(session: Session, period: Period) -> Value:
    market = _subject_count(session, period, Subject.kind.in_(MARKET_KINDS))
    return round(_public_count(session, period) / market, 2) if market else None
