"""Every step form of /admin/lists/{entry_id}: the department holding the entry and the credit
office take the step; another department's officer and an auditor get the Chinese 403 page and
nothing is written (the domain action checks it too: tests/test_list_write_departments.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import make_provider, make_subject
from tests.factories.accounts import signed_in
from tests.factories.workflows import PDF
from xinyong import lists
from xinyong.audit import Actor
from xinyong.catalog import Catalog
from xinyong.clock import Calendar
from xinyong.config import Settings
from xinyong.db.tables import ListEntry, Provider
from xinyong.enums import Role

MONDAY = date(2026, 11, 23)
TODAY = date(2026, 12, 1)  # the statement period of a notice sent on MONDAY is over


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"check_fast_path": False, "today": TODAY})


Prepare = Callable[[Session, Catalog, Calendar, Actor, ListEntry], object]


def _notice(on: date) -> Prepare:
    return lambda s, cat, cal, a, e: lists.send_prior_notice(
        s, e, "告〔2026〕9号", catalog=cat, calendar=cal, actor=a, today=on
    )


def _decided(s: Session, cat: Catalog, cal: Calendar, a: Actor, e: ListEntry) -> None:
    _notice(MONDAY)(s, cat, cal, a, e)
    lists.decide_entry(s, e, "认〔2026〕9号", catalog=cat, actor=a, today=TODAY)


# step → (list type, how the entry is brought to it, the form)
STEPS: dict[str, tuple[str, Prepare | None, dict[str, str]]] = {
    "evidence": ("wage_arrears", None, {}),
    "notice": ("wage_arrears", None, {"notice_number": "告〔2026〕10号"}),
    "delivery": ("wage_arrears", _notice(MONDAY),
                 {"method": "direct", "delivered_on": "2026-11-23", "note": ""}),
    "statement": ("wage_arrears", _notice(TODAY), {"statement": "已整改", "answer": "不予采纳"}),
    "approval": ("market_regulation_serious", _notice(MONDAY), {"note": "同意"}),
    "decision": ("wage_arrears", _notice(MONDAY), {"decision_number": "认〔2026〕10号"}),
    "publication": ("wage_arrears", _decided, {}),
    "exit": ("wage_arrears", _decided,
             {"kind": "annulled", "reason": "处罚决定被撤销", "basis": "复议决定书"}),
}  # fmt: skip


def _entry(session: Session, catalog: Catalog, calendar: Calendar, owner: Actor,
           step: str) -> ListEntry:  # fmt: skip
    list_type, prepare, _ = STEPS[step]
    entry = lists.propose_entry(session, make_subject(session), list_type, "拖欠农民工工资",
                                catalog=catalog, actor=owner, today=MONDAY)  # fmt: skip
    if prepare is not None:
        prepare(session, catalog, calendar, owner, entry)
    return entry


def _post(client: TestClient, entry: ListEntry, step: str) -> Any:
    files = {"evidence": ("证据.pdf", PDF, "application/pdf")} if step == "evidence" else None
    return client.post(f"/admin/lists/{entry.id}/{step}", data=STEPS[step][2], files=files,
                       headers={"accept": "text/html"}, follow_redirects=False)  # fmt: skip


@pytest.mark.parametrize("step", list(STEPS))
def test_step_forms_for_the_holding_department_and_the_credit_office_only(
    client: TestClient, session: Session, catalog: Catalog, calendar: Calendar, step: str
) -> None:
    own: Provider = make_provider(session, name="欠薪甲局")
    other: Provider = make_provider(session, name="欠薪乙局")
    owner = signed_in(client, session, Role.OFFICER, provider=own)
    entry = _entry(session, catalog, calendar, owner, step)
    taken = len(lists.entry_history(session, entry.id))
    for role, provider, refusal in ((Role.OFFICER, other, "不属于本部门"),
                                    (Role.AUDITOR, None, "此操作需要以下角色之一")):  # fmt: skip
        signed_in(client, session, role, provider=provider)
        refused = _post(client, entry, step)
        assert refused.status_code == 403, refused.text
        assert refusal in refused.text
        assert "<html" in refused.text.lower()
        assert len(lists.entry_history(session, entry.id)) == taken
    for who, provider in (("own department", own), ("credit office", None)):
        signed_in(client, session, Role.OFFICER, provider=provider)
        fresh = entry if who == "own department" else _entry(
            session, catalog, calendar, owner, step)  # fmt: skip
        before = len(lists.entry_history(session, fresh.id))
        done = _post(client, fresh, step)
        assert done.status_code == 303, (who, done.text[-2000:])
        assert len(lists.entry_history(session, fresh.id)) == before + 1, who
