"""The officer work queue: everything waiting on an authority or provider, by deadline.

Owns: gathering open repair steps, unanswered objections, interview follow-ups and unverified
commitments and registrations into one list sorted by deadline, overdue items marked, and the
daily digest the `deadlines` job prints. Does not: change anything (each item links to the action
of its own workflow).

The queue is one statement (`queue_statement`: a UNION ALL of each kind's open rows, the actor's
department a condition of every branch), read in the order (deadline, none last; kind; number);
`queue_page` reads one page after the last row's position (`db.keyset`) with counts capped at
`keyset.DEFAULT_CAP` ("N+"), and builds only that page's items; partial indexes on the open rows
(migration 18e7a9b1c2d3) keep a page view off the closed cases.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, literal, select, union_all
from sqlalchemy.orm import Session

from xinyong import repair
from xinyong.audit import Actor
from xinyong.auth import department_scope
from xinyong.db import keyset
from xinyong.db.tables import (
    Commitment,
    Interview,
    Objection,
    RepairApplication,
    VoluntaryRegistration,
)
from xinyong.enums import (
    CommitmentStatus,
    ObjectionStatus,
    RegistrationStatus,
    RepairStatus,
    RepairTarget,
)

KIND_LABELS = {
    "repair_acceptance": "信用修复待受理",
    "repair_decision": "信用修复待决定",
    "objection_answer": "异议待答复",
    "interview_follow_up": "约谈待回访",
    "commitment_verification": "信用承诺待核查",
    "registration_verification": "自愿注册待核实",
}


KINDS = tuple(sorted(KIND_LABELS))  # a kind's rank: its place among equal deadlines


@dataclass(frozen=True, slots=True)
class Stream:
    """Where one kind of item waits: its table, what makes a row open, its deadline column and
    the column naming the department it waits on (the same conditions as the owners' lists:
    `repair.list_open`, `objections.list_open`, `interviews.list_follow_ups_due`,
    `commitments.list_unverified`, `registrations.list_unverified`)."""

    table: Any
    open: ColumnElement[bool]
    due: Any  # the deadline column, None: no deadline
    provider: Any


STREAMS: dict[str, Stream] = {
    "repair_acceptance": Stream(
        RepairApplication, RepairApplication.status == RepairStatus.SUBMITTED,
        RepairApplication.accept_due, RepairApplication.provider_id),
    "repair_decision": Stream(
        RepairApplication, RepairApplication.status == RepairStatus.ACCEPTED,
        RepairApplication.decide_due, RepairApplication.provider_id),
    "objection_answer": Stream(
        Objection, Objection.status == ObjectionStatus.OPEN, Objection.answer_due,
        Objection.provider_id),
    "interview_follow_up": Stream(
        Interview, Interview.followed_up_on.is_(None), Interview.follow_up_on,
        Interview.provider_id),
    "commitment_verification": Stream(
        Commitment, Commitment.status == CommitmentStatus.SIGNED, Commitment.valid_until,
        Commitment.acceptance_provider_id),
    "registration_verification": Stream(
        VoluntaryRegistration, VoluntaryRegistration.status == RegistrationStatus.SUBMITTED,
        None, VoluntaryRegistration.provider_id),
}  # fmt: skip
assert set(STREAMS) == set(KIND_LABELS)


@dataclass(frozen=True, slots=True)
class WorkItem:
    kind: str
    target_id: int
    subject_id: int
    provider_id: int | None
    due: date | None
    overdue: bool
    summary: str
    topic: tuple[str, str] | None = None  # (kind, code) the page shows by its Chinese title

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]


@dataclass(frozen=True, slots=True)
class Digest:
    today: date
    items: tuple[WorkItem, ...]
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def overdue(self) -> tuple[WorkItem, ...]:
        return tuple(i for i in self.items if i.overdue)

    @property
    def due_today(self) -> tuple[WorkItem, ...]:
        return tuple(i for i in self.items if i.due == self.today)


def _item(
    kind: str,
    target_id: int,
    subject_id: int,
    provider_id: int | None,
    due: date | None,
    today: date,
    summary: str,
) -> WorkItem:
    return WorkItem(
        kind, target_id, subject_id, provider_id, due, due is not None and due < today, summary
    )


def _repair_item(app: RepairApplication, today: date) -> WorkItem:
    kind = "repair_acceptance" if app.status == RepairStatus.SUBMITTED else "repair_decision"
    entry = app.target_kind == RepairTarget.LIST_ENTRY
    summary = (
        ("提前移出 " if entry else "") + app.natural_key + ("（已延长）" if app.extended else "")
    )
    item = _item(
        kind, app.id, app.subject_id, app.provider_id, repair.due_date(app), today, summary
    )
    return replace(item, topic=("list_type" if entry else "info_class", app.info_class))


QUEUE_PAGE = 100
MAX_SKIP_PAGE = 100  # a page number typed without a position skips at most this many pages


def stream_statement(kind: str, provider_id: int | None) -> Select[Any]:
    """One kind's open items (rank, id, due), of one department (None: every department) — the
    scope is a condition of the query itself (principle 8), never a filter of its result."""
    s = STREAMS[kind]
    due = s.due if s.due is not None else literal(None, type_=RepairApplication.accept_due.type)
    stmt = select(literal(KINDS.index(kind)).label("rank"), s.table.id.label("id"),
                  due.label("due")).where(s.open)  # fmt: skip
    return stmt if provider_id is None else stmt.where(s.provider == provider_id)


def queue_statement(provider_id: int | None, kind: str | None = None) -> tuple[Any, keyset.Order]:
    """The queue (or one kind of it) as one statement and the order it is read in: deadline
    (none last), kind, number — the keyset of its pages."""
    kinds = [kind] if kind in STREAMS else list(STREAMS)
    q = union_all(*(stream_statement(k, provider_id) for k in kinds)).subquery("queue")
    order = keyset.Order.of(keyset.Column(q.c.due), q.c.rank, q.c.id)
    return q, order


KEY_KINDS = (date, int, int)  # a queue position: (deadline, kind rank, number)


def queue_rows(session: Session, provider_id: int | None) -> list[Any]:
    q, order = queue_statement(provider_id)
    return list(session.execute(select(q).order_by(*order.clauses())).all())


@dataclass(frozen=True, slots=True)
class QueuePage:
    items: tuple[WorkItem, ...]
    counts: dict[str, keyset.Count]  # per kind, capped
    total: keyset.Count  # every kind, capped
    shown: keyset.Count  # the kind shown (or every kind), capped
    next_key: keyset.Key | None  # the last row's position when a next page exists
    first_key: keyset.Key | None  # the first row's position (the previous page's link)
    has_previous: bool


def queue_page(
    session: Session, *, today: date, actor: Actor, kind: str | None = None,
    after: keyset.Key | None = None, before: keyset.Key | None = None, page: int = 1,
    per_page: int = QUEUE_PAGE,
) -> QueuePage:  # fmt: skip
    """One page of the work queue in the query: the department's items (the actor's scope) of
    `kind` (None: all), after the position `after` or just before `before` (the previous page),
    or — a page number typed without a position — skipping the pages before it (at most
    `MAX_SKIP_PAGE`); counts read at most `keyset.DEFAULT_CAP` + 1 rows each."""
    provider_id = department_scope(actor)
    kind = kind if kind in STREAMS else None
    q, order = queue_statement(provider_id, kind)
    skip = (min(page, MAX_SKIP_PAGE) - 1) * per_page if after is None and before is None else 0
    rows = keyset.window(session, select(q), order, limit=per_page + 1, after=after,
                         before=before, skip=skip)  # fmt: skip
    if before is not None:  # the rows nearest `before`; the page before them may exist
        shown, has_next, has_previous = rows[-per_page:], True, len(rows) > per_page
    else:
        shown, has_next, has_previous = rows[:per_page], len(rows) > per_page, bool(after or skip)
    counts = {k: keyset.capped_count(session, stream_statement(k, provider_id)) for k in STREAMS}
    total = keyset.capped_count(session, select(queue_statement(provider_id)[0]))
    return QueuePage(
        items=tuple(_items(session, shown, today)),
        counts={k: c for k, c in counts.items() if c.n},
        total=total,
        shown=counts[kind] if kind else total,
        next_key=_key(shown[-1]) if has_next and shown else None,
        first_key=_key(shown[0]) if shown else None,
        has_previous=has_previous,
    )


def _key(row: Any) -> keyset.Key:
    return (row.due, row.rank, row.id)


def work_queue(session: Session, *, today: date, actor: Actor) -> list[WorkItem]:
    """Everything waiting on the actor's department (the credit office: on every department),
    soonest deadline first; items without a deadline last (the daily digest reads it whole)."""
    rows = queue_rows(session, department_scope(actor))
    return _items(session, rows, today)


def _items(session: Session, rows: list[Any], today: date) -> list[WorkItem]:
    """The page's rows (kind rank, id, due) as work items, each built from its own case."""
    wanted: dict[str, list[int]] = {}
    for row in rows:
        wanted.setdefault(KINDS[row.rank], []).append(row.id)
    built: dict[tuple[str, int], WorkItem] = {}
    for kind, ids in wanted.items():
        for item in _build(session, kind, ids, today):
            built[(item.kind, item.target_id)] = item
    return [built[(KINDS[row.rank], row.id)] for row in rows]


