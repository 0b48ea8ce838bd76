"""Every write action of the list procedure checks, in the domain, who may act on the entry: the
department holding it, the credit office (administrators, its own officers, an officer key stated
as the office's), never another department, never an auditor, never a key of no department
(`lists.allowed.require_handler` → `auth.require_department_handler`, ADR 0018 addendum)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.factories import make_provider, make_subject
from tests.factories.workflows import PDF
from xinyong import auth, lists
from xinyong.audit import Actor
from xinyong.catalog import Catalog
from xinyong.clock import Calendar
from xinyong.db.tables import ListEntry
from xinyong.enums import Role
from xinyong.errors import Forbidden

MONDAY = date(2026, 11, 23)
DEADLINE = date(2026, 11, 30)  # 5 working days after Monday 2026-11-23
NEXT_DAY = date(2026, 12, 1)


def _user(role: Role, provider_id: int | None = None) -> Actor:
    return Actor(kind="user", id=70, label="测试人员", role=role, provider_id=provider_id)


def _key(provider_id: int | None = None, *, office: bool = False) -> Actor:
    return Actor(kind="api_client", id=71, label="接口:部门系统", role=Role.OFFICER,
                 provider_id=provider_id, credit_office=office)  # fmt: skip


@pytest.fixture
def depts(session: Session) -> tuple[int, int]:
    return make_provider(session, name="市场监管局").id, make_provider(session, name="人社局").id


def actors(own: int, other: int) -> dict[str, tuple[Actor, str | None]]:
    """who → (actor, None when allowed or the start of the Chinese refusal)."""
    return {
        "own department": (_user(Role.OFFICER, own), None),
        "own department's key": (_key(own), None),
        "credit office officer": (_user(Role.OFFICER), None),
        "credit office admin": (_user(Role.ADMIN), None),
        "credit office key": (_key(office=True), None),
        "system": (Actor.system(), None),
        "other department": (
            _user(Role.OFFICER, other),
            "该名单认定由其他部门办理，本部门无权办理",
        ),
        "other department's key": (_key(other), "该名单认定由其他部门办理"),
        "auditor": (_user(Role.AUDITOR), "审计人员只能查阅名单认定，不能办理"),
        "key of no department": (_key(), "您的账户或接口密钥不属于任何部门，也不是信用办的"),
    }


WHO = list(actors(1, 2))


class Case:
    """An entry held by the own department, brought to the stage just before one step."""

    def __init__(self, session: Session, catalog: Catalog, calendar: Calendar, owner: Actor,
                 list_type: str = "wage_arrears") -> None:  # fmt: skip
        self.session, self.catalog, self.calendar, self.owner = session, catalog, calendar, owner
        self.entry = lists.propose_entry(
            session, make_subject(session), list_type, "拖欠农民工工资", catalog=catalog,
            actor=owner, today=MONDAY,
        )  # fmt: skip

    def noticed(self) -> Case:
        lists.send_prior_notice(self.session, self.entry, "告〔2026〕1号", catalog=self.catalog,
                                calendar=self.calendar, actor=self.owner, today=MONDAY)  # fmt: skip
        return self

    def decided(self) -> Case:
        self.noticed()
        lists.decide_entry(self.session, self.entry, "认〔2026〕1号", catalog=self.catalog,
                           actor=self.owner, today=NEXT_DAY)  # fmt: skip
        return self


Step = Callable[[Case, Actor, Path], Any]
STEPS: dict[str, tuple[Callable[[Case], Case], Step]] = {
    "evidence": (lambda c: c, lambda c, a, d: lists.attach_evidence(
        c.session, c.entry, "证据.pdf", PDF, data_dir=d, actor=a, today=MONDAY)),
    "notice": (lambda c: c, lambda c, a, d: lists.send_prior_notice(
        c.session, c.entry, "告〔2026〕2号", catalog=c.catalog, calendar=c.calendar, actor=a,
        today=MONDAY)),
    "delivery": (Case.noticed, lambda c, a, d: lists.record_delivery(
        c.session, c.entry, "direct", MONDAY, catalog=c.catalog, actor=a, today=MONDAY)),
    "statement": (Case.noticed, lambda c, a, d: lists.record_statement(
        c.session, c.entry, "已整改", "不予采纳", actor=a, today=DEADLINE)),
    "decision": (Case.noticed, lambda c, a, d: lists.decide_entry(
        c.session, c.entry, "认〔2026〕2号", catalog=c.catalog, actor=a, today=NEXT_DAY)),
    "publication": (Case.decided, lambda c, a, d: lists.publish_entry(
        c.session, c.entry, actor=a, today=NEXT_DAY)),
    "exit": (Case.decided, lambda c, a, d: lists.exit_entry(
        c.session, c.entry, kind="annulled", reason="处罚决定被撤销", basis="复议决定书",
        catalog=c.catalog, actor=a, today=NEXT_DAY)),
}  # fmt: skip


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("step", list(STEPS))
def test_each_write_action_checks_the_department_itself(
    session: Session, catalog: Catalog, calendar: Calendar, depts: tuple[int, int],
    tmp_path: Path, step: str, who: str,
) -> None:  # fmt: skip
    own, other = depts
    case = STEPS[step][0](Case(session, catalog, calendar, _user(Role.OFFICER, own)))
    actor, refusal = actors(own, other)[who]
    stage, taken = case.entry.stage, len(lists.entry_history(session, case.entry.id))
    if refusal is None:
        STEPS[step][1](case, actor, tmp_path)
        assert len(lists.entry_history(session, case.entry.id)) == taken + 1
        return
    with pytest.raises(Forbidden) as info:
        STEPS[step][1](case, actor, tmp_path)
    assert info.value.message.startswith(refusal)
    assert info.value.status == 403
    assert (case.entry.stage, len(lists.entry_history(session, case.entry.id))) == (stage, taken)


def test_approval_checks_the_department(
    session: Session, catalog: Catalog, calendar: Calendar, depts: tuple[int, int]
) -> None:
    own, other = depts
    case = Case(session, catalog, calendar, _user(Role.OFFICER, own),
                "market_regulation_serious").noticed()  # fmt: skip
    with pytest.raises(Forbidden, match="由其他部门办理"):
        lists.approve_entry(session, case.entry, "同意", catalog=catalog,
                            actor=_user(Role.OFFICER, other), today=NEXT_DAY)  # fmt: skip
    with pytest.raises(Forbidden, match="审计人员只能查阅"):
        lists.approve_entry(session, case.entry, "同意", catalog=catalog,
                            actor=_user(Role.AUDITOR), today=NEXT_DAY)  # fmt: skip
    lists.approve_entry(session, case.entry, "同意", catalog=catalog,
                        actor=_user(Role.OFFICER, own), today=NEXT_DAY)  # fmt: skip
    assert case.entry.stage == lists.Stage.APPROVED


def test_proposal_is_held_by_the_proposer_and_refused_to_whom_holds_nothing(
    session: Session, catalog: Catalog, depts: tuple[int, int]
) -> None:
    own, _ = depts
    for actor, holder in ((_user(Role.OFFICER, own), own), (_key(own), own),
                          (_user(Role.OFFICER), None), (_key(office=True), None)):  # fmt: skip
        entry = lists.propose_entry(session, make_subject(session), "wage_arrears", "欠薪",
                                    catalog=catalog, actor=actor, today=MONDAY)  # fmt: skip
        assert entry.provider_id == holder
    for actor, refusal in ((_user(Role.AUDITOR), "审计人员只能查阅"),
                           (_key(), "您的账户或接口密钥不属于任何部门")):  # fmt: skip
        with pytest.raises(Forbidden, match=refusal):
            lists.propose_entry(session, make_subject(session), "wage_arrears", "欠薪",
                                catalog=catalog, actor=actor, today=MONDAY)  # fmt: skip


def test_entry_of_no_department_is_the_credit_offices_alone(
    session: Session, catalog: Catalog, calendar: Calendar, depts: tuple[int, int]
) -> None:
    """An entry proposed before the proposing department was recorded (the migration found no
    evidence): a department's officer neither reads nor handles it; the office does both."""
    own, _ = depts
    entry = Case(session, catalog, calendar, _user(Role.OFFICER)).entry
    assert entry.provider_id is None
    officer = _user(Role.OFFICER, own)
    with pytest.raises(Forbidden, match="不属于本部门，无权查看"):
        lists.read_entry(session, entry.id, actor=officer)
    with pytest.raises(Forbidden, match="该名单认定不属于任何部门，只有信用办可以办理"):
        lists.send_prior_notice(session, entry, "告〔2026〕3号", catalog=catalog,
                                calendar=calendar, actor=officer, today=MONDAY)  # fmt: skip
    lists.send_prior_notice(session, entry, "告〔2026〕3号", catalog=catalog, calendar=calendar,
                            actor=_user(Role.OFFICER), today=MONDAY)  # fmt: skip
    assert lists.read_entry(session, entry.id, actor=_user(Role.AUDITOR)) is entry


def test_the_rule_is_the_readers_with_auditors_read_only(depts: tuple[int, int]) -> None:
    """One rule behind reading and handling: the same holders; auditors only read."""
    own, other = depts
    for who, (actor, refusal) in actors(own, other).items():
        if who == "auditor":
            auth.require_department_reader(actor, own, what="名单认定")
            continue
        if refusal is None:
            auth.require_department_reader(actor, own, what="名单认定")
        else:
            with pytest.raises(Forbidden):
                auth.require_department_reader(actor, own, what="名单认定")


def test_deciding_department_then_holds_the_entry(
    session: Session, catalog: Catalog, calendar: Calendar, depts: tuple[int, int]
) -> None:
    own, other = depts
    case = Case(session, catalog, calendar, _user(Role.OFFICER, own)).decided()
    entry: ListEntry = case.entry
    assert entry.provider_id == own  # 谁认定、谁修复
    with pytest.raises(Forbidden):
        lists.publish_entry(session, entry, actor=_user(Role.OFFICER, other), today=NEXT_DAY)
    lists.publish_entry(session, entry, actor=_user(Role.OFFICER, own), today=NEXT_DAY)
