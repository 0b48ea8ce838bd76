"""Explanations stored once per distinct text (migration 12e8b0a4c1f2) on a database holding the
demo region, on both databases: a run's subjects with the same tallies share one explanation
row, every reader gets exactly the explanation it got before, and the migration down and up again
keeps every result's explanation and the ids going on."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from tests.databases import migrated_database
from xinyong import demo, evaluation
from xinyong.audit import Actor
from xinyong.catalog import Catalog
from xinyong.db import migrate
from xinyong.db.session import make_engine
from xinyong.db.tables import EvaluationExplanation, EvaluationResult, Subject
from xinyong.evaluation import engine as engines
from xinyong.evaluation import service

BEFORE = "7c2d5e13a0b9"
SYSTEM = Actor.system("测试")


@pytest.fixture
def demo_url(database_url: str, tmp_path: Path) -> str:
    """A database of its own of this run's kind, at head."""
    return migrated_database(database_url, "xinyong_test_explanations", tmp_path)


def _graded(session: Session) -> dict[int, list[dict[str, Any]]]:
    """Every graded subject's history as the readers give it."""
    ids = session.scalars(select(EvaluationResult.subject_id).distinct()).all()
    return {
        sid: [
            {"grade": g.as_dict(), "explanation": g.explanation}
            for g in service.history(session, sid)
        ]
        for sid in ids
    }


@pytest.mark.usefixtures("not_watching")  # the counts below are the run's and one re-evaluation's
def test_a_run_shares_explanations_and_the_migration_keeps_them(
    demo_url: str, catalog: Catalog, today: date
) -> None:
    engine = make_engine(demo_url)
    with Session(engine) as session:
        demo.load(session, count=240, actor=SYSTEM, today=today)
        loaded = evaluation.models_for(catalog).get("enterprise")
        summary = engines.run_embedded(session, loaded, catalog=catalog, as_of=today, actor=SYSTEM)
        one = session.scalars(select(Subject).where(Subject.kind == "enterprise")).first()
        assert one is not None
        found = service.assess(session, one, catalog=catalog, today=today)
        assert found is not None
        ev = found[0]
        # a re-evaluation on another day keeps its full explanation (record ids) in its own row
        evaluation.evaluate_subject(session, one, catalog=catalog, today=date(2026, 12, 31))
        session.commit()
        results = session.scalar(select(func.count()).select_from(EvaluationResult))
        shared = session.scalar(select(func.count()).select_from(EvaluationExplanation))
        assert results == summary.subjects + 1
        assert shared is not None
        assert shared < summary.subjects  # one per distinct explanation
        newest = service.current_grade(session, one.id)
        assert newest is not None
        assert newest.as_of == date(2026, 12, 31)
        assert "refs" in newest.explanation["indicators"][0]  # the full one
        ran = service.history(session, one.id)[1]
        assert ran.explanation == ev.compact()  # the run's compact one, exactly
        assert ran.public is ev.public
        assert ran.as_dict()["grade_title"] == ev.grade_title
        before = _graded(session)
    engine.dispose()

    command.downgrade(migrate.alembic_config(demo_url), BEFORE)
    engine = make_engine(demo_url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT subject_id, explanation FROM evaluation_results "
                                 "ORDER BY subject_id, id DESC")).all()  # fmt: skip
    engine.dispose()
    inline: dict[int, list[Any]] = {}
    for sid, body in rows:
        inline.setdefault(sid, []).append(body if isinstance(body, dict) else json.loads(body))
    assert inline == {sid: [g["explanation"] for g in gs] for sid, gs in before.items()}

    migrate.upgrade(demo_url)
    engine = make_engine(demo_url)
    with Session(engine) as session:
        assert _graded(session) == before
        again = engines.run_embedded(session, loaded, catalog=catalog, as_of=today, actor=SYSTEM)
        session.commit()  # new explanation ids continue after the kept ones (no clash)
        assert again.grades == summary.grades
    engine.dispose()


def test_a_spark_run_stores_the_same_explanations(
    session: Session, catalog: Catalog, today: date
) -> None:
    """The Spark engine stores through the same writer: every subject's stored explanation equals
    the embedded run's, shared the same way."""
    from xinyong.evaluation import spark  # noqa: PLC0415  (the engine needs pyspark: make test)

    demo.load(session, count=240, actor=SYSTEM, today=today)
    loaded = evaluation.models_for(catalog).get("enterprise")
    embedded = engines.run_embedded(session, loaded, catalog=catalog, as_of=today, actor=SYSTEM)
    ids = session.scalars(
        select(EvaluationResult.subject_id).where(EvaluationResult.run_id == embedded.run_id)
    ).all()
    first = {sid: g.explanation for sid, g in service.current_grades(session, ids).items()}
    ran = spark.run_spark(
        session, loaded, catalog=catalog, as_of=today, actor=SYSTEM, master="local[2]"
    )
    second = service.current_grades(session, ids)
    assert ran.grades == embedded.grades
    assert {sid: g.explanation for sid, g in second.items()} == first
    shared = session.scalar(
        select(func.count(EvaluationResult.explanation_id.distinct())).where(
            EvaluationResult.run_id == ran.run_id
        )
    )
    distinct = {json.dumps(body, sort_keys=True) for body in first.values()}
    assert shared == len(distinct)  # one row per distinct text
