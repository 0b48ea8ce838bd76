"""Lists decided on this platform: every due-process step, every refused shortcut, validity."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from tests.factories import make_provider, make_record, make_subject
from tests.factories.lists import listed
from xinyong import lists
from xinyong.audit import Actor
from xinyong.db.tables import AuditEntry, ListEntry
from xinyong.enums import Role
from xinyong.errors import Forbidden

MONDAY = date(2026, 11, 23)
DEADLINE = date(2026, 11, 30)  # 5 working days after Monday 2026-11-23
NEXT_DAY = date(2026, 12, 1)


@pytest.fixture
def officer() -> Actor:
    return Actor(kind="user", id=77, label="认定人员", role=Role.OFFICER)


@pytest.fixture
def ctx(catalog, calendar, officer):
    return {"catalog": catalog, "actor": officer}


def _noticed(
    session, ctx, calendar, list_type="market_regulation_serious", today=MONDAY
) -> ListEntry:
    subject = make_subject(session)
    entry = lists.propose_entry(session, subject, list_type, "较重行政处罚后仍拒不改正", **ctx,
                                today=today)  # fmt: skip
    return lists.send_prior_notice(session, entry, "示市监告〔2026〕1号", calendar=calendar, **ctx,
                                   today=today)  # fmt: skip


def test_full_procedure_lists_subject_and_keeps_every_step(session, ctx, calendar):
    entry = _noticed(session, ctx, calendar)
    assert entry.statement_deadline == DEADLINE
    lists.record_statement(session, entry, "已整改", "不予采纳：整改不影响认定", **{
        "actor": ctx["actor"]}, today=DEADLINE)  # fmt: skip
    lists.approve_entry(session, entry, "同意列入", **ctx, today=NEXT_DAY)
    lists.decide_entry(session, entry, "示市监认〔2026〕1号", **ctx, today=NEXT_DAY)
    lists.publish_entry(session, entry, actor=ctx["actor"], today=NEXT_DAY)
    steps = [s.step for s in lists.entry_history(session, entry.id)]
    assert steps == ["proposal", "prior_notice", "statement", "approval", "decision", "publication"]
    assert entry.valid_until == date(2029, 12, 1)  # 36 months from 2026-12-01 (民法典 第202条)
    actions = session.execute(
        select(AuditEntry.action).where(AuditEntry.target_id == str(entry.id),
                                        AuditEntry.target_type == "list_entry")
    ).scalars().all()  # fmt: skip
    assert len(actions) == 6
    assert [h.list_type for h in lists.current_hits(session, entry.subject_id, catalog=ctx[
        "catalog"], today=NEXT_DAY)] == ["market_regulation_serious"]  # fmt: skip


def test_decision_refused_before_statement_deadline(session, ctx, calendar):
    entry = _noticed(session, ctx, calendar, list_type="wage_arrears")
    with pytest.raises(lists.StatementPeriodOpen) as info:
        lists.decide_entry(session, entry, "人社认〔2026〕1号", **ctx, today=DEADLINE)
    assert info.value.message == "陈述申辩期尚未届满（截止 2026-11-30），不能作出认定决定"
    assert entry.decided_on is None


def test_decision_refused_without_prior_notice(session, ctx):
    subject = make_subject(session)
    entry = lists.propose_entry(session, subject, "wage_arrears", "拖欠工资", **ctx, today=MONDAY)
    with pytest.raises(lists.StepOutOfOrder):
        lists.decide_entry(session, entry, "人社认〔2026〕2号", **ctx, today=date(2027, 6, 1))


def test_publication_refused_before_decision(session, ctx, calendar):
    entry = _noticed(session, ctx, calendar, list_type="wage_arrears")
    with pytest.raises(lists.StepOutOfOrder):
        lists.publish_entry(session, entry, actor=ctx["actor"], today=NEXT_DAY)


def test_statement_refused_after_deadline(session, ctx, calendar):
    entry = _noticed(session, ctx, calendar, list_type="wage_arrears")
    with pytest.raises(lists.StatementPeriodOver):
        lists.record_statement(session, entry, "申辩", "答复", actor=ctx["actor"], today=NEXT_DAY)


def test_statement_needs_an_answer(session, ctx, calendar):
    entry = _noticed(session, ctx, calendar, list_type="wage_arrears")
    with pytest.raises(lists.MissingText):
        lists.record_statement(session, entry, "申辩", " ", actor=ctx["actor"], today=MONDAY)


def test_decision_refused_without_approval_where_the_list_type_requires_it(session, ctx, calendar):
    entry = _noticed(session, ctx, calendar)
    with pytest.raises(lists.ApprovalMissing):
        lists.decide_entry(session, entry, "示市监认〔2026〕2号", **ctx, today=NEXT_DAY)


def test_approval_refused_for_a_list_type_without_that_step(session, ctx, calendar):
    entry = _noticed(session, ctx, calendar, list_type="watch")
    with pytest.raises(lists.StepOutOfOrder):
        lists.approve_entry(session, entry, "同意", **ctx, today=NEXT_DAY)


def test_imported_list_type_is_not_decided_here(session, ctx):
    subject = make_subject(session)
    with pytest.raises(lists.ImportedListNotDecidedHere):
        lists.propose_entry(session, subject, "court_defaulter", "拒不履行", **ctx, today=MONDAY)


def test_second_open_entry_of_the_same_type_refused(session, ctx):
    subject = make_subject(session)
    lists.propose_entry(session, subject, "watch", "失信行为", **ctx, today=MONDAY)
    with pytest.raises(lists.EntryAlreadyOpen):
        lists.propose_entry(session, subject, "watch", "失信行为", **ctx, today=MONDAY)


def test_proposal_needs_an_officer(session, catalog):
    clerk = Actor(kind="user", id=5, label="报送员", role=Role.PROVIDER_CLERK)
    with pytest.raises(Forbidden):
        lists.propose_entry(session, make_subject(session), "watch", "事实", catalog=catalog,
                            actor=clerk, today=MONDAY)  # fmt: skip


def test_notice_in_a_provisional_year_states_its_deadline_as_provisional(session, ctx, calendar):
    subject = make_subject(session)
    entry = lists.propose_entry(session, subject, "watch", "失信行为", **ctx, today=MONDAY)
    lists.send_prior_notice(session, entry, "告〔2027〕1号", calendar=calendar, **ctx,
                            today=date(2027, 3, 1))  # fmt: skip
    assert entry.stage == "noticed"
    assert entry.statement_deadline is not None
    assert calendar.is_provisional(entry.statement_deadline)
    html = entry.notice_html or ""
    assert f"{entry.statement_deadline}（暂定" in html
    assert "正式安排公布后，本期限不会提前" in html


def test_notice_in_an_official_year_has_no_provisional_mark(session, ctx, calendar):
    entry = _noticed(session, ctx, calendar, list_type="wage_arrears")
    assert "暂定" not in (entry.notice_html or "")


def test_notice_states_basis_measures_rights_deadline_exit_and_remedies(session, ctx, calendar):
    entry = _noticed(session, ctx, calendar, list_type="wage_arrears")
    html = entry.notice_html or ""
    assert "拟列入拖欠农民工工资失信联合惩戒对象名单事前告知书" in html
    assert "保障农民工工资支付条例》（国务院令第724号）第四十八条" in html
    assert "依法限制参加政府采购活动" in html
    assert "2026-11-30" in html
    assert "陈述、申辩" in html
    assert "已全额清偿拖欠的农民工工资" in html
    assert "列入满 6 个月后" in html
    assert "行政复议" in html


def test_entry_is_out_of_force_after_its_last_day(session, ctx, calendar):
    entry = listed(session, make_subject(session), "watch", calendar=calendar,
                   proposed_on=MONDAY, **ctx)  # fmt: skip
    assert entry.valid_until == date(2027, 12, 1)  # 12 months from 2026-12-01 (民法典 第202条)
    catalog = ctx["catalog"]
    assert lists.current_hits(session, entry.subject_id, catalog=catalog, today=date(2027, 12, 1))
    assert not lists.current_hits(session, entry.subject_id, catalog=catalog,
                                  today=date(2027, 12, 2))  # fmt: skip
    with pytest.raises(lists.StepOutOfOrder):
        lists.exit_entry(session, entry, kind="early", reason="已整改", basis="承诺",
                         **ctx, today=date(2027, 12, 3))  # fmt: skip


def test_early_exit_refused_before_the_minimum_time_then_allowed(session, ctx, calendar):
    entry = listed(session, make_subject(session), "wage_arrears", calendar=calendar,
                   proposed_on=MONDAY, **ctx)  # fmt: skip
    with pytest.raises(lists.EarlyExitRefused) as info:
        lists.exit_entry(session, entry, kind="early", reason="已清偿", basis="令45号",
                         **ctx, today=date(2027, 6, 1))  # fmt: skip
    assert "最早 2027-06-02" in info.value.message  # 6 months end on 2027-06-01 (第202条)
    lists.exit_entry(session, entry, kind="early", reason="已清偿并作出信用承诺",
                     basis="人社部令第45号", **ctx, today=date(2027, 6, 2))  # fmt: skip
    assert entry.stage == "exited"
    assert not lists.current_hits(session, entry.subject_id, catalog=ctx["catalog"],
                                  today=date(2027, 6, 2))  # fmt: skip


def test_early_exit_refused_for_red_list(session, ctx, calendar):
    entry = listed(session, make_subject(session), "red", calendar=calendar,
                   proposed_on=MONDAY, **ctx)  # fmt: skip
    assert [s.step for s in lists.entry_history(session, entry.id)][1] == "publicity"
    with pytest.raises(lists.EarlyExitRefused):
        lists.exit_entry(session, entry, kind="early", reason="r", basis="b", **ctx,
                         today=date(2027, 6, 1))  # fmt: skip


def test_unpublished_entry_counts_for_checks_but_not_on_the_portal(session, ctx, calendar):
    entry = listed(session, make_subject(session), "watch", calendar=calendar,
                   proposed_on=MONDAY, publish=False, **ctx)  # fmt: skip
    catalog = ctx["catalog"]
    assert lists.current_hits(session, entry.subject_id, catalog=catalog, today=NEXT_DAY)
    assert lists.public_entries(session, entry.subject_id, catalog=catalog, today=NEXT_DAY) == []
    lists.publish_entry(session, entry, actor=ctx["actor"], today=NEXT_DAY)
    (shown,) = lists.public_entries(session, entry.subject_id, catalog=catalog, today=NEXT_DAY)
    assert shown["list_title"] == "重点关注名单"
    assert shown["valid_until"] == date(2027, 12, 1)
    assert shown["legal_basis"]


def test_imported_entries_count_with_their_own_validity(session, catalog):
    subject = make_subject(session)
    provider = make_provider(session)
    make_record(session, subject, info_class="court_defaulter", decision_date=date(2025, 1, 10),
                provider_id=provider.id, data={"case_number": "(2024)示执1号"})  # fmt: skip
    make_record(session, subject, info_class="abnormal_operation",
                decision_date=date(2020, 1, 1), data={"reason": "未按期公示年度报告"},
                )  # fmt: skip
    make_record(session, subject, info_class="serious_list", decision_date=date(2026, 1, 5),
                data={"list_type": "拖欠农民工工资失信联合惩戒对象名单",
                      "removed_on": "2026-10-01"})  # fmt: skip
    on = {h.list_type for h in lists.current_hits(session, subject.id, catalog=catalog,
                                                   today=date(2026, 9, 30))}  # fmt: skip
    assert on == {"court_defaulter", "abnormal_operation", "wage_arrears"}
    later = {h.list_type for h in lists.current_hits(session, subject.id, catalog=catalog,
                                                      today=date(2027, 1, 11))}  # fmt: skip
    assert later == {"abnormal_operation"}  # court: 24 months ended 2027-01-10; wage: removed


def test_current_entries_name_the_subject_code(session, ctx, calendar):
    subject = make_subject(session)
    listed(session, subject, "watch", calendar=calendar, proposed_on=MONDAY, **ctx)
    found = lists.current_entries(session, catalog=ctx["catalog"], today=NEXT_DAY,
                                  list_type="watch")  # fmt: skip
    assert subject.code in {e.subject_code for e in found}
