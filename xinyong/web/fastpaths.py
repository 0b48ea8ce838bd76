"""The two async read paths on PostgreSQL (joint check, public subject search), owned by the app,
and the report pool (`reports.pool`).

They are opened once per server process when the app starts and closed when it stops (the
FastAPI lifespan), so no request races to create a pool and none is left open at shutdown.
Which routes use them is decided from the same settings in `create_app`. The report pool starts
its processes on the first report and is shut down with the app.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request

from xinyong.config import Settings
from xinyong.measures.fast import FastCheck
from xinyong.reports.pool import RenderPool
from xinyong.subjects_fast import FastSearch


def check_enabled(settings: Settings) -> bool:
    return settings.check_fast_path and settings.database_url.startswith("postgres")


def search_enabled(settings: Settings) -> bool:
    return settings.search_fast_path and settings.database_url.startswith("postgres")


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    dsn = app.state.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    app.state.fast_check = FastCheck(dsn) if check_enabled(settings) else None
    app.state.fast_search = FastSearch(dsn) if search_enabled(settings) else None
    app.state.render_pool = RenderPool(settings.report_workers, settings)
    opened: list[FastCheck | FastSearch] = []
    try:
        for path in (app.state.fast_check, app.state.fast_search):
            if path is not None:
                await path.open()
                opened.append(path)
        yield
    finally:
        for path in reversed(opened):
            await path.close()
        app.state.render_pool.shutdown()


def _opened(request: Request, name: str) -> object:
    path = getattr(request.app.state, name, None)
    if path is None:
        raise RuntimeError(f"{name} is not open: run the app with its lifespan (uvicorn default)")
    return path


def fast_check(request: Request) -> FastCheck:
    path = _opened(request, "fast_check")
    assert isinstance(path, FastCheck)
    return path


def report_pool(request: Request) -> RenderPool | None:
    """The app's report pool (None without the lifespan: reports run in the request)."""
    pool: RenderPool | None = getattr(request.app.state, "render_pool", None)
    return pool


def fast_search(request: Request) -> FastSearch:
    path = _opened(request, "fast_search")
    assert isinstance(path, FastSearch)
    return path
