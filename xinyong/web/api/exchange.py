"""GET /api/v1/exchange/changes?after=CURSOR&limit=N — the change feed for other platforms.

For API keys with the `exchange` scope (checked in the domain query, `exchange.feed.changes`).
Changes come oldest first; `next_cursor` is passed back as `after` for the next page.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from xinyong.exchange import feed
from xinyong.web.deps import CurrentActor, DbSession

router = APIRouter(tags=["exchange"])


@router.get("/exchange/changes", summary="信用信息变更流（供上级及其他平台按游标读取）")
def changes(
    session: DbSession,
    actor: CurrentActor,
    after: str | None = Query(None, max_length=40),
    limit: int = Query(100, ge=1, le=feed.MAX_LIMIT),
) -> dict[str, Any]:
    return feed.changes(session, after=after, limit=limit, actor=actor).as_dict()
