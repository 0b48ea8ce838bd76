"""The demo region shows every grade: a region has many A enterprises (clean record, kept
commitments, verified registrations, honours), most B, some C and D — with the shipped weights and
cut-offs (catalogs/evaluation/enterprise.yaml), not a model tuned to the demo."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from xinyong import demo
from xinyong.audit import Actor
from xinyong.catalog import Catalog
from xinyong.evaluation import engine, models_for

SYSTEM = Actor.system("测试")


def test_demo_enterprises_reach_every_grade(
    session: Session, catalog: Catalog, today: date
) -> None:
    demo.load(session, count=600, actor=SYSTEM, today=today)
    models = models_for(catalog)
    run = engine.run_embedded(
        session, models.get("enterprise"), catalog=catalog, as_of=today, actor=SYSTEM
    )
    grades = run.grades
    assert all(grades[g] > 0 for g in "ABCD"), grades
    assert grades["B"] == max(grades.values()), grades  # most are 良
    offices = engine.run_embedded(
        session, models.get("government"), catalog=catalog, as_of=today, actor=SYSTEM
    )
    assert offices.grades["A"] < offices.subjects  # 拖欠企业账款 lowers some 机关
