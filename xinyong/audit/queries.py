"""The query log: who looked at a subject's non-public data, for what purpose, on which basis."""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import Any, cast

from sqlalchemy import Table, func, insert, select
from sqlalchemy.orm import Session

from xinyong import clock
from xinyong.audit.chain import Actor, jsonable
from xinyong.db.tables import Check, QueryLogEntry
from xinyong.errors import InvalidInput

_QUERY_LOG = cast("Table", QueryLogEntry.__table__)
CHECK_SURFACE = "check"  # a joint check of the subject by a business system (SURFACE_TITLES)
CHECK_BASIS = "duty"  # a business system checks in the course of its statutory duty
SCREENING_SURFACE = "screening"  # a screening matched the subject (measures.screening_run)


PURPOSE_MAX = 200  # query_log.purpose
DUTY_PURPOSE_MISSING = "查询非公开信用信息须说明查询目的（purpose 参数），查询将记入查询日志"


def stated_purpose(
    purpose: str | None, *, missing: str = DUTY_PURPOSE_MISSING,
    code: str = "disclosure.purpose_required", too_long: str = "查询目的不超过{limit}个字",
    error: type[InvalidInput] = InvalidInput,
) -> str:  # fmt: skip
    """The purpose a reader states for a query the log records: required, at most `PURPOSE_MAX`
    characters (the log's column); `missing` / `too_long` say so in the surface's own words."""
    stated = (purpose or "").strip()
    if not stated:
        raise error(missing, code=code)
    if len(stated) > PURPOSE_MAX:
        raise error(too_long.format(limit=PURPOSE_MAX), code=code)
    return stated


def log_query(
    session: Session,
    actor: Actor,
    subject_id: int,
    *,
    purpose: str,
    surface: str,
    detail: dict[str, Any] | None = None,
    basis: str | None = None,
    consent_id: int | None = None,
) -> QueryLogEntry:
    """Write who looked at a subject's non-public data and why, in the caller's transaction.

    `basis` is the legal basis (consent.Basis.kind: self | duty | consent) and `consent_id` the
    consent relied on, if any.
    """
    entry = QueryLogEntry(
        at=clock.now(),
        actor_kind=actor.kind,
        actor_id=actor.id,
        actor_label=actor.label,
        subject_id=subject_id,
        purpose=purpose,
        surface=surface,
        detail=jsonable(detail),
        basis=basis,
        consent_id=consent_id,
    )
    session.add(entry)
    session.flush()
    return entry


def log_queries(
    session: Session,
    actor: Actor,
    reads: Iterable[tuple[int, dict[str, Any] | None]],
    *,
    purpose: str,
    surface: str,
    basis: str | None = None,
) -> int:
    """`log_query` for many subjects read by one act (a screening's matches): one row per
    (subject id, detail), written by one multi-row INSERT in the caller's transaction — no
    round trip per subject. Returns the number of rows."""
    at = clock.now()
    rows = [
        {"at": at, "actor_kind": actor.kind, "actor_id": actor.id, "actor_label": actor.label,
         "subject_id": subject_id, "purpose": purpose, "surface": surface,
         "detail": jsonable(detail), "basis": basis, "consent_id": None}
        for subject_id, detail in reads
    ]  # fmt: skip
    if rows:
        session.execute(insert(_QUERY_LOG), rows)  # Core: no ORM bulk bookkeeping
    return len(rows)


def list_queries(session: Session, subject_id: int, *, limit: int = 100) -> list[QueryLogEntry]:
    stmt = (
        select(QueryLogEntry)
        .where(QueryLogEntry.subject_id == subject_id)
        .order_by(QueryLogEntry.id.desc())
        .limit(limit)
    )
    return list(session.execute(stmt).scalars())


def search_queries(
    session: Session,
    *,
    who: str | None = None,
    subject_ids: list[int] | None = None,
    basis: str | None = None,
    limit: int = 200,
    before: int | None = None,
) -> list[QueryLogEntry]:
    """The auditor's search of the query log: by querier label, subject, basis; newest first,
    paged by row number (`before`: the smallest number of the previous page)."""
    stmt = select(QueryLogEntry).order_by(QueryLogEntry.id.desc()).limit(limit)
    if before is not None:
        stmt = stmt.where(QueryLogEntry.id < before)
    if who:
        stmt = stmt.where(QueryLogEntry.actor_label.contains(who))
    if subject_ids is not None:
        stmt = stmt.where(QueryLogEntry.subject_id.in_(subject_ids))
    if basis:
        stmt = stmt.where(QueryLogEntry.basis == basis)
    return list(session.execute(stmt).scalars())


@dataclass(frozen=True, slots=True)
class SubjectRead:
    """One read of a subject's non-public information as the subject sees it: a query-log row
    (report, archive, evaluation …) or a joint check (`surface` "check", `matter` its code)."""

    at: datetime
    who: str
    surface: str
    purpose: str
    basis: str | None
    consent_id: int | None = None
    matter: str | None = None
    check_id: str | None = None


def _matter_of(entry: QueryLogEntry) -> str | None:
    """A screening's row names its matter (核查事项) in its detail, as a check does."""
    if entry.surface == SCREENING_SURFACE and entry.detail:
        matter = entry.detail.get("matter")
        return str(matter) if matter else None
    return None


def reads_of_subject(
    session: Session, subject_id: int, *, page: int = 1, per_page: int = 50
) -> tuple[list[SubjectRead], int]:
    """谁查询了我的信用信息: the query log and the joint checks of a subject, newest first, one
    page of them and the total. Checks are read through `ix_checks_subject_at` (the check log is
    the largest table); a page needs at most `page × per_page` rows of each source."""
    page, per_page = max(page, 1), max(per_page, 1)
    upto = page * per_page
    logged = session.execute(
        select(QueryLogEntry).where(QueryLogEntry.subject_id == subject_id)
        .order_by(QueryLogEntry.at.desc(), QueryLogEntry.id.desc()).limit(upto)
    ).scalars()  # fmt: skip
    checked = session.execute(
        select(Check.at, Check.actor_label, Check.matter, Check.check_id)
        .where(Check.subject_id == subject_id)
        .order_by(Check.at.desc(), Check.id.desc()).limit(upto)
    )  # fmt: skip
    reads = heapq.merge(
        (SubjectRead(clock.as_utc(q.at), q.actor_label, q.surface, q.purpose, q.basis, q.consent_id,
                     matter=_matter_of(q)) for q in logged),
        (SubjectRead(clock.as_utc(c.at), c.actor_label, CHECK_SURFACE, "联合奖惩核查", CHECK_BASIS,
                     matter=c.matter, check_id=c.check_id) for c in checked),
        key=lambda r: r.at, reverse=True,
    )  # fmt: skip
    total = sum(
        session.execute(select(func.count()).where(column == subject_id)).scalar_one()
        for column in (QueryLogEntry.subject_id, Check.subject_id)
    )
    return list(islice(reads, upto - per_page, upto)), total
