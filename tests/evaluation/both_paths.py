"""The joint check on both paths for a subject a PostgreSQL test committed (the fast path reads
through a pool of its own, outside the test's rolled-back session), (the clean-up of what such a
test committed: `tests.databases.delete_committed`)."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from xinyong import measures
from xinyong.audit import Actor
from xinyong.catalog import Catalog
from xinyong.measures.fast import FastCheck

GRADE_KEYS = ("grade", "supervision_class", "supervision", "evaluation", "sector_grade")


async def _fast(
    url: str, code: str, matter: str, catalog: Catalog, actor: Actor, today: date
) -> measures.CheckAnswer:
    fast = FastCheck(url)
    await fast.open()
    try:
        return await fast.check(code, matter, catalog=catalog, actor=actor, today=today)
    finally:
        await fast.close()


def check_on_both_paths(
    engine: Engine, code: str, matter: str, *, catalog: Catalog, actor: Actor, today: date
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the sync path's answer, the fast path's) as dicts; their grading keys must agree."""
    with Session(engine) as s:
        sync = measures.check(s, code, matter, catalog=catalog, actor=actor, today=today)
        s.rollback()
    url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    fast = asyncio.run(_fast(url, code, matter, catalog, actor, today)).as_dict()
    assert {k: fast[k] for k in GRADE_KEYS} == {k: sync.as_dict()[k] for k in GRADE_KEYS}
    return sync.as_dict(), fast
