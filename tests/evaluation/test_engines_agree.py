"""The embedded and Spark engines give the same score and grade for every demo subject.

Spark (pyspark, the `spark` extra) and Java 17 are required: `make test` installs them; this test
is not skipped when they are missing — it fails, as CI must."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from tests.factories.subjects import SYSTEM
from xinyong import demo
from xinyong.catalog import Catalog
from xinyong.evaluation import engine, facts, models_for, score, snapshot
from xinyong.evaluation.spark import score_snapshot

pytestmark = pytest.mark.slow


def test_embedded_and_spark_agree_on_every_demo_subject(
    session: Session, catalog: Catalog, today: date, tmp_path: Path
) -> None:
    demo.load(session, count=240, actor=SYSTEM, today=today)
    snapshot.export(session, tmp_path, catalog=catalog, as_of=today)
    compared = 0
    grades: set[str] = set()
    for loaded in models_for(catalog).models.values():
        ids = engine.graded_subjects(session, loaded)
        embedded: dict[int, tuple[float, str, str]] = {}
        for chunk, frame in engine.fact_chunks(session, ids, catalog=catalog, today=today):
            scored = engine.score_chunk_vectorised(loaded, chunk, frame, today)  # what runs use
            embedded |= {
                sid: (score, grade, h)
                for sid, score, grade, h in scored.select(
                    "subject_id", "score", "grade", "facts_hash"
                ).iter_rows()
            }
        scored = score_snapshot(tmp_path, loaded, today, "local[2]")
        spark = {
            sid: (score_, grade, h)
            for sid, score_, grade, h in scored.select(
                "subject_id", "score", "grade", "facts_hash"
            ).iter_rows()
        }
        assert spark == embedded, loaded.id
        reference = facts.gather(session, ids, catalog=catalog, today=today)  # pure `score`
        for sid, (score_, grade, _h) in spark.items():
            want = score(loaded.model, loaded.version, reference[sid], today)
            assert (score_, grade) == (want.score, want.grade), (loaded.id, sid)
        compared += len(spark)
        grades |= {g for _s, g, _h in spark.values()}
    assert compared > 100
    assert len(grades) >= 2  # the demo region is not all one grade
