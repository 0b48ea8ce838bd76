"""Deadlines in a provisional calendar year are shown 暂定 on the pages, and a deadline once given
stays as it was when the official year file arrives (it is stored, never recomputed)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.catalog.conftest import write_yaml
from tests.catalog.test_calendar_provisional import OFFICIAL_2027
from tests.factories import make_provider, make_subject
from tests.factories.workflows import make_penalty
from xinyong import auth, objections
from xinyong.audit import Actor
from xinyong.catalog import Catalog
from xinyong.clock import Calendar, add_working_days
from xinyong.config import Settings
from xinyong.enums import Role
from xinyong.web import deps
from xinyong.web.app import create_app

PASSWORD = "correct horse"


def _client(session: Session, settings: Settings) -> Iterator[TestClient]:
    app = create_app(settings)

    def _session() -> Iterator[Session]:
        yield session

    app.dependency_overrides[deps._db] = _session
    with TestClient(app) as client:
        client.post("/me/login", data={"username": "firm", "password": PASSWORD})
        yield client
    app.state.engine.dispose()


def test_a_provisional_deadline_is_marked_and_never_moves_when_2027_arrives(
    session: Session, settings: Settings, catalog: Catalog, calendar: Calendar, tmp_path: Path
) -> None:
    provider, subject = make_provider(session), make_subject(session)
    record = make_penalty(session, subject, provider)
    user = auth.create_user(session, "firm", PASSWORD, Role.ENTERPRISE, subject_id=subject.id,
                            actor=Actor.system())  # fmt: skip
    filed = objections.file_objection(
        session, record, "金额有误", actor=auth.actor_for_user(user), today=date(2026, 12, 28),
        catalog=catalog, calendar=calendar,
    )  # fmt: skip
    given = filed.answer_due
    assert given is not None
    assert calendar.is_provisional(given)

    for client in _client(session, settings):
        page = client.get("/me/").text
        assert f'{given.isoformat()}<span class="provisional"' in page
        assert "（暂定）" in page

    write_yaml(tmp_path / "calendar/2027.yaml", OFFICIAL_2027)
    official = settings.model_copy(update={"catalog_override_dir": tmp_path})
    for client in _client(session, official):
        assert client.app.state.calendar.provisional_years.isdisjoint({2027})  # type: ignore[attr-defined]
        page = client.get("/me/").text
        assert given.isoformat() in page  # the deadline given is the one shown
        assert "（暂定）" not in page
        now_computed = add_working_days(date(2026, 12, 28), 5, client.app.state.calendar)  # type: ignore[attr-defined]
        assert now_computed <= given
    session.refresh(filed)
    assert filed.answer_due == given
