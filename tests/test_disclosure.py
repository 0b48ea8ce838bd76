"""Disclosure rules, one named case per rule: shown or not on a given day, and until when.

The pure part needs no database: facts + catalog + today → window. The last tests check the
subject's public view on a real database (records written by the builders, repairs and
withdrawals as new versions through archive.new_version).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.factories import make_provider, make_record, make_subject
from xinyong import archive, disclosure
from xinyong.audit import Actor
from xinyong.catalog import Catalog
from xinyong.db.tables import Objection
from xinyong.disclosure import RecordFacts, disclosure_window, severity_of
from xinyong.enums import RecordStatus, Severity, SubjectKind

ORG = "法人及非法人组织"
PERSON = "自然人"


def fine(amount: str, category: str = ORG, *kinds: str) -> dict[str, Any]:
    return {"penalty_kinds": list(kinds or ("罚款",)), "fine_amount": amount,
            "subject_category": category}  # fmt: skip


GENERAL = fine("5")  # 5 万元 → 一般 (default table)
SERIOUS = {"penalty_kinds": ["罚款", "吊销许可证件"], "fine_amount": "20", "subject_category": ORG}
WARNING = {"penalty_kinds": ["警告"], "subject_category": ORG}
REPRIMAND = {"penalty_kinds": ["通报批评"], "subject_category": ORG}


@dataclass(frozen=True)
class Case:
    rule: str  # the rule the case proves (test id)
    decided: date | None
    today: date
    shown: bool
    ends: date | None = None
    info_class: str = "penalty"
    data: dict[str, Any] = field(default_factory=dict)
    provider_kind: str | None = None
    status: RecordStatus = RecordStatus.ACTIVE
    severity: Severity | None = None
    objection: bool = False
    regime: str | None = None
    min_until: date | None = None
    reason_has: str = ""


D = date
CASES = [
    # 一般: min 3 / max 12 months (令36号)
    Case("general_before_min_is_shown", D(2026, 6, 1), D(2026, 7, 1), True, D(2027, 6, 1),
         data=GENERAL, regime="repair_2026", min_until=D(2026, 9, 1), reason_has="一般失信信息"),
    Case("general_between_min_and_max_is_shown", D(2026, 6, 1), D(2026, 12, 1), True,
         D(2027, 6, 1), data=GENERAL),
    Case("general_on_last_day_of_max_is_shown", D(2026, 6, 1), D(2027, 6, 1), True, D(2027, 6, 1),
         data=GENERAL),
    Case("general_after_max_is_hidden", D(2026, 6, 1), D(2027, 6, 2), False, D(2027, 6, 1),
         data=GENERAL, reason_has="届满"),
    Case("general_month_end_clamps", D(2026, 11, 30), D(2026, 12, 1), True, D(2027, 11, 30),
         data=GENERAL, min_until=D(2027, 2, 28)),
    # 严重: min 12 / max 36 months
    Case("serious_before_min_is_shown", D(2026, 6, 1), D(2027, 3, 1), True, D(2029, 6, 1),
         data=SERIOUS, min_until=D(2027, 6, 1), reason_has="严重失信信息"),
    Case("serious_between_min_and_max_is_shown", D(2026, 6, 1), D(2028, 1, 1), True,
         D(2029, 6, 1), data=SERIOUS),
    Case("serious_after_max_is_hidden", D(2026, 6, 1), D(2029, 6, 2), False, D(2029, 6, 1),
         data=SERIOUS),
    Case("large_fine_of_organisation_is_serious", D(2026, 6, 1), D(2026, 7, 1), True,
         D(2029, 6, 1), data=fine("150")),
    # 轻微: not disclosed (default table), or ≤ 3 months where the sector insists
    Case("warning_only_is_not_disclosed", D(2026, 6, 1), D(2026, 6, 2), False, data=WARNING,
         reason_has="轻微"),
    Case("simple_procedure_fine_of_person_is_not_disclosed", D(2026, 6, 1), D(2026, 6, 2), False,
         data=fine("0.02", PERSON)),
    Case("simple_procedure_fine_of_organisation_is_not_disclosed", D(2026, 6, 1), D(2026, 6, 2),
         False, data=fine("0.3")),
    Case("fine_above_simple_procedure_is_general", D(2026, 6, 1), D(2026, 6, 2), True,
         D(2027, 6, 1), data=fine("0.31")),
    Case("sector_discloses_reprimand_for_3_months", D(2026, 6, 1), D(2026, 9, 1), True,
         D(2026, 9, 1), data=REPRIMAND, provider_kind="market_regulation"),
    Case("sector_minor_after_3_months_is_hidden", D(2026, 6, 1), D(2026, 9, 2), False,
         D(2026, 9, 1), data=REPRIMAND, provider_kind="market_regulation"),
    Case("sector_warning_only_is_never_disclosed", D(2026, 6, 1), D(2026, 6, 2), False,
         data=WARNING, provider_kind="market_regulation"),
    Case("unknown_sector_uses_default_table", D(2026, 6, 1), D(2026, 6, 2), False,
         data=REPRIMAND, provider_kind="tax"),
    # Decisions before 2026-04-01: 令58号 periods
    Case("decided_before_2026_04_01_uses_2023_regime", D(2026, 3, 31), D(2026, 11, 23), True,
         D(2027, 3, 31), data=GENERAL, regime="repair_2023"),
    Case("decided_on_2026_04_01_uses_2026_regime", D(2026, 4, 1), D(2026, 11, 23), True,
         D(2027, 4, 1), data=GENERAL, regime="repair_2026"),
    Case("old_general_penalty_past_max_is_hidden", D(2025, 6, 1), D(2026, 11, 23), False,
         D(2026, 6, 1), data=GENERAL, regime="repair_2023"),
    Case("old_serious_penalty_within_max_is_shown", D(2025, 6, 1), D(2026, 11, 23), True,
         D(2028, 6, 1), data=SERIOUS, regime="repair_2023"),
    Case("old_minor_is_not_disclosed_even_where_sector_insists", D(2026, 2, 1), D(2026, 2, 2),
         False, data=REPRIMAND, provider_kind="market_regulation"),
    Case("explicit_severity_from_department_wins", D(2026, 6, 1), D(2028, 1, 1), True,
         D(2029, 6, 1), data=WARNING, severity=Severity.SERIOUS),
    # Status: repaired, withdrawn, objection
    Case("repaired_penalty_is_hidden", D(2026, 6, 1), D(2026, 12, 1), False, data=GENERAL,
         status=RecordStatus.REPAIRED, reason_has="信用修复"),
    Case("withdrawn_penalty_is_hidden", D(2026, 6, 1), D(2026, 12, 1), False, data=GENERAL,
         status=RecordStatus.WITHDRAWN, reason_has="撤销"),
    Case("open_objection_is_shown_with_mark", D(2026, 6, 1), D(2026, 12, 1), True, D(2027, 6, 1),
         data=GENERAL, objection=True),
    Case("missing_decision_date_is_not_shown", None, D(2026, 12, 1), False, data=GENERAL,
         reason_has="缺少决定日期"),
    Case("future_decision_is_not_shown_yet", D(2027, 1, 1), D(2026, 12, 1), False,
         D(2028, 1, 1), data=GENERAL),
    # Licences: while valid; long-term → 60 months; 当前状态 无效 → hidden
    Case("licence_within_validity_is_shown", D(2025, 1, 1), D(2026, 11, 23), True,
         D(2028, 1, 1), info_class="licence", data={"valid_until": "2028-01-01"}),
    Case("licence_after_validity_is_hidden", D(2024, 1, 1), D(2026, 11, 23), False,
         D(2026, 1, 1), info_class="licence", data={"valid_until": "2026-01-01"}),
    Case("long_term_licence_is_shown_60_months", D(2024, 1, 1), D(2026, 11, 23), True,
         D(2029, 1, 1), info_class="licence", data={"valid_until": "2099-12-31"}),
    Case("invalid_licence_is_hidden", D(2025, 1, 1), D(2026, 11, 23), False, info_class="licence",
         data={"valid_until": "2028-01-01", "status": "无效"}),
    # Imported lists: by their validity; the deciding body's removal ends them
    Case("court_defaulter_within_24_months_is_shown", D(2025, 1, 10), D(2026, 11, 23), True,
         D(2027, 1, 10), info_class="court_defaulter"),
    Case("court_defaulter_after_24_months_is_hidden", D(2024, 1, 10), D(2026, 11, 23), False,
         D(2026, 1, 10), info_class="court_defaulter"),
    Case("court_defaulter_removed_by_court_is_hidden", D(2025, 1, 10), D(2026, 11, 23), False,
         info_class="court_defaulter", data={"removed_on": "2026-03-01"}, reason_has="移出或删除"),
    Case("future_removal_ends_disclosure_the_day_before", D(2025, 1, 10), D(2026, 11, 23), True,
         D(2026, 11, 30), info_class="court_defaulter", data={"removed_on": "2026-12-01"}),
    Case("abnormal_operation_is_shown_until_removed", D(2020, 1, 1), D(2026, 11, 23), True, None,
         info_class="abnormal_operation"),
    Case("abnormal_operation_removed_is_hidden", D(2020, 1, 1), D(2026, 11, 23), False,
         info_class="abnormal_operation", data={"removed_on": "2021-01-01"}),
    Case("serious_list_entry_until_its_validity", D(2025, 1, 1), D(2026, 11, 23), True,
         D(2027, 6, 30), info_class="serious_list", data={"valid_until": "2027-06-30"}),
    Case("serious_list_without_end_uses_its_list_type", D(2024, 1, 1), D(2026, 11, 23), True,
         D(2027, 1, 1), info_class="serious_list",
         data={"list_type": "拖欠农民工工资失信联合惩戒对象名单"}),
    Case("honour_after_validity_is_hidden", D(2020, 1, 1), D(2026, 11, 23), False,
         D(2023, 1, 1), info_class="honour", data={"valid_until": "2023-01-01"}),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=[c.rule for c in CASES])
def test_disclosure_rule(case: Case, catalog: Catalog) -> None:
    facts = RecordFacts(
        info_class=case.info_class,
        status=case.status,
        decision_date=case.decided,
        data=case.data,
        severity=case.severity,
        provider_kind=case.provider_kind,
        objection_open=case.objection,
    )
    window = disclosure_window(facts, catalog=catalog, today=case.today)
    assert window.shown is case.shown, window.reason
    assert window.reason
    if case.ends is not None or case.shown:
        assert window.disclosure_ends == case.ends
    if case.regime:
        assert window.regime_id == case.regime
    if case.min_until:
        assert window.min_until == case.min_until
    assert case.reason_has in window.reason
    assert window.mark == ("异议处理中" if case.objection else None)
    assert window.catalog_version == catalog.version
    assert window.legal_basis  # every answer names its basis


def test_a_dated_window_never_reads_the_fields_window_fields_dated_leaves_out(
    catalog: Catalog,
) -> None:
    """`window_fields(dated=True)`: a record with a decision date has the same window whatever
    the fields that list leaves out hold (whole-population runs read them only of undated rows)."""
    today = date(2026, 12, 1)
    for info in catalog.info_classes.values():
        if info.kind != "record" or catalog.disclosure_rules.rule(info.disclosure.rule) is None:
            continue
        undated = disclosure.window_fields(info, catalog)
        dated = disclosure.window_fields(info, catalog, dated=True)
        assert set(dated) <= set(undated)
        left_out = [f for f in undated if f not in dated]
        for decided in (date(2021, 3, 1), date(2026, 5, 1)):
            windows = set()
            for value in (None, "2019-01-01", "2026-11-30", "不是日期"):
                facts = RecordFacts(
                    info_class=info.id,
                    status=RecordStatus.ACTIVE,
                    decision_date=decided,
                    data=dict.fromkeys(left_out, value),
                    severity=Severity.GENERAL,
                    provider_kind=None,
                    objection_open=False,
                )
                w = disclosure_window(facts, catalog=catalog, today=today)
                windows.add((w.shown, w.disclosure_ends, w.severity, w.reason))
            assert len(windows) == 1, (info.id, left_out, windows)


def test_severity_names_the_matched_rule_and_table(catalog: Catalog) -> None:
    info = catalog.info_class("penalty")
    finding = severity_of(WARNING, catalog.severity_table("market_regulation"), info)
    assert (finding.severity, finding.rule_id, finding.table_id) == (
        Severity.MINOR, "warning_only", "market_regulation"
    )  # fmt: skip
    assert any("第二条" in cite for cite in finding.legal_basis)
    missing_amount = severity_of(
        {"penalty_kinds": ["罚款"]}, catalog.severity_table("default"), info
    )
    assert missing_amount.severity == Severity.GENERAL  # a missing amount never matches


# ---- the subject's public view on a real database ---------------------------------------------


def test_public_view_shows_exactly_what_the_rules_allow(
    session: Session, catalog: Catalog, today: date
) -> None:
    subject = make_subject(session, name="示范区公示测试有限公司")
    shown = make_record(session, subject, decision_date=D(2026, 6, 1),
                        data={**GENERAL, "decision_number": "示罚〔2026〕1号"})  # fmt: skip
    make_record(session, subject, decision_date=D(2025, 6, 1),
                data={**GENERAL, "decision_number": "示罚〔2025〕2号"})  # fmt: skip
    make_record(session, subject, decision_date=D(2026, 6, 1),
                data={**WARNING, "decision_number": "示罚〔2026〕3号"})  # fmt: skip
    view = disclosure.public_view(session, subject, catalog=catalog, today=today)
    numbers = [r.decision_number for r in view.records]
    assert numbers == [shown.decision_number]
    assert view.tabs["penalties"][0].window.disclosure_ends == D(2027, 6, 1)


def test_repaired_and_withdrawn_versions_disappear_from_public_view(
    session: Session, catalog: Catalog, today: date, operator: Actor
) -> None:
    subject = make_subject(session)
    repaired = make_record(session, subject, data={**GENERAL, "decision_number": "示罚〔2026〕7号"})
    withdrawn = make_record(
        session, subject, data={**GENERAL, "decision_number": "示罚〔2026〕8号"}
    )
    archive.new_version(session, repaired, reason="信用修复", status=RecordStatus.REPAIRED,
                        actor=operator)  # fmt: skip
    archive.new_version(session, withdrawn, reason="决定被撤销", status=RecordStatus.WITHDRAWN,
                        actor=operator)  # fmt: skip
    view = disclosure.public_view(session, subject, catalog=catalog, today=today)
    assert view.records == []
    entries = disclosure.full_archive(session, subject, catalog=catalog, today=today)
    assert {e.window.reason.split("，")[0] for e in entries} == {
        "已完成信用修复",
        "该信用记录已被撤销或删除",
    }
    assert all(len(e.history) == 2 for e in entries)


def test_sector_table_is_chosen_by_the_provider_kind(
    session: Session, catalog: Catalog, today: date
) -> None:
    subject = make_subject(session)
    provider = make_provider(session, kind="market_regulation")
    make_record(session, subject, decision_date=D(2026, 10, 1), provider_id=provider.id,
                data={**REPRIMAND, "decision_number": "示市监罚〔2026〕9号"})  # fmt: skip
    view = disclosure.public_view(session, subject, catalog=catalog, today=today)
    assert [r.window.disclosure_ends for r in view.records] == [D(2027, 1, 1)]


def test_open_objection_is_marked_in_public_view(
    session: Session, catalog: Catalog, today: date
) -> None:
    subject = make_subject(session)
    record = make_record(session, subject, data={**GENERAL, "decision_number": "示罚〔2026〕11号"})
    session.add(Objection(record_id=record.id, subject_id=subject.id, grounds="金额有误",
                          filed_on=today, answer_due=D(2026, 12, 1)))  # fmt: skip
    session.flush()
    view = disclosure.public_view(session, subject, catalog=catalog, today=today)
    assert view.records[0].window.mark == "异议处理中"


def test_person_penalty_public_fields_hide_the_id_number(
    session: Session, catalog: Catalog, today: date
) -> None:
    person = make_subject(session, kind=SubjectKind.PERSON, name="钱七")
    data = {**fine("1", PERSON), "decision_number": "示罚〔2026〕12号",
            "subject_id_number": person.code,
            "facts": f"当事人（身份证号{person.code}）无证经营"}  # fmt: skip
    make_record(session, person, data=data)
    view = disclosure.public_view(session, person, catalog=catalog, today=today)
    text = repr(view)
    assert person.code not in text
    assert "********" in text
