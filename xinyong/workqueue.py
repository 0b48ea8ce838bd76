"""The officer work queue: everything waiting on an authority or provider, by deadline.

Owns: gathering open repair steps, unanswered objections, interview follow-ups and unverified
commitments and registrations into one list sorted by deadline, overdue items marked, and the
daily digest the `deadlines` job prints. Does not: change anything (each item links to the action
of its own workflow).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date

from sqlalchemy.orm import Session

from xinyong import commitments, interviews, objections, registrations, repair
from xinyong.audit import Actor
from xinyong.auth import department_scope
from xinyong.db.tables import RepairApplication
from xinyong.enums import RepairStatus, RepairTarget

KIND_LABELS = {
    "repair_acceptance": "信用修复待受理",
    "repair_decision": "信用修复待决定",
    "objection_answer": "异议待答复",
    "interview_follow_up": "约谈待回访",
    "commitment_verification": "信用承诺待核查",
    "registration_verification": "自愿注册待核实",
}


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


def work_queue(session: Session, *, today: date, actor: Actor) -> list[WorkItem]:
    """Everything waiting on the actor's department (the credit office: on every department),
    soonest deadline first; items without a deadline last."""
    provider_id = department_scope(actor)
    items = [_repair_item(app, today) for app in repair.list_open(session, provider_id)]
    items.extend(
        _item(
            "objection_answer",
            o.id,
            o.subject_id,
            o.provider_id,
            o.answer_due,
            today,
            o.grounds[:60],
        )
        for o in objections.list_open(session, provider_id)
    )
    items.extend(
        _item(
            "interview_follow_up",
            i.id,
            i.subject_id,
            i.provider_id,
            i.follow_up_on,
            today,
            i.reason[:60],
        )
        for i in interviews.list_follow_ups_due(session, provider_id)
    )
    items.extend(
        _item(
            "commitment_verification",
            c.id,
            c.subject_id,
            c.acceptance_provider_id,
            c.valid_until,
            today,
            f"{c.code} {c.reason[:40]}",
        )
        for c in commitments.list_unverified(session, provider_id)
    )
    items.extend(
        _item("registration_verification", r.id, r.subject_id, r.provider_id, None, today, r.title)
        for r in registrations.list_unverified(session, provider_id)
    )
    return sorted(items, key=lambda i: (i.due is None, i.due or today, i.kind, i.target_id))


def digest(session: Session, *, today: date) -> Digest:
    """The daily digest: the whole queue, with counts per kind."""
    items = work_queue(session, today=today, actor=Actor.system("每日待办"))
    counts = Counter(i.kind for i in items)
    return Digest(today, tuple(items), dict(sorted(counts.items())))
