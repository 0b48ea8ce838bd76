"""The shape of a list type's procedure: its steps, their periods, and the stage an entry is at.

Pure rules read from the catalog's list type; the actions that take the steps are in
`lists.procedure`.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from xinyong import clock
from xinyong.catalog import ListType
from xinyong.clock import Calendar
from xinyong.enums import ListStep


class Stage(StrEnum):
    """The last step taken on an entry."""

    PROPOSED = "proposed"
    NOTICED = "noticed"  # prior notice sent, or publicity started
    STATED = "stated"  # statement (or publicity objection) recorded and answered
    APPROVED = "approved"
    DECIDED = "decided"
    PUBLISHED = "published"
    EXITED = "exited"

    @property
    def label(self) -> str:
        return {
            "proposed": "已提出",
            "noticed": "已告知",
            "stated": "已陈述申辩",
            "approved": "已批准",
            "decided": "已认定",
            "published": "已公布",
            "exited": "已移出",
        }[self.value]


def steps_of(lt: ListType) -> list[str]:
    return [s.step for s in lt.procedure]


def period_of(lt: ListType, step: str) -> int:
    for s in lt.procedure:
        if s.step == step:
            return s.period_working_days or 0
    return 0


def notice_step(lt: ListType) -> ListStep:
    """'prior_notice' for serious and watch lists; 'publicity' for red lists."""
    return ListStep.PUBLICITY if ListStep.PUBLICITY in steps_of(lt) else ListStep.PRIOR_NOTICE


def statement_deadline(sent_on: date, lt: ListType, calendar: Calendar) -> date:
    """Last day for a statement (or a publicity objection): sent_on + N working days."""
    step = ListStep.PUBLICITY if notice_step(lt) == ListStep.PUBLICITY else ListStep.STATEMENT
    return clock.add_working_days(sent_on, period_of(lt, step), calendar)
