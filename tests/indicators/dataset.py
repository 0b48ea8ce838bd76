"""A fixed dataset for the indicator tests, small enough to count by hand (November 2026).

Subjects, records, batches, checks, commitments, objections and repair applications are inserted
as plain facts on purpose: the indicators only count them, and each count below is worked out by
hand in tests/indicators/test_compute.py. The red-list entry goes through the real list procedure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from tests.factories import SYSTEM, make_provider, make_record, make_subject
from tests.factories.lists import listed
from xinyong.catalog import Catalog
from xinyong.clock import Calendar
from xinyong.db.tables import (
    Batch,
    BatchRow,
    Check,
    CheckFeedback,
    Commitment,
    Objection,
    Provider,
    RepairApplication,
    Subject,
)
from xinyong.enums import SubjectKind

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
    return Dataset(p, s)