def _build(session: Session, kind: str, ids: list[int], today: date) -> list[WorkItem]:
    table = STREAMS[kind].table
    found = session.execute(select(table).where(table.id.in_(ids))).scalars()
    if kind.startswith("repair"):
        return [_repair_item(app, today) for app in found]
    if kind == "objection_answer":
        return [_item(kind, o.id, o.subject_id, o.provider_id, o.answer_due, today,
                      o.grounds[:60]) for o in found]  # fmt: skip
    if kind == "interview_follow_up":
        return [_item(kind, i.id, i.subject_id, i.provider_id, i.follow_up_on, today,
                      i.reason[:60]) for i in found]  # fmt: skip
    if kind == "commitment_verification":
        return [_item(kind, c.id, c.subject_id, c.acceptance_provider_id, c.valid_until, today,
                      f"{c.code} {c.reason[:40]}") for c in found]  # fmt: skip
    return [_item(kind, r.id, r.subject_id, r.provider_id, None, today, r.title) for r in found]


def digest(session: Session, *, today: date) -> Digest:
    """The daily digest: the whole queue, with counts per kind."""
    items = work_queue(session, today=today, actor=Actor.system("每日待办"))
    counts = Counter(i.kind for i in items)
    return Digest(today, tuple(items), dict(sorted(counts.items())))
