"""Due process for lists decided on this platform: each legal step is one action.

proposal → prior notice (or, for red lists, publicity) → statement and answer → approval (where
the list type asks for it) → decision → publication → exit. Every action checks its preconditions,
writes a step row and an audit row, and only flushes. Nobody is listed by counting records
(国办发〔2020〕49号): an entry starts with an officer's proposal stating the facts.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong import auth, outbox, subjects
from xinyong.audit import Actor, AuditAction
from xinyong.catalog import Catalog
from xinyong.clock import Calendar
from xinyong.db.tables import ListEntry, Subject
from xinyong.enums import ListKind, ListStep
from xinyong.errors import InvalidInput
from xinyong.lists import allowed, history, notice, validity
from xinyong.lists.errors import EntryAlreadyOpen, ImportedListNotDecidedHere, MissingText
from xinyong.lists.steps import Stage, notice_step, period_of, statement_deadline


def _require_text(value: str | None, label: str) -> str:
    if value is None or not value.strip():
        raise MissingText(f"请填写{label}")
    return value.strip()


# ---- actions ----------------------------------------------------------------------------------


def propose_entry(
    session: Session,
    subject: Subject,
    list_type_id: str,
    facts: str,
    *,
    catalog: Catalog,
    actor: Actor,
    today: date,
) -> ListEntry:
    """拟列入: an officer proposes an entry with its facts; the basis comes from the list type.
    The entry is held by the proposer's department (the credit office's when it has none)."""
    auth.require_department_handler(actor, actor.provider_id, what=allowed.WHAT)
    lt = catalog.list_type(list_type_id)
    if lt.kind == ListKind.IMPORTED:
        raise ImportedListNotDecidedHere(
            f"{lt.title}由{lt.deciding_authority}认定，经数据归集导入，不在本平台认定"
        )
    facts = _require_text(facts, "拟列入的事实")
    open_id = session.execute(
        select(ListEntry.id).where(
            ListEntry.subject_id == subject.id,
            ListEntry.list_type == lt.id,
            ListEntry.stage != Stage.EXITED.value,
        )
    ).first()
    if open_id is not None:
        raise EntryAlreadyOpen(
            f"该主体已有进行中或有效的{lt.title}认定（编号 {open_id[0]}）",
            details={"entry_id": open_id[0]},
        )
    entry = ListEntry(
        list_type=lt.id,
        subject_id=subject.id,
        stage=Stage.PROPOSED.value,
        facts=facts,
        basis=[b.model_dump(mode="json", exclude_none=True) for b in lt.legal_basis],
        measures=[m.id for m in catalog.measures_for(lt.id)],
        deciding_authority=lt.deciding_authority,
        # the proposing department holds the case (its officers read it, `queries.read_entry`);
        # the decision sets the deciding department (谁认定、谁修复)
        provider_id=actor.provider_id,
        catalog_version=catalog.short_version,
        proposed_on=today,
    )
    session.add(entry)
    session.flush()
    detail = {"list_type": lt.id, "subject_id": subject.id, "facts": facts}
    history.record_step(
        session,
        entry,
        ListStep.PROPOSAL,
        AuditAction.LIST_ENTRY_PROPOSED,
        detail,
        actor=actor,
        today=today,
        before=None,
    )
    return entry


def send_prior_notice(
    session: Session,
    entry: ListEntry,
    notice_number: str,
    *,
    authority: str | None = None,
    catalog: Catalog,
    calendar: Calendar,
    actor: Actor,
    today: date,
) -> ListEntry:
    """事前告知 (or 拟列入公示 for red lists): generate the document and start the period.

    The deadline is computed first (in a provisional calendar year it is marked 暂定 in the notice).
    """
    allowed.require_handler(actor, entry)
    lt = catalog.list_type(entry.list_type)
    allowed.require(ListStep.NOTICE, entry, lt, today)
    number = _require_text(notice_number, "告知书文号")
    deadline = statement_deadline(today, lt, calendar)
    publicity = notice_step(lt) == ListStep.PUBLICITY
    subject = subjects.get(session, entry.subject_id)
    facts = notice.NoticeFacts(
        notice_number=number,
        subject_name=subject.name,
        subject_code=subjects.public_code(subject),
        facts=entry.facts,
        measures=tuple(catalog.measures[m] for m in entry.measures if m in catalog.measures),
        sent_on=today,
        deadline=deadline,
        deadline_provisional=calendar.is_provisional(deadline),
        period_days=period_of(lt, ListStep.PUBLICITY if publicity else ListStep.STATEMENT),
        authority=authority or entry.deciding_authority,
    )
    before = entry.stage
    entry.notice_number = number
    entry.notice_sent_on = today
    entry.statement_deadline = deadline
    entry.notice_html = notice.render(lt, facts, publicity=publicity)
    entry.stage = Stage.NOTICED.value
    detail = {"notice_number": number, "deadline": deadline}
    history.record_step(
        session,
        entry,
        notice_step(lt),
        AuditAction.LIST_NOTICE_SENT,
        detail,
        actor=actor,
        today=today,
        before=before,
    )
    return entry


def record_statement(
    session: Session,
    entry: ListEntry,
    statement: str,
    answer: str,
    *,
    actor: Actor,
    today: date,
) -> ListEntry:
    """陈述申辩 (or a publicity objection) made within the period, and the authority's answer."""
    allowed.require_handler(actor, entry)
    refused = allowed.statement_refusal(entry, today)
    if refused is not None:
        raise refused
    before = entry.stage
    entry.statement_text = _require_text(statement, "陈述申辩内容")
    entry.statement_answer = _require_text(answer, "对陈述申辩的答复（采纳与否及理由）")
    entry.statement_on = today
    entry.stage = Stage.STATED.value
    detail = {"statement": entry.statement_text, "answer": entry.statement_answer}
    history.record_step(
        session,
        entry,
        ListStep.STATEMENT,
        AuditAction.LIST_STATEMENT_RECORDED,
        detail,
        actor=actor,
        today=today,
        before=before,
    )
    return entry


