"""Imported sector grades (行业信用评价): collected like any class, kept beside our grade (never in
the score), combined by graded supervision per sector as the catalog's rule says, and shown in the
joint check answer on both paths and in what the officer, /me and public pages read (the pages:
tests/web/test_evaluation_pages.py)."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from sqlalchemy.orm import Session

from tests.databases import delete_committed
from tests.evaluation.both_paths import check_on_both_paths
from tests.factories import make_provider, make_subject
from tests.factories.archive import make_record
from xinyong import collection, evaluation, measures
from xinyong.audit import Actor
from xinyong.catalog import Catalog
from xinyong.clock import Calendar
from xinyong.collection import Submission
from xinyong.db.tables import Provider, Subject
from xinyong.enums import Role
from xinyong.evaluation import access, sector_grades

SYSTEM = Actor(kind="api_client", id=9, label="接口:税务系统", role=Role.SYSTEM)
OFFICER = Actor(kind="user", id=7, label="测试科员", role=Role.OFFICER)
HEADERS = ["主体名称", "主体类别", "统一社会信用代码", "评价体系", "评价等级", "评价年度",
           "评价日期", "有效期至", "评价机关", "评价机关统一社会信用代码", "数据来源单位",
           "数据来源单位统一社会信用代码"]  # fmt: skip


def _file(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _row(subject: Subject, tax: Provider, grade: str, *, year: int = 2025,
         graded: str = "2026-04-10", until: str = "2027-04-09",
         system: str = "纳税信用等级") -> list[str]:  # fmt: skip
    return [subject.name, "法人及非法人组织", subject.code, system, grade, str(year), graded,
            until, tax.name, tax.uscc, tax.name, tax.uscc]  # fmt: skip


def _collect(
    session: Session, tax: Provider, data: bytes, catalog: Catalog, calendar: Calendar,
    today: date,
) -> collection.BatchReport:  # fmt: skip
    sub = Submission("sector_grade", tax.uscc, data=data, file_name="纳税信用等级.csv")
    return collection.collect(
        session, sub, catalog=catalog, calendar=calendar, actor=Actor.system("测试"), today=today
    )


def _check(session: Session, subject: Subject, matter: str, catalog: Catalog, today: date):
    return measures.check(
        session, subject.code, matter, catalog=catalog, actor=SYSTEM, today=today
    ).as_dict()


def test_collected_like_any_class_idempotent_and_validated(
    session: Session, catalog: Catalog, calendar: Calendar, today: date
) -> None:
    tax = make_provider(session, name="示范区税务局", kind="tax")
    firm = make_subject(session)
    data = _file([_row(firm, tax, "D"), _row(firm, tax, "A", system="员工满意度")])
    report = _collect(session, tax, data, catalog, calendar, today)
    assert (report.accepted, report.rejected) == (1, 1)
    assert [(e["row"], e["field"]) for e in report.errors] == [(3, "评价体系")]
    again = _collect(session, tax, data, catalog, calendar, today)
    assert again.repeat_of == report.batch_id  # a byte-identical file writes nothing
    graded = sector_grades.current(session, firm.id, catalog=catalog, today=today)
    assert [(g.system, g.grade, g.valid_until) for g in graded.values()] == [
        ("tax_credit", "D", date(2027, 4, 9))
    ]


def test_tax_grade_d_decides_in_the_tax_sector_and_ours_elsewhere(
    session: Session, catalog: Catalog, calendar: Calendar, today: date
) -> None:
    tax = make_provider(session, name="示范区税务局", kind="tax")
    firm = make_subject(session)
    before = evaluation.evaluate_subject(session, firm, catalog=catalog, today=today)
    assert before is not None
    assert before.grade == "B"
    _collect(session, tax, _file([_row(firm, tax, "D")]), catalog, calendar, today)
    after = evaluation.evaluate_subject(session, firm, catalog=catalog, today=today)
    assert after is not None
    assert (after.score, after.grade) == (before.score, "B")

    in_tax = _check(session, firm, "tax_incentive", catalog, today)
    assert (in_tax["grade"], in_tax["supervision_class"]) == ("B", "D")
    assert in_tax["supervision"]["sector"] == "tax"
    assert in_tax["supervision"]["decided_by"] == "sector_grade"
    assert in_tax["sector_grade"]["grade"] == "D"
    assert in_tax["sector_grade"]["title"] == "纳税信用等级"
    assert in_tax["evaluation"]["version"] == after.model_version
    for matter in ("procurement", "supervision"):
        elsewhere = _check(session, firm, matter, catalog, today)
        assert (elsewhere["grade"], elsewhere["supervision_class"]) == ("B", "B")
        assert elsewhere["supervision"]["decided_by"] == "grade"
        assert elsewhere["sector_grade"] is None

    officer = access.read_evaluation(
        session, firm, actor=OFFICER, catalog=catalog, today=today, surface="admin"
    )
    by_sector = {
        s["sector"]: (s["supervision_class"], s["decided_by"]) for s in officer["supervision"]
    }
    assert by_sector["tax"] == ("D", "sector_grade")
    assert by_sector["market_regulation"] == ("B", "grade")
    assert [g["grade"] for g in officer["sector_grades"]] == ["D"]
    public = access.read_evaluation(
        session, firm, actor=Actor(kind="anonymous", id=None, label="公众", role=None),
        catalog=catalog, today=today, surface="portal",
    )  # fmt: skip
    assert public["sector_grades"] == []  # a tax grade D is not published by the tax authority


def test_expired_tax_grade_leaves_ours_and_a_published_a_shows_on_the_public_tab(
    session: Session, catalog: Catalog, calendar: Calendar, today: date
) -> None:
    tax = make_provider(session, name="示范区税务局", kind="tax")
    old, good = make_subject(session), make_subject(session)
    rows = [_row(old, tax, "D", year=2023, graded="2024-04-10", until="2025-04-09"),
            _row(good, tax, "A")]  # fmt: skip
    _collect(session, tax, _file(rows), catalog, calendar, today)
    for firm in (old, good):
        evaluation.evaluate_subject(session, firm, catalog=catalog, today=today)
    expired = _check(session, old, "tax_incentive", catalog, today)
    assert (expired["supervision_class"], expired["sector_grade"]) == ("B", None)
    public = access.read_evaluation(
        session, good, actor=Actor(kind="anonymous", id=None, label="公众", role=None),
        catalog=catalog, today=today, surface="portal",
    )  # fmt: skip
    assert [(g["title"], g["grade"]) for g in public["sector_grades"]] == [("纳税信用等级", "A")]
    assert "A级" in public["sector_grades"][0]["public_basis"]


@pytest.mark.postgres
def test_fast_path_reads_the_same_sector_grade(engine, catalog: Catalog, today: date) -> None:
    with Session(engine) as s, s.begin():
        tax = make_provider(s, name="示范区税务局", kind="tax")
        firm = make_subject(s)
        make_record(s, firm, info_class="sector_grade", decision_date=date(2026, 4, 10),
                    data={"sector": "纳税信用等级", "grade": "D", "grading_year": 2025},
                    valid_until=date(2027, 4, 9), authority_name=tax.name)  # fmt: skip
        evaluation.evaluate_subject(s, firm, catalog=catalog, today=today)
        ids = (firm.id, firm.code, tax.id)
    try:
        _sync, fast = check_on_both_paths(
            engine, ids[1], "tax_incentive", catalog=catalog, actor=SYSTEM, today=today
        )
        assert (fast["supervision_class"], fast["sector_grade"]["grade"]) == ("D", "D")
    finally:
        delete_committed(engine, ids[0], ids[2])
