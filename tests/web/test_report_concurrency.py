"""SQLite: reports asked for at the same moment with API keys and session cookies all succeed.

The actor's lookup reads (and for a key may write `last_used_at`) before the report is issued;
if that made the transaction's first statement a read, a concurrent report's commit would turn
its later write into an immediate "database is locked". The report routes take the write lock
first (`reports.hold_write_lock` via the route's session dependency), so they wait their turn.
With the app's report pool (its lifespan), the route's session is committed before the report
waits for its turn, and the report process's own transaction takes the lock first as well.
Runs on a database of its own, with real commits, through the app's own sessions.
"""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.databases import migrated_database
from tests.factories import make_subject
from tests.factories.workflows import make_user
from xinyong import auth, signing
from xinyong.audit import Actor
from xinyong.config import REPO_ROOT, Settings
from xinyong.db.session import make_engine, make_sessionmaker, transaction
from xinyong.db.tables import Report
from xinyong.enums import Role
from xinyong.web.app import create_app

THREADS = 6


@pytest.mark.sqlite  # SQLite's single writer; PostgreSQL locks rows
@pytest.mark.parametrize("pool", [False, True], ids=["in-request", "report-pool"])
def test_concurrent_key_and_cookie_reports_on_sqlite_all_succeed(
    tmp_path: Path, pool: bool
) -> None:
    url = migrated_database(f"sqlite:///{tmp_path}", "reports", tmp_path)
    key_file = tmp_path / "keys" / "office-sm2.pem"
    signing.ensure_key(key_file)
    engine = make_engine(url)
    with transaction(make_sessionmaker(engine)) as s:
        code = make_subject(s, name="并发报告测试有限公司").code
        _, username = make_user(s, Role.OFFICER)
        _c, key = auth.add_client(s, "并发报告系统", "check", actor=Actor.system())
    settings = Settings(database_url=url, data_dir=tmp_path, catalog_dir=REPO_ROOT / "catalogs",
                        today=date(2026, 11, 23), signing_key=key_file,
                        search_fast_path=False)  # fmt: skip
    app = create_app(settings)
    served = TestClient(app)
    if pool:
        served.__enter__()  # the lifespan: the app's report pool (one process)
    cookie = TestClient(app)
    login = cookie.post("/admin/login", data={"username": username, "password": "password123"},
                        follow_redirects=False)  # fmt: skip
    assert login.status_code == 303
    start = threading.Barrier(THREADS)
    answers: list[int | str] = []

    def ask(i: int) -> None:
        client = TestClient(app, cookies=dict(cookie.cookies)) if i % 2 else TestClient(app)
        headers = {} if i % 2 else {"X-API-Key": key}
        start.wait()
        try:
            got = client.post("/api/v1/reports", headers=headers,
                              json={"code": code, "format": "number"})  # fmt: skip
            answers.append(got.status_code if got.status_code == 200 else got.text)
        except Exception as exc:
            answers.append(repr(exc))

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if pool:
        served.__exit__(None, None, None)
    assert answers == [200] * THREADS
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Report)).scalar_one() == THREADS
    engine.dispose()
    app.state.engine.dispose()
