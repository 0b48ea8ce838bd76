"""The exchange API for other platforms (API keys with the `exchange` scope, checked in the
domain: `exchange.feed.changes`, `exchange.intake.receive`).

- `GET /api/v1/exchange/changes?after=CURSOR&limit=N` — the change feed, oldest first;
  `next_cursor` is passed back as `after` for the next page.
- `POST /api/v1/exchange/packages` — a signed package as one zip file (`application/zip`), the
  sending node in `X-Exchange-Node`; verified whole before anything is stored, imported through
  collection; answers with the counts (the same package twice: nothing new).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from starlette.concurrency import run_in_threadpool

from xinyong import auth, keyring
from xinyong.exchange import delivery, feed, intake
from xinyong.web.api.batches import WorkSession
from xinyong.web.deps import CurrentActor, CurrentCalendar, CurrentCatalog, DbSession, Today

router = APIRouter(tags=["exchange"])

PACKAGE_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        # the zip as the raw body (sent as application/zip; any content type is read as bytes)
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    }
}


@router.get("/exchange/changes", summary="信用信息变更流（供上级及其他平台按游标读取）")
def changes(
    session: DbSession,
    actor: CurrentActor,
    after: str | None = Query(None, max_length=40),
    limit: int = Query(100, ge=1, le=feed.MAX_LIMIT),
) -> dict[str, Any]:
    return feed.changes(session, after=after, limit=limit, actor=actor).as_dict()


@router.post("/exchange/packages", openapi_extra=PACKAGE_BODY,
             summary="接收交换包（整包校验后经归集导入，重复发送不重复入库）")  # fmt: skip
async def receive_package(
    request: Request,
    session: WorkSession,
    request_session: DbSession,
    actor: CurrentActor,
    catalog: CurrentCatalog,
    calendar: CurrentCalendar,
    today: Today,
    node: Annotated[str | None, Header(alias=delivery.NODE_HEADER, max_length=64)] = None,
) -> dict[str, Any]:
    auth.require_scope(actor, "exchange")  # again in intake.receive; before any commit here
    request_session.commit()  # the key's last use, written now: SQLite has a single writer
    data = await request.body()
    settings = request.app.state.settings
    trusted = keyring.office_keyring(settings)
    return await run_in_threadpool(
        intake.receive, session, data, node=node, trusted=trusted, catalog=catalog,
        calendar=calendar, actor=actor, today=today,
    )  # fmt: skip
