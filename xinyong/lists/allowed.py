"""What the procedure allows next on an entry, and why it refuses the other steps.

One place for each step's preconditions: the actions in `lists.procedure` call `require`, and the
admin page and the CLI call `next_steps` to show, before anyone presses a button, which steps are
open and the Chinese message the action would raise for the others. Pure: entry, list type, today.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from xinyong import auth
from xinyong.audit import Actor
from xinyong.catalog import ListType
from xinyong.db.tables import ListEntry
from xinyong.enums import ListStep, Role
from xinyong.errors import DueProcessError
from xinyong.lists.errors import (
    ApprovalMissing,
    EarlyExitRefused,
    StatementPeriodOpen,
    StatementPeriodOver,
    StepOutOfOrder,
)
from xinyong.lists.steps import Stage, notice_step, steps_of
from xinyong.lists.validity import earliest_early_exit, early_exit_refusal

OFFICERS = (Role.OFFICER, Role.ADMIN)
WHAT = "名单认定"


def require_handler(actor: Actor, entry: ListEntry) -> None:
    """Who may take a step on this entry: the department holding it (the proposing one, then the
    deciding one) or the credit office — auditors read but never write (one rule:
    `auth.require_department_handler`). Every write action of the procedure asks it first."""
    auth.require_department_handler(actor, entry.provider_id, what=WHAT)


# step → (title, what the refusal says one is doing)
STEPS: dict[ListStep, tuple[str, str]] = {
    ListStep.NOTICE: ("事前告知（公示）", "事前告知"),
    ListStep.DELIVERY: ("登记送达", "登记送达"),
    ListStep.STATEMENT: ("陈述申辩及答复", "记录陈述申辩"),
    ListStep.APPROVAL: ("报上一级部门批准", "报批"),
    ListStep.DECISION: ("作出认定决定", "作出认定决定"),
    ListStep.PUBLICATION: ("公布", "公布"),
    ListStep.EXIT: ("移出（认定依据被撤销）", "移出"),
    ListStep.EARLY_EXIT: ("提前移出", "移出"),
}


@dataclass(frozen=True, slots=True)
class NextStep:
    step: ListStep
    title: str
    allowed: bool
    reason: str | None  # the Chinese message the action raises, when refused


def stage_refusal(
    entry: ListEntry, allowed: tuple[Stage, ...], doing: str
) -> DueProcessError | None:
    if entry.stage in allowed:
        return None
    names = "、".join(s.label for s in allowed)
    return StepOutOfOrder(
        f"该名单认定当前状态为“{Stage(entry.stage).label}”，{doing}须在“{names}”之后进行",
        details={"stage": entry.stage},
    )


def _period_over(entry: ListEntry, doing: str, today: date) -> DueProcessError | None:
    if entry.statement_deadline is not None and today <= entry.statement_deadline:
        return StatementPeriodOpen(
            f"陈述申辩期尚未届满（截止 {entry.statement_deadline}），不能{doing}",
            details={"deadline": entry.statement_deadline.isoformat()},
        )
    return None


def _exit(entry: ListEntry, lt: ListType, today: date, *, early: bool) -> DueProcessError | None:
    refused = stage_refusal(entry, (Stage.DECIDED, Stage.PUBLISHED), "移出")
    if refused is not None:
        return refused
    if entry.valid_until is not None and today > entry.valid_until:
        return StepOutOfOrder(f"该名单认定已于 {entry.valid_until} 期满，期满后自动移出，无需办理")
    if early and entry.decided_on is not None:
        refusal = early_exit_refusal(lt, entry.decided_on, today)
        if refusal is not None:
            earliest = earliest_early_exit(entry.decided_on, lt)
            details = {"earliest": earliest.isoformat()} if earliest else {}
            return EarlyExitRefused(refusal, details=details)
    return None


def statement_refusal(entry: ListEntry, today: date) -> DueProcessError | None:
    """A statement (or publicity objection) is recorded after the notice, within the period."""
    refused = stage_refusal(entry, (Stage.NOTICED,), STEPS[ListStep.STATEMENT][1])
    if refused is None and entry.statement_deadline and today > entry.statement_deadline:
        return StatementPeriodOver(
            f"陈述申辩期已于 {entry.statement_deadline} 届满，不能再登记陈述申辩",
            details={"deadline": entry.statement_deadline.isoformat()},
        )
    return refused


def _approval(entry: ListEntry, lt: ListType, today: date) -> DueProcessError | None:
    if ListStep.APPROVAL not in steps_of(lt):
        return StepOutOfOrder(f"{lt.title}的认定程序没有报批步骤")
    refused = stage_refusal(entry, (Stage.NOTICED, Stage.STATED), STEPS[ListStep.APPROVAL][1])
    return refused or _period_over(entry, "报请批准", today)


def _decision(entry: ListEntry, lt: ListType, today: date) -> DueProcessError | None:
    doing = STEPS[ListStep.DECISION][1]
    refused = stage_refusal(entry, (Stage.NOTICED, Stage.STATED, Stage.APPROVED), doing)
    refused = refused or _period_over(entry, doing, today)
    if refused is None and ListStep.APPROVAL in steps_of(lt) and entry.approved_on is None:
        return ApprovalMissing(f"{lt.title}的认定决定须先报上一级部门批准")
    return refused


Rule = Callable[[ListEntry, ListType, date], DueProcessError | None]


def _after(step: ListStep, stage: Stage) -> Rule:
    """A step whose only rule is the stage the entry must be at."""
    return lambda e, _lt, _d: stage_refusal(e, (stage,), STEPS[step][1])


_RULES: dict[ListStep, Rule] = {
    ListStep.NOTICE: _after(ListStep.NOTICE, Stage.PROPOSED),
    ListStep.DELIVERY: _after(ListStep.DELIVERY, Stage.NOTICED),
    ListStep.STATEMENT: lambda e, _lt, d: statement_refusal(e, d),
    ListStep.APPROVAL: _approval,
    ListStep.DECISION: _decision,
    ListStep.PUBLICATION: _after(ListStep.PUBLICATION, Stage.DECIDED),
    ListStep.EXIT: lambda e, lt, d: _exit(e, lt, d, early=False),
    ListStep.EARLY_EXIT: lambda e, lt, d: _exit(e, lt, d, early=True),
}


def refusal(step: ListStep, entry: ListEntry, lt: ListType, today: date) -> DueProcessError | None:
    """Why `step` cannot be taken on `entry` today, or None when the rules allow it."""
    return _RULES[step](entry, lt, today)


def require(step: ListStep, entry: ListEntry, lt: ListType, today: date) -> None:
    """Raise the step's refusal, if any (the actions call this first)."""
    refused = refusal(step, entry, lt, today)
    if refused is not None:
        raise refused


def title_of(step: ListStep, lt: ListType) -> str:
    if step == ListStep.NOTICE:
        return "拟列入公示" if notice_step(lt) == ListStep.PUBLICITY else "事前告知"
    if step == ListStep.STATEMENT and notice_step(lt) == ListStep.PUBLICITY:
        return "公示异议及答复"
    return STEPS[step][0]


def next_steps(entry: ListEntry, lt: ListType, today: date) -> list[NextStep]:
    """Every step of the procedure, in order, open or refused with the action's message."""
    names = [s for s in STEPS if s != ListStep.APPROVAL or ListStep.APPROVAL in steps_of(lt)]
    out = []
    for step in names:
        refused = refusal(step, entry, lt, today)
        out.append(
            NextStep(
                step, title_of(step, lt), refused is None, refused.message if refused else None
            )
        )
    return out
