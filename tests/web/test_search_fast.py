"""The search fast read path (PostgreSQL) answers `GET /api/v1/subjects?q=` byte for byte as the
sync path does: same candidates, same ranking, same public view with ID numbers masked."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete
from sqlalchemy.orm import Session

from tests.factories import make_record, make_subject
from xinyong.config import Settings
from xinyong.db.tables import EvaluationPending, EvaluationResult, Record, Subject
from xinyong.enums import SubjectKind
from xinyong.web.app import create_app

# The fast read path exists on PostgreSQL only; on SQLite the sync path serves (deselected there).
pytestmark = pytest.mark.postgres


@pytest.fixture
def committed(engine: Engine) -> Iterator[dict[str, str]]:
    """Subjects committed (the fast path's pool cannot see a rolled-back test transaction)."""
    with Session(engine) as s, s.begin():
        long = make_subject(
            s,
            name="璟瓅智造科技有限公司",
            former_names=["璟瓅旧名商贸有限公司"],
            legal_rep="钱七",
            address="示范区璟瓅路1号",
            registration_authority="示范区市场监督管理局",
            established_on=date(2015, 3, 9),
            region_code="990100",
            industry_code="C39",
        )
        short = make_subject(s, name="璟瓅智造有限公司")
        person = make_subject(s, kind=SubjectKind.PERSON, name="璟瓅芳")
        shown = make_subject(s, kind=SubjectKind.PERSON, name="璟瓅强")
        make_record(s, shown)  # a disclosed penalty: this person may be found (name + ID number)
        codes = {"long": long.code, "short": short.code, "person": person.code,
                 "shown": shown.code}  # fmt: skip
        ids = [long.id, short.id, person.id, shown.id]
    yield codes
    with Session(engine) as s, s.begin():
        s.execute(delete(Record).where(Record.subject_id.in_(ids)))
        s.execute(delete(EvaluationResult).where(EvaluationResult.subject_id.in_(ids)))
        s.execute(delete(EvaluationPending).where(EvaluationPending.subject_id.in_(ids)))
        s.execute(delete(Subject).where(Subject.id.in_(ids)))


def _bodies(settings: Settings, paths: list[str], *, fast: bool, **headers: str) -> list[bytes]:
    app = create_app(settings.model_copy(update={"search_fast_path": fast}))
    with TestClient(app) as client:
        responses = [client.get(path, headers=headers) for path in paths]
    app.state.engine.dispose()
    assert all(r.status_code == 200 for r in responses)
    return [r.content for r in responses]


def test_fast_search_answers_byte_for_byte_as_the_sync_search(
    settings: Settings, committed: dict[str, str]
) -> None:
    codes = [committed["long"], committed["person"], f" {committed['short'].lower()} "]
    names = ["璟瓅", "璟瓅智", "瓅智造科", "旧名商贸"]
    persons = [f"璟瓅芳 {committed['person']}", f"{committed['shown']} 璟瓅强", "芳"]
    queries = [*names, *codes, "瓅%", "无此璟瓅名", "", "璟瓅&limit=1", *persons]
    paths = [f"/api/v1/subjects?q={q}" for q in queries]
    sync = _bodies(settings, paths, fast=False)
    fast = _bodies(settings, paths, fast=True)
    assert fast == sync
    counts = [int(body.split(b'"count":')[1].split(b",")[0]) for body in sync]
    # persons: never by a keyword or a bare ID number; by name + ID number only when shown
    assert counts == [2, 2, 1, 1, 1, 0, 1, 0, 0, 0, 1, 0, 1, 0]
    assert committed["person"].encode() not in b"".join(fast)
    assert committed["shown"].encode() not in b"".join(fast)
    assert b'"code":"' + committed["shown"][:6].encode() + b"********" in fast[12]


def test_a_signed_in_search_takes_the_sync_path_with_the_same_answer(
    settings: Settings, committed: dict[str, str]
) -> None:
    paths = ["/api/v1/subjects?q=璟瓅", f"/api/v1/subjects?q={committed['person']}"]
    anonymous = _bodies(settings, paths, fast=True)
    signed_in = _bodies(settings, paths, fast=True, cookie="xinyong_session=x")
    assert signed_in == anonymous
