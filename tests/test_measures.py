"""Joint check, 过惩相当, incentives, feedback, the check log and its query count."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import event, select

from tests.factories import make_record, make_subject
from tests.factories.lists import listed
from xinyong import audit, measures
from xinyong.audit import Actor
from xinyong.db.tables import Check
from xinyong.enums import Role
from xinyong.errors import Forbidden
from xinyong.identifiers import IdentifierError
from xinyong.lists import ListHit
from xinyong.measures import FeedbackItem, replay

MONDAY = date(2026, 11, 23)
DECIDED = date(2026, 12, 1)


@pytest.fixture
def officer() -> Actor:
    return Actor(kind="user", id=77, label="认定人员", role=Role.OFFICER)


@pytest.fixture
def system() -> Actor:
    return Actor(kind="api_client", id=9, label="接口:政府采购系统", role=Role.SYSTEM)


@pytest.fixture
def wage_listed(session, catalog, calendar, officer):
    subject = make_subject(session)
    listed(session, subject, "wage_arrears", catalog=catalog, calendar=calendar, actor=officer,
           proposed_on=MONDAY)  # fmt: skip
    return subject


def test_listed_subject_check_returns_measure_with_legal_basis(
    session, catalog, system, wage_listed
):
    ans = measures.check(session, wage_listed.code, "procurement", catalog=catalog, actor=system,
                         today=DECIDED)  # fmt: skip
    assert not ans.clean
    (hit,) = ans.hits
    assert hit.hit.list_type == "wage_arrears"
    ids = {m.measure_id: m for m in hit.measures}
    assert set(ids) == {"procurement_exclusion", "wage_arrears_restrictions"}
    measure = ids["procurement_exclusion"]
    assert measure.mandatory
    assert measure.legal_basis[0] == "《中华人民共和国政府采购法》第二十二条"
    assert measure.implementer == "财政部门、采购人、采购代理机构"
    assert ids["wage_arrears_restrictions"].legal_basis == (
        "《保障农民工工资支付条例》（国务院令第724号）第四十八条",
    )


def test_check_after_expiry_is_clean(session, catalog, system, wage_listed):
    ans = measures.check(session, wage_listed.code, "procurement", catalog=catalog, actor=system,
                         today=date(2029, 12, 2))  # fmt: skip
    assert ans.clean
    assert ans.hits == ()
    assert ans.as_dict()["message"].startswith("经核查，该主体未在任何有效名单中")


def test_unknown_subject_gets_an_explicit_clean_answer(session, catalog, system):
    ans = measures.check(session, "91350100M000100Y43", "bidding", catalog=catalog,
                         actor=system, today=MONDAY)  # fmt: skip
    assert ans.clean
    assert ans.subject is None


def test_invalid_code_is_refused_with_the_identifier_error(session, catalog, system):
    with pytest.raises(IdentifierError) as info:
        measures.check(session, "91350100M000100Y44", "bidding", catalog=catalog, actor=system,
                       today=MONDAY)  # fmt: skip
    assert info.value.status == 422


def test_unknown_matter_is_refused(session, catalog, system, wage_listed):
    with pytest.raises(measures.UnknownMatter):
        measures.check(session, wage_listed.code, "lottery", catalog=catalog, actor=system,
                       today=MONDAY)  # fmt: skip


def test_every_check_is_logged_with_who_whom_matter_and_answer(
    session, catalog, system, wage_listed
):
    ans = measures.check(session, wage_listed.code, "subsidy", catalog=catalog, actor=system,
                         today=DECIDED)  # fmt: skip
    row = session.execute(select(Check).where(Check.check_id == ans.check_id)).scalar_one()
    assert (row.actor_label, row.subject_id, row.matter) == (
        "接口:政府采购系统", wage_listed.id, "subsidy")  # fmt: skip
    assert row.hits == 1
    assert row.answer is None  # the slim log: what reproduces the answer, and its digest
    assert (row.catalog_version, row.checked_on) == (catalog.short_version, DECIDED)
    (hit,) = ans.hits
    assert row.basis == {
        "entries": [hit.hit.source_id],
        "measures": {m.measure_id: m.mandatory for m in hit.measures},
    }
    assert row.digest == replay.answer_digest(ans.as_dict())


AUDITOR = Actor(kind="user", id=5, label="审计员", role=Role.AUDITOR)


def test_replay_rebuilds_the_answer_and_its_digest_matches(session, catalog, system, wage_listed):
    make_record(session, wage_listed, info_class="court_defaulter", decision_date=MONDAY)
    ans = measures.check(session, wage_listed.code, "subsidy", catalog=catalog, actor=system,
                         today=DECIDED)  # fmt: skip
    row = session.execute(select(Check).where(Check.check_id == ans.check_id)).scalar_one()
    assert set(row.basis) == {"entries", "records", "measures"}
    for log_id in (ans.check_id, str(row.id)):
        done = measures.replay_check(session, log_id, catalog=catalog, actor=AUDITOR)
        assert done.matches
        assert done.verdict == "digest matches"
        assert done.answer == audit.jsonable(ans.as_dict())
    seen = audit.list_queries(session, wage_listed.id)
    assert seen[0].purpose == replay.PURPOSE
    assert seen[0].actor_label == "审计员"
    with pytest.raises(Forbidden):
        measures.replay_check(session, ans.check_id, catalog=catalog, actor=system)
    with pytest.raises(measures.CheckNotFound):
        measures.replay_check(session, "f" * 32, catalog=catalog, actor=AUDITOR)


def test_replay_of_an_unknown_code_and_of_a_tampered_log(session, catalog, system, wage_listed):
    person = "110101199003070011"
    ans = measures.check(session, person, "subsidy", catalog=catalog, actor=system, today=DECIDED)
    row = session.execute(select(Check).where(Check.check_id == ans.check_id)).scalar_one()
    assert row.code == ans.as_dict()["code"]
    assert person not in row.code
    assert measures.replay_check(session, ans.check_id, catalog=catalog, actor=AUDITOR).matches
    listed_ans = _checked(session, catalog, system, wage_listed)
    logged = session.execute(
        select(Check).where(Check.check_id == listed_ans.check_id)
    ).scalar_one()
    logged.basis = {**logged.basis, "entries": []}  # the log no longer says what hit
    session.flush()
    done = measures.replay_check(session, listed_ans.check_id, catalog=catalog, actor=AUDITOR)
    assert not done.matches
    assert done.verdict == "digest differs"


def test_a_log_row_with_the_whole_answer_stays_readable_and_replays(
    session, catalog, system, wage_listed
):
    """Rows written before the slim log keep their answer: replay reads its inputs from it."""
    ans = _checked(session, catalog, system, wage_listed)
    row = session.execute(select(Check).where(Check.check_id == ans.check_id)).scalar_one()
    row.answer = audit.jsonable(ans.as_dict())
    row.catalog_version = row.checked_on = row.basis = row.digest = None
    session.flush()
    done = measures.replay_check(session, ans.check_id, catalog=catalog, actor=AUDITOR)
    assert done.inputs.legacy
    assert done.matches
    item = FeedbackItem("wage_arrears_restrictions", applied=True)
    assert measures.record_feedback(session, ans.check_id, [item], actor=system, today=DECIDED)


def test_check_path_uses_five_statements(session, catalog, system, wage_listed):
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    bind = session.get_bind()
    event.listen(bind, "before_cursor_execute", count)
    try:
        measures.check(session, wage_listed.code, "bidding", catalog=catalog, actor=system,
                       today=DECIDED)  # fmt: skip
    finally:
        event.remove(bind, "before_cursor_execute", count)
    # subject, its entry facts (one UNION ALL), the stored grade (evaluation), its sector grades,
    # the log row
    assert len(statements) == 5
    assert "evaluation_results" in statements[2]
    assert "records" in statements[3]
    assert "INSERT INTO checks" in statements[4]


def test_no_measure_heavier_than_the_list_type_allows(catalog):
    hit = ListHit(
        source="imported", source_id=1, list_type="court_defaulter", list_title="t",
        kind="imported", decision_number=None, decided_on=MONDAY, valid_until=None,
        deciding_authority=None, legal_basis=(), max_measure_class=2, catalog_version="x",
    )  # fmt: skip
    found = measures.measures_for_hit(hit, "procurement", catalog)
    assert found == ()  # procurement_exclusion is class 1: above a class-2 cap
    assert {m.measure_class for m in measures.measures_for_hit(hit, "supervision", catalog)} == {2}


def test_red_list_gets_incentives_unless_also_on_a_dishonesty_list(
    session, catalog, calendar, officer, system
):
    subject = make_subject(session)
    listed(session, subject, "red", catalog=catalog, calendar=calendar, actor=officer,
           proposed_on=MONDAY)  # fmt: skip
    ans = measures.check(session, subject.code, "approval", catalog=catalog, actor=system,
                         today=DECIDED)  # fmt: skip
    assert ans.clean
    assert {m.measure_id for m in ans.incentives} == {"tolerance_acceptance", "priority_handling"}
    make_record(session, subject, info_class="court_defaulter", decision_date=MONDAY)
    ans = measures.check(session, subject.code, "approval", catalog=catalog, actor=system,
                         today=DECIDED)  # fmt: skip
    assert not ans.clean
    assert ans.incentives == ()


def _checked(session, catalog, system, subject) -> measures.CheckAnswer:
    return measures.check(session, subject.code, "subsidy", catalog=catalog, actor=system,
                          today=DECIDED)  # fmt: skip


def test_feedback_skipping_a_mandatory_measure_needs_a_reason(
    session, catalog, system, wage_listed
):
    ans = _checked(session, catalog, system, wage_listed)
    item = FeedbackItem("wage_arrears_restrictions", applied=False)
    with pytest.raises(measures.MandatoryReasonMissing) as info:
        measures.record_feedback(session, ans.check_id, [item], actor=system, today=DECIDED)
    assert "须说明理由" in info.value.message
    with_reason = FeedbackItem("wage_arrears_restrictions", applied=False, reason="已清偿，待移出")
    rows = measures.record_feedback(
        session, ans.check_id, [with_reason], actor=system, today=DECIDED
    )
    assert rows[0].reason == "已清偿，待移出"
    with pytest.raises(measures.FeedbackExists):
        measures.record_feedback(session, ans.check_id, [with_reason], actor=system,
                                 today=DECIDED)  # fmt: skip


def test_feedback_must_cover_every_mandatory_measure(session, catalog, system, wage_listed):
    ans = _checked(session, catalog, system, wage_listed)
    with pytest.raises(measures.MandatoryReasonMissing):
        measures.record_feedback(session, ans.check_id, [], actor=system, today=DECIDED)
    with pytest.raises(measures.MeasureNotInAnswer):
        measures.record_feedback(session, ans.check_id, [FeedbackItem("x", applied=True)],
                                 actor=system, today=DECIDED)  # fmt: skip


def test_feedback_only_by_the_system_that_checked(session, catalog, system, wage_listed):
    ans = _checked(session, catalog, system, wage_listed)
    other = Actor(kind="api_client", id=10, label="接口:其他", role=Role.SYSTEM)
    item = FeedbackItem("wage_arrears_restrictions", applied=True)
    with pytest.raises(Forbidden):
        measures.record_feedback(session, ans.check_id, [item], actor=other, today=DECIDED)


def test_stats_count_checks_hits_and_feedback(session, catalog, system, wage_listed):
    before = measures.check_stats(session, today=DECIDED)
    ans = _checked(session, catalog, system, wage_listed)
    measures.record_feedback(session, ans.check_id,
                             [FeedbackItem("wage_arrears_restrictions", applied=True)],
                             actor=system, today=DECIDED)  # fmt: skip
    after = measures.check_stats(session, today=DECIDED)
    assert after.checks == before.checks + 1
    assert after.with_hits == before.with_hits + 1
    assert after.with_feedback == before.with_feedback + 1
    assert {m: c for m, c, _h in after.by_matter}["subsidy"] >= 1
