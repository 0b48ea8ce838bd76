"""Demo list entries: demo enterprises put on every list type decided on this platform, through
the real due-process actions, with the steps dated in the past so the periods have run.

One entry per type is left in progress (notice sent, statement period running) for the admin
page. Imported list types get their demo entries from collection's demo records, not from here.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong import catalog as catalog_pkg
from xinyong import clock, lists
from xinyong.audit import Actor
from xinyong.catalog import Catalog
from xinyong.clock import Calendar
from xinyong.config import SHIPPED_CATALOG_DIR
from xinyong.db.tables import Subject
from xinyong.enums import ListKind, ListStep, SubjectKind

PER_TYPE = 3  # decided and published entries per list type
LEAD_DAYS = 120  # the demo's procedures started this long before today
FACTS = {
    ListKind.SERIOUS: "经查，该单位违法行为性质恶劣、情节严重，已受到较重行政处罚，且逾期未改正。",
    ListKind.WATCH: "经查，该单位存在失信行为，未达到严重失信主体名单认定标准，依规应予重点关注。",
    ListKind.RED: "该单位近三年诚信记录良好，获得市级以上诚信荣誉，未被列入失信类名单。",
}


def _start(today: date, calendar: Calendar) -> date:
    start = today - timedelta(days=LEAD_DAYS)
    while start.year not in calendar.years:  # never guess a year nobody entered
        start = date(start.year - 1, 9, 1)
    return start


def _walk(
    session: Session, subject: Subject, lt_id: str, n: int, start: date, *, catalog: Catalog,
    calendar: Calendar, actor: Actor, finish: bool,
) -> None:  # fmt: skip
    lt = catalog.list_type(lt_id)
    entry = lists.propose_entry(session, subject, lt_id, FACTS[lt.kind], catalog=catalog,
                                actor=actor, today=start)  # fmt: skip
    entry = lists.send_prior_notice(session, entry, f"示信告〔{start.year}〕{entry.id}号",
                                    catalog=catalog, calendar=calendar, actor=actor,
                                    today=start)  # fmt: skip
    if not finish:
        return
    assert entry.statement_deadline is not None
    if n == 0:
        lists.record_statement(session, entry, "对认定事实无异议，请求从轻处理。",
                               "经复核，认定事实清楚、依据充分，不予采纳。", actor=actor,
                               today=entry.statement_deadline)  # fmt: skip
    after = clock.add_working_days(entry.statement_deadline, 1, calendar)
    if ListStep.APPROVAL in lists.steps_of(lt):
        lists.approve_entry(session, entry, "经审核，同意列入。", catalog=catalog, actor=actor,
                            today=after)  # fmt: skip
    lists.decide_entry(session, entry, f"示信认〔{after.year}〕{entry.id}号", catalog=catalog,
                       actor=actor, today=after)  # fmt: skip
    lists.publish_entry(session, entry, actor=actor, today=after)


def load_lists(session: Session, *, actor: Actor, today: date) -> int:
    """Put demo enterprises on every platform list type. Returns the number of entries made."""
    catalog = catalog_pkg.load_catalog(SHIPPED_CATALOG_DIR)
    calendar = catalog_pkg.load_calendar(SHIPPED_CATALOG_DIR / "calendar")
    types = [lt.id for lt in catalog.list_types.values() if lt.kind != ListKind.IMPORTED]
    pool = iter(
        session.execute(
            select(Subject).where(Subject.kind == SubjectKind.ENTERPRISE.value).order_by(Subject.id)
            .limit(len(types) * (PER_TYPE + 1))
        ).scalars()
    )  # fmt: skip
    start, made = _start(today, calendar), 0
    for lt_id in types:
        for n in range(PER_TYPE + 1):
            subject = next(pool, None)
            if subject is None:
                return made
            _walk(session, subject, lt_id, n, start, catalog=catalog, calendar=calendar,
                  actor=actor, finish=n < PER_TYPE)  # fmt: skip
            made += 1
    return made
