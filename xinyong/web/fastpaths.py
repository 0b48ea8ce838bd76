"""The two async read paths on PostgreSQL (joint check, public subject search), owned by the app,
the report pool (`reports.pool`), and the dispatch layer of the joint check and the report.

They are opened once per server process when the app starts and closed when it stops (the
FastAPI lifespan), so no request races to create a pool and none is left open at shutdown.
Which routes use them is decided from the same settings in `create_app`. The report pool starts
its processes on the first report and is shut down with the app.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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
        freeze_startup_heap()
        yield
    finally:
        for path in reversed(opened):
            await path.close()
        app.state.render_pool.shutdown()


_frozen = False  # whether this process has frozen its start-up heap (once per process)


def freeze_startup_heap() -> None:
    """Move everything the app built at start-up (~200,000 objects: routes, catalogs, tables,
    templates) out of the cyclic collector's reach, once per process. Otherwise every full
    collection walks them all — ~120 ms of CPU measured on this machine — in the middle of
    whichever request's allocation triggered it, a pause that lands in /health's p99 (docs/
    decisions/0016 addendum 3). Garbage is collected first; objects made later are collected
    as before. Once per process, so that test clients starting the app again freeze nothing
    more."""
    global _frozen  # noqa: PLW0603 — once per process
    if not _frozen:
        _frozen = True
        gc.collect()
        gc.freeze()


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


# An ASGI handler that answers one (method, path) before the router, or declines (False).
Handler = Callable[[Scope, Receive, Send], Awaitable[bool]]


class _Kept:
    """The request's `receive`, keeping the body messages a handler read, so that a handler may
    read the body and still decline: the router then receives the same body again."""

    __slots__ = ("kept", "receive")

    def __init__(self, receive: Receive) -> None:
        self.receive = receive
        self.kept: list[Message] = []

    async def __call__(self) -> Message:
        message = await self.receive()
        if message["type"] == "http.request":
            self.kept.append(message)
        return message

    def again(self) -> Receive:
        """A `receive` that gives the kept messages first, then the request's own."""
        if not self.kept:
            return self.receive
        kept = iter(self.kept)

        async def receive() -> Message:
            return next(kept, None) or await self.receive()

        return receive


class FastDispatch:
    """The app's innermost middleware: a request whose (method, path) has a handler here (the
    joint check with an API key, `api.checks.dispatch_check`; a report, `api.reports.
    dispatch_report`) is answered without routing, dependency solving or the exception
    middleware — the framework's share of the request's CPU.

    Being inside `security.install`'s layers, it changes none of them: the security headers,
    the control-character guard, the Origin guard and the CSRF cookie layer wrap these answers as
    they wrap every response. The handler renders its own errors with `errors.render`, and any
    request it declines goes on to the app's route — with its body, when the handler read it
    (docs/decisions/0014, 0016)."""

    def __init__(self, app: ASGIApp, routes: Mapping[tuple[str, str], Handler]) -> None:
        self.app = app
        self.routes = dict(routes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            handler = self.routes.get((scope["method"], scope["path"]))
            if handler is not None:
                kept = _Kept(receive)
                if await handler(scope, kept, send):
                    return
                receive = kept.again()
        await self.app(scope, receive, send)
