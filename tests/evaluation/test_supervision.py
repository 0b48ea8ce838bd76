"""Graded supervision: grade (+ sector grade) → class per sector; the joint check answers with
`grade`, `supervision_class` and the model version on both paths."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy.orm import Session

from tests.conftest import CATALOG_DIR
from tests.databases import delete_committed
from tests.evaluation.both_paths import check_on_both_paths
from tests.factories import make_provider, make_subject
from tests.factories.workflows import make_penalty
from xinyong import catalog as catalogs
from xinyong import evaluation, measures
from xinyong.audit import Actor
from xinyong.catalog import Catalog
from xinyong.enums import Role
from xinyong.evaluation import sector_grades, supervision

SYSTEM = Actor(kind="api_client", id=9, label="接口:监管系统", role=Role.SYSTEM)
AUDITOR = Actor(kind="user", id=5, label="审计员", role=Role.AUDITOR)


def _in_force(system: str, grade: str) -> sector_grades.SectorGrade:
    return sector_grades.SectorGrade(
        system, system, grade, None, date(2026, 4, 1), date(2027, 3, 31)
    )


@pytest.mark.parametrize(
    ("grade", "sector", "sector_grades", "expected", "decided_by"),
    [
        ("A", None, {}, "A", "grade"),
        ("B", "tax", {}, "B", "grade"),  # no tax grade in force: ours
        ("D", "market_regulation", {}, "D", "grade"),
        ("A", "tax", {"tax_credit": "D"}, "D", "sector_grade"),  # tax: its own grade decides
        ("D", "tax", {"tax_credit": "A"}, "A", "sector_grade"),
        ("A", "tax", {"tax_credit": "M"}, "B", "sector_grade"),
        ("A", "market_regulation", {"tax_credit": "D"}, "A", "grade"),  # elsewhere: ours
        ("A", "finance", {"tax_credit": "D"}, "A", "grade"),
        ("A", "customs", {"customs_credit": "失信企业"}, "D", "sector_grade"),  # the worse
        ("C", "customs", {"customs_credit": "高级认证企业"}, "C", "grade"),
        ("B", "tax", {"tax_credit": "X"}, "B", "grade"),  # a grade the catalog cannot map
        (None, "tax", {"tax_credit": "C"}, "C", "sector_grade"),  # never graded by us
    ],
)
def test_each_sector_combines_the_sector_grade_as_its_rule_says(
    grade: str | None,
    sector: str | None,
    sector_grades: dict[str, str],
    expected: str,
    decided_by: str,
) -> None:
    rules = supervision.load_rules(CATALOG_DIR)
    graded = {k: _in_force(k, v) for k, v in sector_grades.items()}
    found = supervision.decide(rules, grade, sector, graded)
    assert found is not None
    assert (found.supervision_class, found.decided_by) == (expected, decided_by)


def test_every_sector_grade_rule_names_its_basis() -> None:
    rules = supervision.load_rules(CATALOG_DIR)
    ruled = [s for s in rules.sectors if s.sector_grade is not None]
    assert {s.id for s in ruled} >= {"tax"}
    assert all(s.sector_grade and s.sector_grade.basis for s in ruled)


def test_each_sector_gives_ratio_and_frequency_for_each_class() -> None:
    rules = supervision.load_rules(CATALOG_DIR)
    row = supervision.GradeRow("D", "enterprise", "2026.1+x", date(2026, 11, 23), 40.0)
    for sector in rules.sectors:
        g = supervision.grading(row, rules, sector=sector.id)
        assert g is not None
        assert (g.supervision_class, g.sector) == ("D", sector.id)
        assert g.ratio >= rules.sector(sector.id).classes["A"].ratio
    market = supervision.grading(row, rules)
    assert market is not None
    assert market.check_fields()["supervision"]["sector"] == "market_regulation"


def test_sync_check_answers_with_grade_and_class(
    session: Session, catalog: Catalog, today: date
) -> None:
    subject = make_subject(session)
    make_penalty(session, subject, make_provider(session), decision_date=date(2026, 6, 1))
    ungraded = measures.check(
        session, subject.code, "supervision", catalog=catalog, actor=SYSTEM, today=today
    ).as_dict()
    assert (ungraded["grade"], ungraded["supervision_class"]) == (None, None)
    ev = evaluation.evaluate_subject(session, subject, catalog=catalog, today=today)
    assert ev is not None
    answer = measures.check(
        session, subject.code, "supervision", catalog=catalog, actor=SYSTEM, today=today
    ).as_dict()
    assert (answer["grade"], answer["supervision_class"]) == ("C", "C")
    assert answer["evaluation"] == {
        "model": "enterprise",
        "version": ev.model_version,
        "as_of": today.isoformat(),
    }
    assert answer["supervision"]["inspection_ratio"] == 0.4


@pytest.mark.postgres
@pytest.mark.parametrize(("created_after_its_grade", "grade"), [(False, "C"), (True, None)])
def test_fast_path_answers_with_the_same_grade(
    engine, catalog: Catalog, today: date, created_after_its_grade: bool, grade: str | None
) -> None:
    with Session(engine) as s, s.begin():
        subject, provider = make_subject(s), make_provider(s)
        make_penalty(s, subject, provider, decision_date=date(2026, 6, 1))
        evaluation.evaluate_subject(s, subject, catalog=catalog, today=today)
        if created_after_its_grade:  # as above: the grade is not this subject's
            subject.created_at += timedelta(days=1)
        ids = (subject.id, subject.code, provider.id)
    try:
        _sync, fast = check_on_both_paths(
            engine, ids[1], "bidding", catalog=catalog, actor=SYSTEM, today=today
        )
        assert fast["grade"] == grade
        sector = fast["supervision"] and fast["supervision"]["sector"]
        assert sector == (None if grade is None else "finance")
    finally:
        delete_committed(engine, ids[0], ids[2])


def _with_ratio_c(catalog: Catalog, ratio: str) -> Catalog:
    """The catalog with the first sector's class C ratio changed in its supervision.yaml."""
    texts = dict(catalog.texts)
    old = "C: {ratio: 0.40,"
    assert old in texts[supervision.FILE]
    texts[supervision.FILE] = texts[supervision.FILE].replace(old, f"C: {{ratio: {ratio},", 1)
    return catalogs.load_catalog_texts(texts, "old")


