"""A live server on a throwaway SQLite file with the demo region; Debian Chromium for Playwright.

Never `playwright install`: the browser is Debian's /usr/bin/chromium (scripts/browser.sh).
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from tests.conftest import CATALOG_DIR
from xinyong import catalog, demo, indicators, jobs
from xinyong.audit import Actor
from xinyong.config import Settings
from xinyong.db import migrate
from xinyong.db.session import make_engine, make_sessionmaker, transaction
from xinyong.web.app import create_app

CHROMIUM = "/usr/bin/chromium"
DEMO_SUBJECTS = 400
LIVE_TODAY = date(2026, 11, 23)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser" in str(item.path):
            item.add_marker(pytest.mark.browser)
    # Browser tests last: Playwright's sync API leaves an event loop running in its worker, and a
    # later test calling asyncio.run() there fails ("cannot be called from a running event loop").
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.fixture(scope="session")
def browser_type_launch_args(request: pytest.FixtureRequest) -> dict[str, Any]:
    if not Path(CHROMIUM).exists():
        if request.config.getoption("--require-browser") or os.environ.get("CI") == "true":
            pytest.fail("Chromium is required (apt-get install chromium fonts-noto-cjk)")
        pytest.skip("Chromium not installed")
    return {
        "executable_path": shutil.which("chromium") or CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def live_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    var = tmp_path_factory.mktemp("live")
    url = f"sqlite:///{var / 'live.db'}"
    migrate.upgrade(url)
    # A fixed "today" (principle 2): deadlines never run into a year without calendar data.
    settings = Settings(database_url=url, catalog_dir=CATALOG_DIR, data_dir=var, today=LIVE_TODAY)
    engine = make_engine(url)
    with transaction(make_sessionmaker(engine)) as session:
        catalog.record_version(session, catalog.load_catalog(CATALOG_DIR), actor=Actor.system())
        demo.load(session, count=DEMO_SUBJECTS, actor=Actor.system("测试"), today=LIVE_TODAY)
        # what cron does on a running platform: the stored dashboard the pages read
        jobs.run("dashboard", session, today=LIVE_TODAY, catalog=catalog.load_catalog(CATALOG_DIR),
                 definitions=indicators.load(CATALOG_DIR))  # fmt: skip
    engine.dispose()
    return settings


@pytest.fixture(scope="session")
def live_server(live_settings: Settings) -> Iterator[str]:
    port = _free_port()
    config = uvicorn.Config(
        create_app(live_settings), host="127.0.0.1", port=port, log_level="warning", lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("live server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
