"""政务诚信: the 机关 model reads 拖欠企业账款 (info class enterprise_arrears) — catalogued credit
information, counted from the finding until it is paid (清偿日期 ends its window)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from tests.factories import make_subject
from tests.factories.archive import make_record
from xinyong import evaluation
from xinyong.catalog import Catalog
from xinyong.enums import SubjectKind


def test_unpaid_arrears_lower_an_office_grade_until_paid(
    session: Session, catalog: Catalog, today: date
) -> None:
    office = make_subject(session, kind=SubjectKind.GOVERNMENT, name="示范区某局")
    clean = evaluation.evaluate_subject(session, office, catalog=catalog, today=today)
    assert clean is not None
    assert (clean.score, clean.grade) == (90, "A")
    arrears = {"decision_number": "示工信欠〔2026〕3号", "creditor_name": "示范区某小微企业",
               "reason": "工程款", "amount": "600"}  # fmt: skip
    record = make_record(session, office, info_class="enterprise_arrears",
                         decision_date=date(2026, 9, 1), data=arrears)  # fmt: skip
    owing = evaluation.evaluate_subject(session, office, catalog=catalog, today=today)
    assert owing is not None
    assert (owing.score, owing.grade) == (70, "C")
    counted = {i.id: i.refs for i in owing.indicators}
    assert counted["enterprise_arrears"] == (f"record:{record.id}",)
    record.data = {**arrears, "settled_on": "2026-11-01"}  # paid: the window ended
    session.flush()
    paid = evaluation.evaluate_subject(session, office, catalog=catalog, today=today)
    assert paid is not None
    assert (paid.score, paid.grade) == (90, "A")
