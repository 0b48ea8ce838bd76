"""The shipped national catalog: it loads, every reference resolves, and its content says what the
rules say (rules.md §1.3, §2.3, §3)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.catalog.conftest import Edit
from xinyong.catalog import (
    CatalogEntryNotFound,
    FieldRole,
    check,
    load_catalog,
    names_law_and_article,
)
from xinyong.enums import ListKind, Severity


def test_shipped_catalog_loads_with_every_reference_resolved(shipped_dir: Path) -> None:
    catalog = load_catalog(shipped_dir)
    assert set(catalog.info_classes) == {
        "licence",
        "penalty",
        "court_defaulter",
        "abnormal_operation",
        "serious_list",
        "honour",
        "commitment_breach",
        "registration",
        "sector_grade",
        "enterprise_arrears",
        "tax_serious_violation",
    }
    rule_ids = {r.id for r in catalog.disclosure_rules.rules}
    for info in catalog.info_classes.values():
        assert info.disclosure.rule in rule_ids
        field_ids = {f.id for f in info.fields}
        assert set(info.natural_key) <= field_ids
        for f in info.fields:
            if f.code_table:
                assert f.code_table in catalog.code_tables
            if f.required_when:
                assert f.required_when.field in field_ids
    for measure in catalog.measures.values():
        assert set(measure.target_list_types) <= set(catalog.list_types)
        assert set(measure.matters) <= set(catalog.matters)
    for rule in catalog.disclosure_rules.rules:
        assert rule.severity_table is None or rule.severity_table in catalog.severity_tables


def test_dual_disclosure_classes_carry_the_national_field_counts(shipped_dir: Path) -> None:
    catalog = load_catalog(shipped_dir)
    penalty, licence = catalog.info_class("penalty"), catalog.info_class("licence")
    assert len(penalty.fields) == 30
    assert len(licence.fields) == 28
    assert penalty.timeliness_working_days == licence.timeliness_working_days == 7
    assert penalty.field("subject_name").code == "CF_XDR_MC"
    assert penalty.field("fine_amount").unit == "万元"
    assert penalty.field("penalty_kinds").multi
    assert "CF_XDR_SFZ" in penalty.field("subject_id_number").aliases  # 2016 layout
    uscc = penalty.field_by_role(FieldRole.SUBJECT_USCC)
    assert uscc is not None
    assert uscc.required_when is not None
    assert uscc.required_when.values == ["法人及非法人组织", "个体工商户"]
    fine = penalty.field("fine_amount").required_when
    assert fine is not None
    assert fine.contains == ["罚款"]


def test_id_numbers_are_never_public(shipped_dir: Path) -> None:
    catalog = load_catalog(shipped_dir)
    for info in catalog.info_classes.values():
        for f in info.fields:
            if f.type == "id_number":
                assert not f.public, (info.id, f.id)


def test_class_one_measures_cite_a_law_and_an_article(shipped_dir: Path) -> None:
    catalog = load_catalog(shipped_dir)
    class_one = [m for m in catalog.measures.values() if m.measure_class == 1]
    assert class_one
    for measure in class_one:
        assert any(names_law_and_article(b) for b in measure.legal_basis), measure.id


def test_no_measure_is_heavier_than_its_list_allows(shipped_dir: Path) -> None:
    catalog = load_catalog(shipped_dir)
    assert catalog.list_type("watch").max_measure_class == 2
    for measure in catalog.measures.values():
        for list_id in measure.target_list_types:
            lt = catalog.list_type(list_id)
            if measure.kind == "punishment":
                assert lt.kind != ListKind.RED
                assert measure.measure_class >= lt.max_measure_class
            else:
                assert lt.kind == ListKind.RED


def test_list_periods_follow_the_rules(shipped_dir: Path) -> None:
    catalog = load_catalog(shipped_dir)
    market = catalog.list_type("market_regulation_serious")
    assert market.validity.months == 36
    assert market.early_exit.after_months == 12
    wages = catalog.list_type("wage_arrears")
    assert wages.validity.months == 36
    assert wages.early_exit.after_months == 6
    assert catalog.list_type("court_defaulter").validity.months == 24
    assert catalog.list_type("abnormal_operation").validity.until_removed
    steps = [s.step for s in catalog.list_type("watch").procedure]
    assert steps.index("prior_notice") < steps.index("statement") < steps.index("decision")


def test_disclosure_regime_is_chosen_by_decision_date(shipped_dir: Path) -> None:
    rules = load_catalog(shipped_dir).disclosure_rules
    new = rules.regime_for(date(2026, 4, 1))
    old = rules.regime_for(date(2026, 3, 31))
    assert new is not None
    assert new.id == "repair_2026"
    assert old is not None
    assert old.id == "repair_2023"
    assert not new.periods[Severity.MINOR].disclosed
    general, serious = new.periods[Severity.GENERAL], new.periods[Severity.SERIOUS]
    assert (general.min_months, general.max_months) == (3, 12)
    assert (serious.min_months, serious.max_months) == (12, 36)


def test_severity_tables_are_ordered_and_end_with_a_default(shipped_dir: Path) -> None:
    catalog = load_catalog(shipped_dir)
    default = catalog.severity_table("default")
    assert default.rules[0].severity == Severity.SERIOUS
    assert "吊销许可证件" in (default.rules[0].when.kinds_any or [])
    assert default.rules[-1].when.is_empty()
    assert default.rules[-1].severity == Severity.GENERAL
    simple = {r.id: r for r in default.rules}["simple_procedure_fine_organisation"]
    assert simple.severity == Severity.MINOR
    assert simple.when.amount_at_most == 0.3
    assert catalog.severity_table("market_regulation").minor_disclosure_months == 3


def test_code_table_accepts_code_label_and_allowed_prefix(shipped_dir: Path) -> None:
    catalog = load_catalog(shipped_dir)
    ids = catalog.code_table("id_document_kind")
    assert ids.normalise("身份证") == "身份证"
    assert ids.normalise("1") == "身份证"
    assert ids.normalise("其他-军官证") == "其他-军官证"
    assert ids.normalise("其他-") is None
    assert catalog.code_table("penalty_kind").normalise("罚金") is None
    assert len(catalog.code_table("penalty_kind").values) == 14


def test_unknown_info_class_error_lists_known_ids(shipped_dir: Path) -> None:
    catalog = load_catalog(shipped_dir)
    with pytest.raises(CatalogEntryNotFound) as caught:
        catalog.info_class("penalties")
    assert caught.value.status == 404
    assert "penalties" in caught.value.message
    assert "penalty" in caught.value.message
    assert "licence" in caught.value.message


def test_version_is_stable_across_loads(shipped_dir: Path) -> None:
    first, second = load_catalog(shipped_dir), load_catalog(shipped_dir)
    assert first.version == second.version
    assert len(first.version) == 64
    assert first.short_version == first.version[:16]


def test_version_ignores_comments_and_changes_with_a_value(
    shipped_dir: Path, catalog_copy: Path, edit: Edit
) -> None:
    shipped = load_catalog(shipped_dir).version
    path = catalog_copy / "matters.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n# a comment\n", encoding="utf-8")
    assert load_catalog(catalog_copy).version == shipped

    def retitle(data: dict[str, object]) -> None:
        data["title"] = "行政处罚信息（本地）"

    edit("info_classes/penalty.yaml", retitle)
    assert load_catalog(catalog_copy).version != shipped


def test_check_reports_counts_and_a_missing_next_year(shipped_dir: Path) -> None:
    report = check(shipped_dir, today=date(2026, 11, 22))
    assert report.counts["info_classes"] == 11
    assert report.counts["measures"] >= 12
    assert 2026 in report.calendar_years
    assert any("2027" in w for w in report.warnings)
    assert report.version == load_catalog(shipped_dir).version


def test_check_warns_about_a_file_no_loader_reads(catalog_copy: Path) -> None:
    stray = catalog_copy / "lists" / "watch.yml"  # .yml is not read: a likely mistake
    stray.write_text("id: watch\n", encoding="utf-8")
    report = check(catalog_copy)
    assert any(str(stray) in w for w in report.warnings)
