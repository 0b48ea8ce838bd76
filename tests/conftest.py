"""Shared fixtures: a real database per worker (SQLite or PostgreSQL), rollback per test.

`--db=sqlite` (default) or `--db=postgresql` (needs XINYONG_TEST_POSTGRES_URL; under CI a missing
server is a failure, never a skip). Each test gets a session inside an outer transaction that is
rolled back, so tests never see each other's rows.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from tests import csrf
from tests.databases import (
    audit_tail,
    delete_audit_after,
    delete_runs,
    drop_templates,
    migrated_database,
)
from xinyong import catalog as catalog_pkg
from xinyong.audit import Actor
from xinyong.catalog import Catalog
from xinyong.clock import Calendar
from xinyong.config import REPO_ROOT, Settings
from xinyong.db import migrate
from xinyong.db.session import make_engine
from xinyong.evaluation import watch
from xinyong.financing import outcomes

CATALOG_DIR = REPO_ROOT / "catalogs"
csrf.install()  # every TestClient sends the CSRF token on unsafe requests, as the pages do
DATA = Path(__file__).resolve().parent / "data"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--db", default="sqlite", choices=["sqlite", "postgresql"])
    parser.addoption(
        "--require-browser", action="store_true", help="fail (not skip) when Chromium is missing"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked `postgres` prove PostgreSQL-only paths: deselected, not skipped, on SQLite;
    tests marked `sqlite` prove SQLite-only ones and are deselected on PostgreSQL.

    Browser tests run last (stable order otherwise): Playwright's sync API keeps an event loop
    running in the worker's main thread, after which `asyncio.run` in a later test fails.
    """
    items.sort(key=lambda item: "tests/browser/" in str(item.path).replace("\\", "/"))
    other = "sqlite" if config.getoption("--db") == "postgresql" else "postgres"
    keep = [item for item in items if item.get_closest_marker(other) is None]
    if len(keep) != len(items):
        config.hook.pytest_deselected(items=[i for i in items if i not in keep])
        items[:] = keep


def pytest_sessionfinish(session: pytest.Session) -> None:
    drop_templates()  # this process's migrated templates of tests/databases.py


def _worker(request: pytest.FixtureRequest) -> str:
    return str(getattr(request.config, "workerinput", {}).get("workerid", "main"))


def _postgres_url(request: pytest.FixtureRequest) -> str:
    base = os.environ.get("XINYONG_TEST_POSTGRES_URL")
    if not base:
        pytest.exit("--db=postgresql needs XINYONG_TEST_POSTGRES_URL (make test starts one)", 2)
    return migrated_database(base, f"xinyong_test_{_worker(request)}")


_COMMIT_LISTENERS = (watch._state, outcomes._state)  # what an app (create_app) turns on at commit


def _listeners_put_back() -> Iterator[None]:
    """Re-evaluation and financing alerts at commit are process-wide: an app a test (or a module's
    fixture) creates turns them on with its own "today". Put back as they were after it, so a later
    test's commits are not re-graded with another test's day (an order-dependent grade on PG)."""
    saved = [state["context"] for state in _COMMIT_LISTENERS]
    yield
    for state, context in zip(_COMMIT_LISTENERS, saved, strict=True):
        state["context"] = context


@pytest.fixture(autouse=True)
def _commit_listeners_of_the_test() -> Iterator[None]:
    yield from _listeners_put_back()


@pytest.fixture(autouse=True, scope="module")
def _commit_listeners_of_the_module() -> Iterator[None]:
    yield from _listeners_put_back()


@pytest.fixture(autouse=True)
def _committed_audit_rows_deleted(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test that commits to the worker's database (a fast path's pool, a second connection)
    deletes its subjects with `delete_committed`; the audit rows its actions appended are deleted
    here, for every such test: the other tests read the whole log (the chain, counts, pages)."""
    if "engine" not in request.fixturenames:
        yield
        return
    engine: Engine = request.getfixturevalue("engine")
    last_id = audit_tail(engine)
    yield
    delete_audit_after(engine, last_id)


@pytest.fixture(scope="session")
def db_kind(request: pytest.FixtureRequest) -> str:
    return str(request.config.getoption("--db"))


@pytest.fixture(scope="session")
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, db_kind: str
) -> str:
    if db_kind == "postgresql":
        return _postgres_url(request)
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    migrate.upgrade(database_url)
    eng = make_engine(database_url)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session whose every change is rolled back after the test (commits become savepoints)."""
    with engine.connect() as conn:
        outer = conn.begin()
        db = Session(bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False)
        try:
            yield db
        finally:
            db.close()
            outer.rollback()


@pytest.fixture
def made_runs(engine: Engine) -> Iterator[list[int]]:
    """The ids of background runs a test commits (a second connection, a runner): deleted after
    it."""
    ids: list[int] = []
    yield ids
    delete_runs(engine, ids)


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return catalog_pkg.load_catalog(CATALOG_DIR)


@pytest.fixture(scope="session")
def calendar() -> Calendar:
    return catalog_pkg.load_calendar(CATALOG_DIR / "calendar")


@pytest.fixture
def today() -> date:
    return date(2026, 11, 23)  # a Monday


@pytest.fixture
def operator() -> Actor:
    return Actor.system("测试")


@pytest.fixture
def settings(database_url: str) -> Settings:
    # search_fast_path off, report_workers 0: web tests run in the rolled-back test session,
    # which the fast path's own pool and the report processes cannot see
    # (tests/web/test_search_fast.py, tests/web/test_report_pool.py test those paths).
    return Settings(database_url=database_url, catalog_dir=CATALOG_DIR, today=date(2026, 11, 23),
                    search_fast_path=False, report_workers=0)  # fmt: skip
