"""Early exit from a list decided on this platform, through the repair workflow (令36号; rules.md
§1.4–§1.7): eligibility from the list type's rule, 一口受理, routing to the deciding department,
and on approval `lists.exit_entry(kind="early")` in the same transaction."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tests.factories import make_provider, make_subject
from tests.factories.lists import listed
from tests.factories.workflows import PDF, make_enterprise, make_officer
from xinyong import commitments, lists, measures, repair, workqueue
from xinyong.audit import Actor
from xinyong.catalog import Catalog, EarlyExit, ListType
from xinyong.clock import Calendar
from xinyong.db.tables import ListEntry, OutboxEntry, Provider, RepairApplication, Subject
from xinyong.errors import Forbidden
from xinyong.repair import eligibility
from xinyong.repair.eligibility import Facts

REGION = "990100"
LISTED_ON = date(2026, 3, 2)  # a Monday; decided after the 5-working-day statement period
TOO_RECENT = date(2026, 10, 12)
PROOFS = (
    repair.Upload("performance_proof", "工资支付凭证.pdf", PDF),
    repair.Upload("training_certificate", "培训结业证明.pdf", PDF),
)
ALL_GIVEN = Facts(frozenset({"performance_proof", "training_certificate"}), True, True)


# ---- pure rules -------------------------------------------------------------------------------


def _entry(list_type: str, decided_on: date | None, valid_until: date | None = None) -> ListEntry:
    """An unsaved entry: the eligibility rules read only its dates and names."""
    return ListEntry(
        id=1,
        list_type=list_type,
        subject_id=1,
        stage="published" if decided_on else "noticed",
        decision_number="认定〔2026〕1号",
        decided_on=decided_on,
        valid_until=valid_until,
        exited_on=None,
    )


def _no_early_exit(catalog: Catalog) -> ListType:
    return catalog.list_type("watch").model_copy(update={"early_exit": EarlyExit(allowed=False)})


@pytest.mark.parametrize(
    ("case", "list_type", "decided_on", "today", "unmet", "says"),
    [
        ("watch list after 3 months", "watch", date(2026, 3, 10), date(2026, 6, 11), [], ""),
        (
            "too early: names the earliest date",
            "watch",
            date(2026, 3, 10),
            date(2026, 6, 10),  # 3 months end on 2026-06-10 (民法典 第202条)
            ["min_period"],
            "最早 2026-06-11",
        ),
        (
            "serious list before 12 months",
            "market_regulation_serious",
            date(2026, 3, 10),
            date(2026, 11, 23),
            ["min_period"],
            "最早 2027-03-11",
        ),
        (
            "red list is not dishonesty information",
            "red",
            date(2026, 3, 10),
            date(2026, 11, 23),
            ["repairable", "min_period"],
            "守信激励名单不是失信信息",
        ),
        (
            "not decided yet",
            "watch",
            None,
            date(2026, 11, 23),
            ["repairable", "min_period"],
            "尚未作出决定",
        ),
        (
            "expired entries leave by themselves",
            "watch",
            date(2025, 3, 10),
            date(2026, 11, 23),
            ["repairable"],
            "期满自动移出",
        ),
    ],
)
def test_early_exit_eligibility_follows_the_list_types_rule(
    catalog: Catalog,
    case: str,
    list_type: str,
    decided_on: date | None,
    today: date,
    unmet: list[str],
    says: str,
) -> None:
    entry = _entry(list_type, decided_on)
    if decided_on is not None:
        entry.valid_until = lists.expiry(decided_on, catalog.list_type(list_type))
    lt = catalog.list_type(list_type)
    period = eligibility.entry_period(entry, lt)
    result = eligibility.evaluate_entry(entry, lt, period, ALL_GIVEN, today=today, catalog=catalog)
    assert [c.id for c in result.unmet] == unmet, case
    assert says in "；".join(c.detail for c in result.unmet), case
    assert [c.id for c in result.conditions] == [
        "repairable",
        "min_period",
        "obligations",
        "commitment",
        "materials",
        "repeat_limit",
        "no_open_application",
    ]


def test_list_type_without_early_exit_is_refused(catalog: Catalog) -> None:
    lt = _no_early_exit(catalog)
    entry = _entry("watch", date(2025, 12, 1), valid_until=date(2026, 11, 30))
    period = eligibility.entry_period(entry, lt)
    result = eligibility.evaluate_entry(
        entry, lt, period, ALL_GIVEN, today=date(2026, 11, 23), catalog=catalog
    )
    assert not result.eligible
    assert "不适用提前移出" in result.unmet[0].detail


def test_serious_list_entries_need_the_materials_of_serious_information(catalog: Catalog) -> None:
    entry = _entry("wage_arrears", date(2026, 3, 10), valid_until=date(2029, 3, 9))
    lt = catalog.list_type("wage_arrears")
    period = eligibility.entry_period(entry, lt)
    given = Facts(frozenset({"performance_proof"}), True, True)
    result = eligibility.evaluate_entry(
        entry, lt, period, given, today=date(2026, 11, 23), catalog=catalog
    )
    assert [c.id for c in result.unmet] == ["materials"]
    assert "信用修复培训证明或信用报告" in result.unmet[0].detail


# ---- the procedure on a real database ---------------------------------------------------------


@pytest.fixture
def wage_case(
    session: Session, catalog: Catalog, calendar: Calendar
) -> tuple[ListEntry, Subject, Provider, Actor, Actor]:
    """A subject listed on the wage-arrears serious list through the real procedure."""
    provider, subject = make_provider(session), make_subject(session)
    officer = make_officer(session, provider)
    entry = listed(
        session, subject, "wage_arrears", catalog=catalog, calendar=calendar, actor=officer,
        proposed_on=LISTED_ON,
    )  # fmt: skip
    return entry, subject, provider, make_enterprise(session, subject), officer


def _apply(
    session: Session,
    entry: ListEntry,
    enterprise: Actor,
    *,
    catalog: Catalog,
    calendar: Calendar,
    data_dir: Path,
    today: date,
) -> RepairApplication:
    return commitments.apply_for_repair(
        session,
        entry,
        repair.Application("拖欠工资已全部支付，已整改", True, PROOFS),
        actor=enterprise,
        today=today,
        catalog=catalog,
        calendar=calendar,
        data_dir=data_dir,
        region_code=REGION,
    )


def test_approved_early_exit_takes_the_subject_off_the_list_the_same_day(
    session: Session, wage_case, catalog: Catalog, calendar: Calendar, tmp_path: Path, today: date
) -> None:
    entry, subject, provider, enterprise, officer = wage_case
    system = Actor.system("核查")
    before = measures.check(
        session, subject.code, "procurement", catalog=catalog, actor=system, today=today
    )
    assert [h.hit.source_id for h in before.hits] == [entry.id]
    assert [entry.id] == [e.id for e in repair.early_exit_candidates(
        session, subject.id, catalog=catalog, today=today)]  # fmt: skip

    app = _apply(
        session, entry, enterprise, catalog=catalog, calendar=calendar, data_dir=tmp_path,
        today=today,
    )  # fmt: skip
    assert (app.target_kind, app.list_entry_id, app.record_id) == ("list_entry", entry.id, None)
    assert app.provider_id == provider.id
    assert app.accept_due == date(2026, 11, 26)  # 3 working days
    assert app.severity == "serious"
    commitment = commitments.get(session, app.commitment_id)
    assert commitment.kind == "信用修复型"
    assert str(entry.decision_number) in commitment.reason
    queue = workqueue.work_queue(session, today=today, actor=officer)
    assert ("repair_acceptance", app.id) in [(i.kind, i.target_id) for i in queue]

    repair.accept(session, app, actor=officer, today=today, catalog=catalog, calendar=calendar)
    assert app.decide_due == date(2026, 12, 7)  # 10 working days
    repair.decide(
        session, app, approve=True, reason="工资已付清", actor=officer, today=today, catalog=catalog
    )
    session.refresh(entry)
    assert (entry.stage, entry.exit_kind, entry.exited_on) == ("exited", "early", today)
    assert f"修复申请第 {app.id} 号" in (entry.exit_reason or "")
    assert entry.exit_basis == "；".join(
        b.cite() for b in catalog.list_type("wage_arrears").legal_basis
    )
    assert lists.public_entries(session, subject.id, catalog=catalog, today=today) == []
    after = measures.check(
        session, subject.code, "procurement", catalog=catalog, actor=system, today=today
    )
    assert after.clean
    assert after.hits == ()
    synced = session.execute(
        select(OutboxEntry).where(
            OutboxEntry.target_id == app.id, OutboxEntry.target_type == "repair_application"
        )
    ).scalars()
    assert [(e.event, e.payload["list_entry_id"]) for e in synced] == [
        ("repair.approved", entry.id)
    ]
    assert repair.early_exit_candidates(session, subject.id, catalog=catalog, today=today) == []


def test_early_exit_is_decided_exactly_once_and_not_revoked_by_the_repair(
    session: Session, wage_case, catalog: Catalog, calendar: Calendar, tmp_path: Path, today: date
) -> None:
    entry, _, _, enterprise, officer = wage_case
    app = _apply(
        session, entry, enterprise, catalog=catalog, calendar=calendar, data_dir=tmp_path,
        today=today,
    )  # fmt: skip
    repair.accept(session, app, actor=officer, today=today, catalog=catalog, calendar=calendar)
    repair.decide(
        session, app, approve=True, reason="", actor=officer, today=today, catalog=catalog
    )
    with pytest.raises(repair.AlreadyHandled):
        repair.decide(
            session, app, approve=False, reason="再议", actor=officer, today=today, catalog=catalog
        )
    with pytest.raises(repair.RevokeNotForListEntries) as refused:
        repair.revoke(session, app, "承诺不实", actor=officer, today=today, catalog=catalog)
    assert "重新履行认定程序" in refused.value.message
    commitment = commitments.get(session, app.commitment_id)
    verified = commitments.record_verification(
        session, commitment, fulfilment="全部未履行", unperformed="工资支付凭证不实",
        false_statement=True, actor=officer,
        today=today, catalog=catalog,
    )  # fmt: skip
    assert verified.breach_record is not None
    assert verified.revoked_repair is None
    session.refresh(entry)
    assert entry.stage == "exited"


def test_early_exit_applied_for_too_early_is_refused_naming_the_date(
    session: Session, catalog: Catalog, calendar: Calendar, tmp_path: Path, today: date
) -> None:
    provider, subject = make_provider(session), make_subject(session)
    entry = listed(
        session, subject, "watch", catalog=catalog, calendar=calendar,
        actor=make_officer(session, provider), proposed_on=TOO_RECENT,
    )  # fmt: skip
    assert entry.decided_on == date(2026, 10, 20)
    with pytest.raises(repair.NotEligible) as refused:
        _apply(
            session, entry, make_enterprise(session, subject), catalog=catalog,
            calendar=calendar, data_dir=tmp_path, today=today,
        )  # fmt: skip
    assert "2027-01-21" in refused.value.message
    unmet = [c["id"] for c in refused.value.details["conditions"] if not c["met"]]
    assert unmet == ["min_period"]


def test_red_list_entry_cannot_be_exited_through_repair(
    session: Session, catalog: Catalog, calendar: Calendar, tmp_path: Path, today: date
) -> None:
    provider, subject = make_provider(session), make_subject(session)
    entry = listed(
        session, subject, "red", catalog=catalog, calendar=calendar,
        actor=make_officer(session, provider), proposed_on=LISTED_ON,
    )  # fmt: skip
    assert repair.early_exit_candidates(session, subject.id, catalog=catalog, today=today) == []
    with pytest.raises(repair.NotEligible) as refused:
        _apply(
            session, entry, make_enterprise(session, subject), catalog=catalog,
            calendar=calendar, data_dir=tmp_path, today=today,
        )  # fmt: skip
    assert "守信激励名单不是失信信息" in refused.value.message


def test_second_application_for_the_same_entry_waits_for_the_first(
    session: Session, wage_case, catalog: Catalog, calendar: Calendar, tmp_path: Path, today: date
) -> None:
    entry, _, _, enterprise, _ = wage_case
    _apply(
        session, entry, enterprise, catalog=catalog, calendar=calendar, data_dir=tmp_path,
        today=today,
    )  # fmt: skip
    with pytest.raises(repair.NotEligible) as refused:
        _apply(
            session, entry, enterprise, catalog=catalog, calendar=calendar, data_dir=tmp_path,
            today=today,
        )  # fmt: skip
    assert "该名单认定已有正在办理的修复申请" in refused.value.message


def test_only_the_deciding_department_handles_the_early_exit(
    session: Session, wage_case, catalog: Catalog, calendar: Calendar, tmp_path: Path, today: date
) -> None:
    entry, subject, _, enterprise, _ = wage_case
    other = make_officer(session, make_provider(session))
    app = _apply(
        session, entry, enterprise, catalog=catalog, calendar=calendar, data_dir=tmp_path,
        today=today,
    )  # fmt: skip
    with pytest.raises(Forbidden):
        repair.accept(session, app, actor=other, today=today, catalog=catalog, calendar=calendar)
    assert other.provider_id is not None
    assert workqueue.work_queue(session, today=today, actor=other) == []
    stranger = make_enterprise(session, make_subject(session))
    with pytest.raises(Forbidden):
        repair.own_entry(session, entry.id, stranger.subject_id)
    assert repair.own_entry(session, entry.id, subject.id) is entry


def test_an_application_targets_exactly_one_thing(
    session: Session, wage_case, catalog: Catalog, calendar: Calendar, tmp_path: Path, today: date
) -> None:
    entry, _, _, enterprise, _ = wage_case
    app = _apply(
        session, entry, enterprise, catalog=catalog, calendar=calendar, data_dir=tmp_path,
        today=today,
    )  # fmt: skip
    stray = RepairApplication(
        subject_id=app.subject_id,
        target_kind="list_entry",
        list_entry_id=None,
        record_id=None,
        info_class=app.info_class,
        natural_key=app.natural_key,
        commitment_id=app.commitment_id,
        status="submitted",
        statement="无目标",
        eligibility={},
        applied_on=today,
        accept_due=today,
        extended=False,
        catalog_version=app.catalog_version,
    )
    with pytest.raises(IntegrityError):
        _flush_in_savepoint(session, stray)


def _flush_in_savepoint(session: Session, row: RepairApplication) -> None:
    with session.begin_nested():
        session.add(row)
        session.flush()
