"""A fixed dataset for the indicator tests, small enough to count by hand (November 2026).

Subjects, records, batches, checks, commitments, objections and repair applications are inserted
as plain facts on purpose: the indicators only count them, and each count below is worked out by
hand in tests/indicators/test_compute.py. The red-list entry goes through the real list procedure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from tests.factories import SYSTEM, make_provider, make_record, make_subject
from tests.factories.lists import listed
from tests.factories.workflows import make_user
from xinyong.catalog import Catalog
from xinyong.clock import Calendar
from xinyong.db.tables import (
    Batch,
    BatchRow,
    Check,
    CheckFeedback,
    Commitment,
    EvaluationResult,
    Inspection,
    InspectionPlan,
    Institution,
    LoanOutcome,
    Objection,
    Provider,
    RepairApplication,
    Report,
    ScenarioPartner,
    Subject,
)
from xinyong.enums import Role, SubjectKind

IN_NOV = datetime(2026, 11, 10, 4, tzinfo=UTC)
IN_DEC = datetime(2026, 12, 2, 4, tzinfo=UTC)


def utc(y: int, m: int, d: int, h: int = 4) -> datetime:
    return datetime(y, m, d, h, tzinfo=UTC)


@dataclass
class Dataset:
    provider: Provider
    subjects: list[Subject]


def build(session: Session, catalog: Catalog, calendar: Calendar) -> Dataset:  # noqa: PLR0915
    p = make_provider(session)
    ent = SubjectKind.ENTERPRISE
    s = [make_subject(session, kind=ent, created_at=IN_NOV) for _ in range(5)]  # s1..s5
    s.append(make_subject(session, kind=SubjectKind.INDIVIDUAL_BUSINESS, created_at=IN_NOV))  # s6
    s.append(make_subject(session, kind=SubjectKind.PERSON, created_at=IN_NOV))  # s7
    s.append(make_subject(session, kind=ent, status="cancelled", created_at=IN_NOV))  # s8
    s.append(make_subject(session, kind=ent, created_at=IN_DEC))  # s9: registered in December
    s1, s2, s3, s4, s5, s6, _s7, _s8, s9 = s

    r1 = make_record(session, s1, created_at=IN_NOV, provider_id=p.id)
    make_record(session, s2, info_class="licence", created_at=IN_NOV)
    r3 = make_record(session, s3, created_at=IN_NOV, is_current=False)
    make_record(session, s3, created_at=IN_NOV, natural_key=r3.natural_key, version=2)
    make_record(session, s4, created_at=IN_NOV, status="withdrawn")
    make_record(session, s5, info_class="court_defaulter", created_at=IN_NOV,
                decision_date=date(2026, 9, 1),
                data={"decision_number": "（2026）示执1号"})  # fmt: skip
    make_record(session, s6, info_class="serious_list", created_at=IN_NOV,
                decision_date=date(2025, 10, 1), valid_until=date(2026, 10, 31),
                data={"decision_number": "示市监严〔2025〕1号",
                      "list_type": "market_regulation_serious"})  # fmt: skip
    make_record(session, s9, created_at=IN_DEC)

    listed(session, s2, "red", catalog=catalog, calendar=calendar, actor=SYSTEM,
           proposed_on=date(2026, 10, 8))  # fmt: skip

    def commitment(subject: Subject, matter: str | None, signed: date) -> Commitment:
        c = Commitment(
            code=f"CN{subject.id:06d}{signed:%m%d}", subject_id=subject.id, template_id="t",
            kind="告知承诺", matter=matter, reason="r", content="c", liability="l",
            breach_consequence="b", publication="公开", signed_on=signed, signed_by="法定代表人",
            catalog_version="test",
        )  # fmt: skip
        session.add(c)
        session.flush()
        return c

    commitment(s1, "procurement", date(2026, 11, 5))
    commitment(s1, "subsidy", date(2026, 10, 1))
    repair_commitment = commitment(s2, None, date(2026, 11, 10))
    commitment(s3, "procurement", date(2026, 12, 1))

    def repair(status: str, applied: date, accepted: date | None, accept_due: date,
               decide_due: date | None, decided: date | None) -> None:  # fmt: skip
        session.add(RepairApplication(
            subject_id=s1.id, record_id=r1.id, info_class="penalty", natural_key=r1.natural_key,
            provider_id=p.id, commitment_id=repair_commitment.id, status=status, statement="s",
            applied_on=applied, accept_due=accept_due, accepted_on=accepted,
            decide_due=decide_due, decided_on=decided, catalog_version="test",
        ))  # fmt: skip

    d = date
    repair(
        "approved", d(2026, 11, 2), d(2026, 11, 4), d(2026, 11, 5), d(2026, 11, 20), d(2026, 11, 12)
    )
    repair(
        "refused",
        d(2026, 10, 20),
        d(2026, 10, 22),
        d(2026, 10, 23),
        d(2026, 11, 13),
        d(2026, 11, 20),
    )
    repair("not_accepted", d(2026, 11, 3), None, d(2026, 11, 6), None, d(2026, 11, 6))
    repair(
        "approved", d(2026, 10, 1), d(2026, 10, 2), d(2026, 10, 9), d(2026, 10, 30), d(2026, 10, 20)
    )
    repair("accepted", d(2026, 11, 15), d(2026, 11, 16), d(2026, 11, 18), d(2026, 12, 4), None)

    def objection(filed: date, status: str, outcome: str | None, answered: datetime | None) -> None:
        session.add(Objection(
            record_id=r1.id, subject_id=s1.id, status=status, grounds="g", filed_on=filed,
            answer_due=date(2026, 12, 31), outcome=outcome, answered_at=answered,
        ))  # fmt: skip

    objection(d(2026, 11, 2), "answered", "corrected", utc(2026, 11, 9, 2))  # 7 days
    objection(d(2026, 11, 5), "answered", "deleted", utc(2026, 11, 15, 20))  # Beijing 16th: 11
    objection(d(2026, 11, 20), "open", None, None)
    objection(d(2026, 10, 10), "answered", "kept", utc(2026, 11, 3))  # kept: not a correction
    objection(d(2026, 10, 25), "answered", "corrected", utc(2026, 11, 1, 1))  # 7 days
    objection(d(2026, 10, 29), "answered", "corrected", utc(2026, 10, 31, 17))  # Beijing 1 Nov: 3

    def check(n: int, at: datetime, hits: int, fed: bool) -> None:
        session.add(Check(check_id=f"T{n:031d}", at=at, actor_kind="api_client",
                          actor_label="公共资源交易系统", matter="procurement",
                          hits=hits))  # fmt: skip
        session.flush()
        if fed:
            session.add(CheckFeedback(check_id=f"T{n:031d}", measure_id="m", applied=True,
                                      actor_label="公共资源交易系统"))  # fmt: skip

    check(1, utc(2026, 11, 5), 2, fed=True)
    check(2, utc(2026, 11, 6), 1, fed=False)
    check(3, utc(2026, 11, 7), 0, fed=False)
    check(4, utc(2026, 10, 31, 17), 1, fed=True)  # Beijing 1 Nov 01:00
    check(5, utc(2026, 10, 31, 15), 1, fed=True)  # Beijing 31 Oct 23:00

    def batch(n: int, received_on: date, counts: tuple[int, int, int, int, int]) -> Batch:
        received, accepted, rejected, timely, late = counts
        b = Batch(provider_id=p.id, info_class="penalty", content_hash=f"{n:064d}",
                  source_format="csv", status="done", received_on=received_on,
                  catalog_version="test", submitted_by="clerk", received=received,
                  accepted=accepted, rejected=rejected, timely=timely, late=late)  # fmt: skip
        session.add(b)
        session.flush()
        return b

    b1 = batch(1, d(2026, 11, 10), (10, 8, 2, 6, 2))
    batch(2, d(2026, 11, 20), (5, 5, 0, 5, 0))
    b3 = batch(3, d(2026, 10, 20), (100, 90, 10, 0, 90))
    uscc_issue = {
        "field": "统一社会信用代码",
        "code": "identifiers.uscc.check",
        "message": "校验位",
    }
    required = {"field": "决定日期", "code": "collection.required", "message": "不能为空"}
    session.add_all([
        BatchRow(batch_id=b1.id, row_no=2, outcome="rejected", issues=[uscc_issue]),
        BatchRow(batch_id=b1.id, row_no=3, outcome="rejected", issues=[required]),
        BatchRow(batch_id=b3.id, row_no=2, outcome="rejected", issues=[uscc_issue]),
    ])  # fmt: skip
    session.flush()
    _credit_in_use(session, p, s)
    return Dataset(p, s)


def _credit_in_use(session: Session, p: Provider, s: list[Subject]) -> None:
    """Grades, supervision plans, reports, 信易+ partners, 信易贷 loans (indicators/uptake.py)."""
    s1, s2, s3, _s4, _s5, _s6, _s7, s8, s9 = s
    d = date

    def grade(subject: Subject, as_of: date, grade: str) -> None:
        session.add(EvaluationResult(
            subject_id=subject.id, model_id="enterprise", model_version="test", as_of=as_of,
            score=80.0, grade=grade, run_id=None, trigger="run", facts_hash="0" * 64,
            explanation_id=0,
        ))  # fmt: skip

    grade(s1, d(2026, 11, 5), "A")
    grade(s2, d(2026, 10, 1), "B")
    grade(s2, d(2026, 11, 20), "A")  # s2 twice: one subject
    grade(s3, d(2026, 12, 1), "B")  # December's
    grade(s8, d(2026, 11, 1), "C")  # cancelled: not in the population
    grade(s9, d(2026, 12, 2), "A")  # registered in December

    def plan(n: int, sector: str, drawn: date, subjects: list[Subject]) -> None:
        row = InspectionPlan(
            code=f"JH{n:04d}", title=f"计划{n}", provider_id=p.id, sector=sector,
            region_code="990101", period_start=drawn, period_end=drawn, seed=f"{n:064d}",
            drawn_on=drawn, inputs={}, catalog_version="test",
        )  # fmt: skip
        session.add(row)
        session.flush()
        session.add_all(
            [Inspection(plan_id=row.id, subject_id=x.id, supervision_class="B") for x in subjects]
        )

    plan(1, "market_regulation", d(2026, 11, 3), [s1, s2])
    plan(2, "market_regulation", d(2026, 10, 15), [s3])
    plan(3, "ecology", d(2026, 9, 1), [s1])
    plan(4, "finance", d(2026, 12, 1), [s2])  # December's
    plan(5, "transport", d(2026, 11, 4), [s3])  # not a sector of catalogs/supervision.yaml

    def report(n: int, subject: Subject, issued: datetime, kind: str = "public",
               revoked: datetime | None = None) -> None:  # fmt: skip
        session.add(Report(
            number=f"XY2026{n:016d}", kind=kind, subject_id=subject.id, domains=[],
            period_from=None, period_to=issued.date(), issued_at=issued,
            valid_until=d(2027, 1, 31), digest="0" * 64, key_id="k1", size=1000,
            requested_by="测试", requester_kind="office", requester_id=None, revoked_at=revoked,
            revoked_by="office" if revoked else None, revoke_reason="r" if revoked else None,
        ))  # fmt: skip

    report(1, s1, utc(2026, 11, 3))
    report(2, s2, utc(2026, 11, 20), "special", revoked=utc(2026, 11, 21))  # still issued
    report(3, s3, utc(2026, 10, 31, 17))  # Beijing 1 Nov 01:00
    report(4, s1, utc(2026, 10, 31, 15))  # Beijing 31 Oct 23:00
    report(5, s9, IN_DEC)

    partner_user_id = make_user(session, Role.PARTNER)[0].id

    def partner(scenario: str, created: datetime, *, active: bool = True) -> None:
        session.add(ScenarioPartner(scenario_id=scenario, name=f"{scenario}合作方",
                                    user_id=partner_user_id, active=active,
                                    created_at=created))  # fmt: skip

    partner("xinyi_pi", IN_NOV)
    partner("xinyi_pi", utc(2026, 10, 5))  # same scenario
    partner("xinyi_zu", utc(2026, 10, 6))
    partner("xinyi_zu", IN_NOV, active=False)
    partner("xinyi_xing", IN_DEC)  # registered in December
    partner("xinyi_gone", IN_NOV)  # not a scenario of the catalog

    bank = Institution(name="测试银行", code="91990000MA00000001", kind="bank")
    session.add(bank)
    session.flush()

    def loan(subject: Subject, result: str, amount: int | None, granted: date | None,
             decided: date) -> None:  # fmt: skip
        session.add(LoanOutcome(
            institution_id=bank.id, subject_id=subject.id, result=result,
            amount=None if amount is None else Decimal(amount), granted_on=granted,
            credit_loan=True if granted else None, first_loan=False if granted else None,
            refusal_code=None if granted else "r1", decided_on=decided, recorded_by="测试银行",
        ))  # fmt: skip

    loan(s1, "granted", 300, d(2026, 11, 5), d(2026, 11, 4))
    loan(s2, "granted", 700, d(2026, 6, 1), d(2026, 5, 28))
    loan(s3, "refused", None, None, d(2026, 11, 10))
    loan(s1, "granted", 5000, d(2026, 12, 2), d(2026, 12, 1))  # December's
    session.flush()
