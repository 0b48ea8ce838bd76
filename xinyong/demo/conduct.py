"""Demo good conduct: the positive side of a region's record, through the real actions.

A region's enterprises do not only collect penalties: many sign credit commitments (告知承诺 for
approvals, integrity commitments for bidding) that the accepting department later verifies as kept
(a few as broken, which becomes a 违诺 record), and many register facts voluntarily (contract
performance, public welfare) that the responsible department verifies. Without them nobody in the
demo could reach grade A (优), which needs positive evidence beyond a clean record
(catalogs/evaluation/enterprise.yaml). Clean firms take part more often than firms with records,
as in life. Deterministic per seed; dated in the past so verifications have happened.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong import auth, commitments, registrations
from xinyong.audit import Actor
from xinyong.catalog import Catalog
from xinyong.db.tables import Record, Subject
from xinyong.demo.region import REGION
from xinyong.enums import SubjectKind

KINDS = (SubjectKind.ENTERPRISE.value, SubjectKind.INDIVIDUAL_BUSINESS.value,
         SubjectKind.SOCIAL_ORG.value, SubjectKind.PUBLIC_INSTITUTION.value)  # fmt: skip
# Shares of subjects taking part (clean subjects, subjects with records): OUR demo choices.
COMMIT_SHARE = (0.6, 0.25)
REGISTER_SHARE = (0.5, 0.15)
KEPT_SHARE = 0.92  # the rest are found broken on verification
TEMPLATES = ("approval_notified", "bidding_integrity")
# Who accepts, and later verifies, each template's commitments — a named officer of a demo
# department (region.demo_accounts), so the 认定单位 of a breach is that department: OUR choice.
VERIFIED_BY = {"approval_notified": "officer", "bidding_integrity": "housing_officer"}
REGISTRATIONS = (
    ("contract_performance", "履行大额采购合同", "按期足额交付货物，对方出具履约评价"),
    ("contract_performance", "完成工程承包合同", "工程按期竣工验收，无合同纠纷"),
    ("public_welfare", "参加社区公益活动", "组织员工参加社区志愿服务，累计服务时长200小时"),
    ("public_welfare", "向慈善组织捐赠", "向区慈善总会捐赠物资，取得捐赠票据"),
)


ADVERSE = ("penalty", "court_defaulter", "abnormal_operation", "serious_list")
ADVERSE_YEARS = 3


def _with_records(session: Session, today: date) -> set[int]:
    """Subjects with an adverse record from the last three years."""
    since = today.replace(year=today.year - ADVERSE_YEARS)
    found = select(Record.subject_id).where(
        Record.info_class.in_(ADVERSE), Record.decision_date >= since
    )
    return set(session.execute(found.distinct()).scalars())


def load_conduct(
    session: Session, *, catalog: Catalog, seed: int, actor: Actor, today: date
) -> int:
    """Commitments (signed, most verified as kept) and verified voluntary registrations for a
    share of the demo's organisations. Returns the number of actions taken."""
    rng = random.Random(seed + 7)  # noqa: S311 — reproducible demo data, not security
    recorded = _with_records(session, today)
    officers = _officers(session)
    subjects = session.execute(
        select(Subject).where(Subject.kind.in_(KINDS)).order_by(Subject.id)
    ).scalars()
    done = 0
    for subject in subjects:
        dirty = subject.id in recorded
        if rng.random() < COMMIT_SHARE[dirty]:
            for _ in range(rng.choice((1, 1, 2))):
                done += _commitment(session, subject, rng, catalog=catalog, actor=actor,
                                    officers=officers, today=today)  # fmt: skip
        if rng.random() < REGISTER_SHARE[dirty]:
            for kind, title, detail in rng.sample(REGISTRATIONS, rng.choice((1, 2, 2))):
                done += _registration(session, subject, kind, title, detail, rng,
                                      catalog=catalog, actor=actor, today=today)  # fmt: skip
    return done


def _officers(session: Session) -> dict[str, Actor]:
    """The verifying officer of each template, as the actor of a signed-in user."""
    found = {}
    for template, username in VERIFIED_BY.items():
        user = auth.find_user(session, username)
        assert user is not None, username  # made by region.demo_accounts
        found[template] = auth.actor_for_user(user)
    return found


def _commitment(
    session: Session, subject: Subject, rng: random.Random, *, catalog: Catalog, actor: Actor,
    officers: dict[str, Actor], today: date,
) -> int:  # fmt: skip
    signed = today - timedelta(days=rng.randrange(20, 330))
    template = rng.choice(TEMPLATES)
    officer = officers[template]
    made = commitments.sign(session, subject, template, actor=actor, today=signed,
                            catalog=catalog, region_code=subject.region_code or REGION,
                            acceptance_provider_id=officer.provider_id)  # fmt: skip
    checked = signed + timedelta(days=rng.randrange(10, 90))
    if checked > today:
        return 1  # not verified yet
    kept = rng.random() < KEPT_SHARE
    commitments.record_verification(
        session, made, fulfilment=commitments.KEPT if kept else "部分履行",
        unperformed=None if kept else "未按承诺期限补交相关材料", actor=officer, today=checked,
        catalog=catalog,
    )  # fmt: skip
    return 2


def _registration(
    session: Session, subject: Subject, kind: str, title: str, detail: str,
    rng: random.Random, *, catalog: Catalog, actor: Actor, today: date,
) -> int:  # fmt: skip
    submitted = today - timedelta(days=rng.randrange(30, 900))
    new = registrations.NewRegistration(kind, title, detail, evidence="证明材料已提交",
                                        occurred_on=submitted - timedelta(days=30),
                                        truth_affirmed=True)  # fmt: skip
    made = registrations.submit(session, subject, new, actor=actor, today=submitted,
                                catalog=catalog)  # fmt: skip
    registrations.verify(session, made, verified=True, note="经核实属实", actor=actor,
                         today=submitted + timedelta(days=rng.randrange(3, 20)))  # fmt: skip
    return 2
