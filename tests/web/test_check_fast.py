"""The joint check's fast read path (PostgreSQL) answers `POST /api/v1/checks` byte for byte as
the sync path does, on every subject of the demo region that is on a list (and a few that are
not), for every matter, after an evaluation run: same facts query (`lists.facts_statement`), same
stored grade and sector grades (`supervision.grade_statement`, `sector_grades.statement`), same
key lookup (`auth.API_KEY_STATEMENT`), same rules, same JSON text. Only the check id differs, as
it must."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.conftest import CATALOG_DIR
from tests.databases import drop_database, migrated_database
from xinyong import auth, catalog, demo, evaluation, lists
from xinyong.audit import Actor
from xinyong.config import Settings
from xinyong.db.session import make_engine, make_sessionmaker, transaction
from xinyong.db.tables import Subject
from xinyong.enums import Role
from xinyong.evaluation import engine as evaluation_engine
from xinyong.web.app import create_app

pytestmark = pytest.mark.postgres

TODAY = date(2026, 11, 23)
CHECK_ID = re.compile(rb'"check_id": "[0-9a-f]{32}"')
MATTERS = tuple(catalog.load_catalog(CATALOG_DIR).matters)  # every matter


@pytest.fixture(scope="module")
def demo_region(settings_module: Settings) -> Iterator[tuple[Settings, str, list[str]]]:
    """A database of its own with the demo region (committed: the fast path's pool reads it)."""
    base = os.environ["XINYONG_TEST_POSTGRES_URL"]
    name = "xinyong_test_demo_checks"
    url = migrated_database(base, name)
    engine = make_engine(url)
    shipped = catalog.load_catalog(settings_module.catalog_dir)
    with transaction(make_sessionmaker(engine)) as session:
        catalog.record_version(session, shipped, actor=Actor.system())
        demo.load(session, count=400, actor=Actor.system("测试"), today=TODAY)
        for loaded in evaluation.models_for(shipped).models.values():  # grades in every answer
            evaluation_engine.run_embedded(
                session, loaded, catalog=shipped, as_of=TODAY, actor=Actor.system()
            )
        client, key = auth.create_api_client(session, "招投标系统", Role.SYSTEM,
                                             actor=Actor.system())  # fmt: skip
        client.rate_limit = "100000/minute"  # both paths answer every code of the region
        listed = sorted({e.subject_code for e in
                         lists.current_entries(session, catalog=shipped, today=TODAY)})  # fmt: skip
        clean = session.execute(
            select(Subject.code).where(Subject.code.not_in(listed)).order_by(Subject.id).limit(5)
        ).scalars()
        codes = [*listed, *clean, "91350100M000100Y43"]  # the last: a valid code nobody holds
    engine.dispose()
    yield settings_module.model_copy(update={"database_url": url, "today": TODAY}), key, codes
    drop_database(base, name)


@pytest.fixture(scope="module")
def settings_module(database_url: str) -> Settings:
    return Settings(database_url=database_url, catalog_dir=CATALOG_DIR, search_fast_path=False)


def _bodies(settings: Settings, key: str, codes: list[str], *, fast: bool) -> list[bytes]:
    app = create_app(settings.model_copy(update={"check_fast_path": fast}))
    with TestClient(app) as client:
        headers = {"X-API-Key": key}
        responses = [
            client.post("/api/v1/checks", json={"code": c, "matter": m}, headers=headers)
            for c in codes
            for m in MATTERS
        ]
    app.state.engine.dispose()
    assert all(r.status_code == 200 for r in responses), [r.text for r in responses][:3]
    return [CHECK_ID.sub(b'"check_id": ""', r.content) for r in responses]


def test_fast_check_answers_byte_for_byte_as_the_sync_check(
    demo_region: tuple[Settings, str, list[str]],
) -> None:
    settings, key, codes = demo_region
    sync = _bodies(settings, key, codes, fast=False)
    fast = _bodies(settings, key, codes, fast=True)
    assert fast == sync
    hits = sum(b'"clean": false' in body for body in sync)
    assert hits >= 10 * len(MATTERS)  # the demo region's listed subjects are really compared
    answers = [json.loads(body) for body in sync]
    by_subject: dict[int, set[bool]] = {}
    for a in answers:
        if a["subject"] is not None:
            by_subject.setdefault(a["subject"]["id"], set()).add(a["grade"] is not None)
    mixed = [sid for sid, v in by_subject.items() if len(v) != 1]
    assert not mixed  # a graded subject has its grade in every matter's answer
    assert sum(v == {True} for v in by_subject.values()) >= 20, by_subject
    graded = [a for a in answers if a["grade"] is not None]
    bare = [a["matter"] for a in graded if not (a["supervision_class"] and a["evaluation"])]
    assert not bare  # with the supervision class and the model version
    decided = {a["supervision"]["decided_by"] for a in graded if a["matter"] == "tax_incentive"}
    assert decided == {"grade", "sector_grade"}  # the demo's 纳税信用等级 decide in the tax sector
