"""The public 信用评价 tab shows the stored grade while it matches the archive (issue 17,
`evaluation.shown`, docs/decisions/0010 addendum): never a grade that may be wrong for its stated
as-of date, and no read of every record on a page view."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import make_provider, make_subject
from tests.factories.workflows import make_penalty
from xinyong import evaluation
from xinyong.audit import ANONYMOUS, Actor
from xinyong.catalog import Catalog
from xinyong.clock import Calendar
from xinyong.db.tables import EvaluationPending, Subject
from xinyong.evaluation import access, engine, pending, service, shown, watch
from xinyong.evaluation.models import LoadedModel
from xinyong.evaluation.service import StoredGrade

pytestmark = pytest.mark.usefixtures("watching")


def public(session: Session, subject: Subject, catalog: Catalog, today: date) -> dict[str, Any]:
    return access.read_evaluation(
        session, subject, actor=ANONYMOUS, catalog=catalog, today=today, surface="portal"
    )


def no_live(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("computed live")

    monkeypatch.setattr(shown, "assess", refuse)


def test_the_stored_grade_is_shown_while_it_is_current(
    session: Session, catalog: Catalog, today: date, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider, subject = make_provider(session), make_subject(session)
    make_penalty(session, subject, provider, decision_date=date(2026, 6, 1))
    session.commit()  # re-evaluated in the transaction that changed the archive
    live = public(session, subject, catalog, today)["evaluation"]
    assert live["source"] == "stored"
    no_live(monkeypatch)
    found = public(session, subject, catalog, today)["evaluation"]
    assert (found["grade"], found["score"], found["as_of"]) == ("C", 72, today.isoformat())
    assert found["explanation"] == live["explanation"]  # a re-evaluation stores its record ids
    assert any("依据 1 条记录" in line for line in found["explanation"])


def test_a_failed_reevaluation_marks_the_subject_and_the_tab_computes_live(
    session: Session, catalog: Catalog, today: date, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider, subject = make_provider(session), make_subject(session)
    make_penalty(session, subject, provider, decision_date=date(2026, 6, 1))
    session.commit()
    stored = evaluation.current_grade(session, subject.id)
    assert stored is not None

    def broken(*_: object, **__: object) -> int:
        raise RuntimeError("evaluation down")

    monkeypatch.setattr(watch, "reevaluate", broken)
    make_penalty(session, subject, provider, decision_date=date(2026, 7, 1))
    session.commit()  # the change commits; its re-evaluation failed
    mark = session.get(EvaluationPending, subject.id)
    assert mark is not None
    assert mark.reason == pending.FAILED
    assert evaluation.current_grade(session, subject.id) == stored  # the old grade stays stored
    found = public(session, subject, catalog, today)["evaluation"]
    assert found["source"] == "live"
    assert found["score"] == 64 != stored.score  # two general penalties, not the stored one

    monkeypatch.setattr(shown, "LIVE_LIMIT", 1)  # a subject too large to compute on a page view
    out = public(session, subject, catalog, today)
    assert out["evaluation"] is None
    assert out["updating"] is True
    assert out["reason"] == shown.UPDATING


def test_a_batch_too_large_to_regrade_marks_its_subjects_until_they_are_graded(
    session: Session,
    catalog: Catalog,
    calendar: Calendar,
    today: date,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tests.collection.conftest import HEADERS, penalty_rows  # noqa: PLC0415
    from xinyong import collection  # noqa: PLC0415

    provider = make_provider(session)
    rows = penalty_rows(2, authority=provider.uscc)
    sub = collection.Submission(
        "penalty", provider.uscc, rows=[dict(zip(HEADERS, r, strict=True)) for r in rows]
    )
    report = collection.collect(session, sub, catalog=catalog, calendar=calendar,
                                actor=Actor.system("测试"), today=today)  # fmt: skip
    assert report.batch_id is not None
    monkeypatch.setattr(watch, "BATCH_REGRADE_LIMIT", 1)
    assert watch.reevaluate_batch(session, report.batch_id, catalog=catalog, today=today) is None
    session.commit()
    codes = [str(r[HEADERS.index("行政相对人代码_1(统一社会信用代码)")]) for r in rows]
    touched = list(session.execute(select(Subject).where(Subject.code.in_(codes))).scalars())
    assert len(touched) == 2
    for subject in touched:
        mark = session.get(EvaluationPending, subject.id)
        assert mark is not None
        assert mark.reason == pending.BATCH_TOO_LARGE
    monkeypatch.setattr(shown, "LIVE_LIMIT", 0)
    assert public(session, touched[0], catalog, today)["reason"] == shown.UPDATING

    monkeypatch.setattr(watch, "BATCH_REGRADE_LIMIT", 2_000)
    assert watch.reevaluate_batch(session, report.batch_id, catalog=catalog, today=today) == 2
    session.commit()
    assert session.get(EvaluationPending, touched[0].id) is None  # graded: the marks go
    no_live(monkeypatch)
    assert public(session, touched[0], catalog, today)["evaluation"]["source"] == "stored"


def test_a_run_started_after_the_mark_supersedes_it_and_shows_no_record_counts(
    session: Session, catalog: Catalog, today: date, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider, subject = make_provider(session), make_subject(session)
    make_penalty(session, subject, provider, decision_date=date(2026, 6, 1))
    session.commit()
    loaded = service.model_of(subject, catalog)
    assert loaded is not None
    engine.run_embedded(session, loaded, catalog=catalog, as_of=today, actor=Actor.system("测试"))
    session.commit()
    stored = evaluation.current_grade(session, subject.id)
    assert stored is not None
    assert stored.grade == "C"
    pending.mark(session, [subject.id], reason=pending.FAILED)
    session.commit()  # a change after the run: the run's grade may not match any more
    assert not shown.stored_is_current(session, stored, loaded, today=today)
    mark = session.get(EvaluationPending, subject.id)
    assert mark is not None
    mark.since -= timedelta(days=1)
    session.commit()  # the same mark, dated before the run started
    assert shown.stored_is_current(session, stored, loaded, today=today)
    no_live(monkeypatch)
    found = public(session, subject, catalog, today)["evaluation"]
    assert (found["source"], found["grade"], found["score"]) == ("stored", "C", 72)
    assert all("依据" not in line for line in found["explanation"])  # a run keeps no record ids
    assert any(line.endswith("扣 8 分。") for line in found["explanation"])
    assert [i["records"] for i in found["indicators"]] == [None] * len(found["indicators"])


def _graded(
    session: Session, catalog: Catalog, today: date
) -> tuple[Subject, LoadedModel, StoredGrade]:
    """A new subject (committed: it is graded on commit), its model and its current stored grade."""
    subject = make_subject(session)
    session.commit()
    loaded = service.model_of(subject, catalog)
    stored = evaluation.current_grade(session, subject.id)
    assert loaded is not None
    assert stored is not None
    assert shown.stored_is_current(session, stored, loaded, today=today)
    return subject, loaded, stored


def test_a_grade_of_another_model_version_or_a_later_day_is_not_shown(
    session: Session, catalog: Catalog, today: date
) -> None:
    _subject, loaded, stored = _graded(session, catalog, today)
    other = dataclasses.replace(loaded, version=loaded.version + "-next")
    assert not shown.stored_is_current(session, stored, other, today=today)
    assert not shown.stored_is_current(session, stored, loaded, today=today - timedelta(days=1))


def test_a_grade_computed_before_the_subject_existed_is_not_shown(
    session: Session, catalog: Catalog, today: date
) -> None:
    """On SQLite a new subject can take a deleted one's id, and the deleted one's stored grade
    (evaluation_results has no foreign key to subjects) would be shown as the new subject's: a
    grade computed before the subject was created is not its grade."""
    subject, loaded, stored = _graded(session, catalog, today)
    subject.created_at += timedelta(days=1)  # the id now names a subject created after the grade
    session.flush()
    assert not shown.stored_is_current(session, stored, loaded, today=today)
    assert public(session, subject, catalog, today)["evaluation"]["source"] != "stored"