def test_the_rules_are_those_of_the_catalog_version(catalog: Catalog) -> None:
    assert supervision.rules_of(catalog) == supervision.load_rules()
    old = _with_ratio_c(catalog, "0.45")
    assert old.version != catalog.version  # supervision.yaml is part of the version
    assert supervision.rules_of(old).sectors[0].classes["C"].ratio == 0.45
    assert supervision.rules_of(catalog).sectors[0].classes["C"].ratio == 0.4


def test_a_replay_reads_the_supervision_rules_of_the_logged_version(
    session: Session, catalog: Catalog, today: date
) -> None:
    """A check answered under an older catalog version (another ratio for class C) replays with
    that version's stored supervision.yaml, not today's file."""
    old = _with_ratio_c(catalog, "0.45")
    catalogs.record_version(session, old, actor=Actor.system())
    subject = make_subject(session)
    make_penalty(session, subject, make_provider(session), decision_date=date(2026, 6, 1))
    evaluation.evaluate_subject(session, subject, catalog=old, today=today)
    ans = measures.check(session, subject.code, "supervision", catalog=old, actor=SYSTEM,
                         today=today)  # fmt: skip
    assert ans.as_dict()["supervision"]["inspection_ratio"] == 0.45
    catalogs.record_version(session, catalog, actor=Actor.system())
    done = measures.replay_check(session, ans.check_id, catalog=catalog, actor=AUDITOR)
    assert done.catalog_version == old.short_version != catalog.short_version
    assert done.answer["supervision"]["inspection_ratio"] == 0.45
    assert done.matches, done.notes
