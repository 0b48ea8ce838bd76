"""The session of a route that starts a background run: on SQLite the write lock is taken as
its first statement (`runs.hold_write_lock`), before the actor is read, so two clicks at the
same instant wait their turn and the second is shown the run the first queued instead of failing
on a stale snapshot. Declare it BEFORE the actor in the route (FastAPI resolves in order).
PostgreSQL needs nothing: the partial unique index of the queued runs decides a tie."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from xinyong.db.session import is_postgres
from xinyong.runs import store
from xinyong.web.deps import DbSession


async def _write_locked(session: DbSession) -> Session:
    if not is_postgres(session):
        await run_in_threadpool(store.hold_write_lock, session)
    return session


RunSession = Annotated[Session, Depends(_write_locked)]
