"""Joint check API: `POST /api/v1/checks` and `POST /api/v1/checks/{check_id}/feedback`.

The check route has two bodies with one answer: on PostgreSQL (unless `check_fast_path` is off)
the async route uses the fast read path (`measures.fast`); otherwise the sync route runs in the
request's transaction and commits before answering, so the check is logged before the response.
"""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from xinyong import measures
from xinyong.audit import Actor
from xinyong.config import Settings
from xinyong.enums import Role
from xinyong.errors import InvalidInput, Unauthenticated
from xinyong.web import fastpaths
from xinyong.web.deps import CurrentCatalog, DbSession, Today, _today, require

Checker = Annotated[Actor, Depends(require(Role.SYSTEM, Role.ADMIN, Role.OFFICER))]


class CheckRequest(BaseModel):
    code: str = Field(description="统一社会信用代码或身份证号码", max_length=64)
    matter: str = Field(description="核查事项，如 procurement（政府采购）", max_length=64)


MAX_FIELD = 64
CHECK_OPENAPI = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": CheckRequest.model_json_schema()}},
    }
}


class FeedbackItemIn(BaseModel):
    measure_id: str
    applied: bool
    reason: str | None = None


class FeedbackRequest(BaseModel):
    items: list[FeedbackItemIn]


def _json(ans: measures.CheckAnswer) -> Response:
    """The body is the answer's logged JSON text, on both routes (`measures.answer_json`)."""
    return Response(measures.answer_json(ans), media_type="application/json")


sync_router = APIRouter(tags=["checks"])
fast_router = APIRouter(tags=["checks"])
feedback_router = APIRouter(tags=["checks"])


@sync_router.post("/checks", summary="联合奖惩核查")
def create_check(
    body: CheckRequest, session: DbSession, actor: Checker, catalog: CurrentCatalog, today: Today
) -> Response:
    ans = measures.check(session, body.code, body.matter, catalog=catalog, actor=actor, today=today)
    session.commit()  # the log row is durable before the answer leaves
    return _json(ans)


def parse_check_body(raw: bytes) -> tuple[str, str]:
    """The body of a check, parsed by hand on the hot route: an object with two short strings."""
    try:
        body = json.loads(raw)
    except ValueError:
        body = None
    code = body.get("code") if isinstance(body, dict) else None
    matter = body.get("matter") if isinstance(body, dict) else None
    if (
        isinstance(code, str)
        and isinstance(matter, str)
        and max(len(code), len(matter)) <= MAX_FIELD
    ):
        return code, matter
    raise InvalidInput(
        f"请求体须为 JSON 对象，含不超过{MAX_FIELD}个字符的字符串字段 code 和 matter",
        code="invalid_request",
    )


@fast_router.post("/checks", summary="联合奖惩核查", openapi_extra=CHECK_OPENAPI)
async def create_check_fast(request: Request) -> Response:
    fast = fastpaths.fast_check(request)
    key = request.headers.get("x-api-key") or request.headers.get("authorization", "")[7:]
    actor = await fast.actor_for_key(key.strip()) if key.strip() else None
    if actor is None:
        raise Unauthenticated("请使用有效的 API 密钥调用核查接口", code="auth.bad_api_key")
    code, matter = parse_check_body(await request.body())
    catalog = request.app.state.catalogs.current
    done = await fast.check_encoded(code, matter, catalog=catalog, actor=actor,
                                    today=_today(request))  # fmt: skip
    return Response(done.body, media_type="application/json")


@feedback_router.post("/checks/{check_id}/feedback", summary="实施反馈")
def create_feedback(
    check_id: str, body: FeedbackRequest, session: DbSession, actor: Checker, today: Today
) -> dict[str, object]:
    items = [measures.FeedbackItem(i.measure_id, i.applied, i.reason) for i in body.items]
    rows = measures.record_feedback(session, check_id, items, actor=actor, today=today)
    return {"check_id": check_id, "recorded": len(rows)}


def routers(settings: Settings) -> list[APIRouter]:
    return [fast_router if fastpaths.check_enabled(settings) else sync_router, feedback_router]