def approve_entry(
    session: Session,
    entry: ListEntry,
    note: str,
    *,
    catalog: Catalog,
    actor: Actor,
    today: date,
) -> ListEntry:
    """报上一级部门批准, for list types whose procedure has an approval step."""
    allowed.require_handler(actor, entry)
    allowed.require(ListStep.APPROVAL, entry, catalog.list_type(entry.list_type), today)
    before = entry.stage
    entry.approved_on = today
    entry.stage = Stage.APPROVED.value
    detail = {"note": _require_text(note, "批准意见")}
    history.record_step(
        session,
        entry,
        ListStep.APPROVAL,
        AuditAction.LIST_ENTRY_APPROVED,
        detail,
        actor=actor,
        today=today,
        before=before,
    )
    return entry


def decide_entry(
    session: Session,
    entry: ListEntry,
    decision_number: str,
    *,
    catalog: Catalog,
    actor: Actor,
    today: date,
) -> ListEntry:
    """作出认定决定: only after the statement (or publicity) period, and approval where required."""
    allowed.require_handler(actor, entry)
    lt = catalog.list_type(entry.list_type)
    allowed.require(ListStep.DECISION, entry, lt, today)
    before = entry.stage
    entry.decision_number = _require_text(decision_number, "认定决定书文号")
    entry.decided_on = today
    entry.valid_until = validity.expiry(today, lt)
    entry.provider_id = actor.provider_id  # 谁认定、谁修复: early exit is routed here
    entry.catalog_version = catalog.short_version
    entry.stage = Stage.DECIDED.value
    detail = {"decision_number": entry.decision_number, "valid_until": entry.valid_until}
    _queue(session, entry, outbox.Event.LIST_DECIDED, detail, today=today)
    history.record_step(
        session,
        entry,
        ListStep.DECISION,
        AuditAction.LIST_ENTRY_DECIDED,
        detail,
        actor=actor,
        today=today,
        before=before,
    )
    return entry


def publish_entry(session: Session, entry: ListEntry, *, actor: Actor, today: date) -> ListEntry:
    """公布: the decided entry is shown on the portal from today."""
    allowed.require_handler(actor, entry)
    refused = allowed.stage_refusal(entry, (Stage.DECIDED,), "公布")
    if refused is not None:
        raise refused
    before = entry.stage
    entry.published_on = today
    entry.stage = Stage.PUBLISHED.value
    history.record_step(
        session,
        entry,
        ListStep.PUBLICATION,
        AuditAction.LIST_ENTRY_PUBLISHED,
        {"published_on": today},
        actor=actor,
        today=today,
        before=before,
    )
    return entry


def exit_entry(
    session: Session,
    entry: ListEntry,
    *,
    kind: str,
    reason: str,
    basis: str,
    catalog: Catalog,
    actor: Actor,
    today: date,
) -> ListEntry:
    """移出 before expiry: `early` (the list type's early-exit rules) or `annulled` (basis revoked).

    Expiry needs no action: an entry is out of force after its last day, computed from dates.
    """
    allowed.require_handler(actor, entry)
    if kind not in ("early", "annulled"):
        raise InvalidInput("移出方式只能是 early（提前移出）或 annulled（认定依据被撤销）")
    lt = catalog.list_type(entry.list_type)
    allowed.require(ListStep.EARLY_EXIT if kind == "early" else ListStep.EXIT, entry, lt, today)
    reason, basis = _require_text(reason, "移出理由"), _require_text(basis, "移出依据")
    before = entry.stage
    entry.exited_on, entry.exit_kind = today, kind
    entry.exit_reason, entry.exit_basis = reason, basis
    entry.stage = Stage.EXITED.value
    detail = {"kind": kind, "reason": reason, "basis": basis}
    _queue(session, entry, outbox.Event.LIST_EXITED, detail, today=today)
    history.record_step(
        session,
        entry,
        ListStep.EXIT,
        AuditAction.LIST_ENTRY_EXITED,
        detail,
        actor=actor,
        today=today,
        before=before,
    )
    return entry


def _queue(
    session: Session, entry: ListEntry, event: outbox.Event, detail: dict[str, Any], *, today: date
) -> None:
    """A list decision or exit leaves the region (outbox, same transaction)."""
    outbox.append(
        session,
        event,
        target_type="list_entry",
        target_id=entry.id,
        subject_id=entry.subject_id,
        provider_id=entry.provider_id,
        payload={"list_type": entry.list_type, "decided_on": entry.decided_on, **detail},
        occurred_on=today,
    )
