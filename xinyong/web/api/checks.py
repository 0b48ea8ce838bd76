"""Joint check API: `POST /api/v1/checks` and `POST /api/v1/checks/{check_id}/feedback`.

The check route has two bodies with one answer: on PostgreSQL (unless `check_fast_path` is off)
the async route uses the fast read path (`measures.fast`); otherwise the sync route runs in the
request's transaction and commits before answering, so the check is logged before the response.
On the fast path, a check with an API key is answered by `dispatch_check` from the app's
dispatch layer (`fastpaths.FastDispatch`), inside the security guards and headers but before the
router; both it and the route call `fast_answer`. Either path admits the key's call through
`auth.KeyClient.admit` (scope `check`, the client's rate limit). Without a key, both routes take
a browser session's checker (the fast route through `browser_checker`), and both refuse an
anonymous caller with the same 401 `auth.login_required`. A body the dispatch layer does not read
by hand goes to the route, which validates it with `CheckRequest` as the sync route does: every
bad body gets the same 422 (pydantic's errors, the same Chinese message) on both paths.
"""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel, Field
from starlette.datastructures import Headers
from starlette.types import Receive, Scope, Send

from xinyong import auth, measures
from xinyong.audit import Actor
from xinyong.config import Settings
from xinyong.enums import Role
from xinyong.errors import XinyongError
from xinyong.web import deps, errors, fastpaths
from xinyong.web.deps import CurrentCatalog, DbSession, Today, _today, require

CHECKERS = (Role.SYSTEM, Role.ADMIN, Role.OFFICER)
Checker = Annotated[Actor, Depends(require(*CHECKERS))]


class CheckRequest(BaseModel):
    code: str = Field(description="统一社会信用代码或身份证号码", max_length=64)
    matter: str = Field(description="核查事项，如 procurement（政府采购）", max_length=64)


MAX_FIELD = 64


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
CHECK_PATH = "/checks"  # under /api/v1
CHECK_SCOPE = auth.scope_for_path(f"/api/v1{CHECK_PATH}")
feedback_router = APIRouter(tags=["checks"])


@sync_router.post(CHECK_PATH, summary="联合奖惩核查")
def create_check(
    body: CheckRequest, session: DbSession, actor: Checker, catalog: CurrentCatalog, today: Today
) -> Response:
    ans = measures.check(session, body.code, body.matter, catalog=catalog, actor=actor, today=today)
    session.commit()  # the log row is durable before the answer leaves
    return _json(ans)


def parse_check_body(raw: bytes, content_type: str | None = None) -> tuple[str, str] | None:
    """The body of a check, parsed by hand on the hot path: a JSON object with two short strings.
    Anything else is None — the dispatch layer then declines, and the route validates the body
    with `CheckRequest`, answering the sync route's 422 (pydantic's errors, the same Chinese
    message) for every bad body. A body with a content type other than plain JSON is declined
    too: the framework decides whether it reads it as JSON."""
    if content_type and content_type.split(";")[0].strip().lower() != "application/json":
        return None
    try:
        body = json.loads(raw)
    except ValueError:
        return None
    code = body.get("code") if isinstance(body, dict) else None
    matter = body.get("matter") if isinstance(body, dict) else None
    if (
        isinstance(code, str)
        and isinstance(matter, str)
        and max(len(code), len(matter)) <= MAX_FIELD
    ):
        return code, matter
    return None


async def key_checker(request: Request, key: str) -> Actor:
    """The checker of a request with an API key on the fast path: the key's client (cached), the
    call admitted by `auth.KeyClient.admit` (scope `check`, the client's rate limit: as on the
    sync path)."""
    fast = fastpaths.fast_check(request)
    client = await fast.client_for_key(key) if key else None
    if client is None:
        raise auth.bad_key()
    actor = client.admit(CHECK_SCOPE)
    fast.note_use(client.id)
    return actor


async def fast_checker(request: Request) -> Actor:
    """The fast route's checker, found before its body is validated as the sync route's `Checker`
    is: the API key's client, or (no key) the browser session's checker."""
    key = presented_key(request.headers)
    if key:
        return await key_checker(request, key)
    return await run_in_threadpool(browser_checker, request)


async def fast_answer(request: Request, code: str, matter: str, actor: Actor) -> bytes:
    """A check on the fast path, the answer logged before it returns; the body is the answer's
    logged JSON text."""
    fast = fastpaths.fast_check(request)
    catalog = request.app.state.catalogs.current
    done = await fast.check_encoded(code, matter, catalog=catalog, actor=actor,
                                    today=_today(request))  # fmt: skip
    return done.body.encode()


def browser_checker(request: Request) -> Actor:
    """The checker of a request without an API key, as the sync route's `Checker` finds it: the
    session cookie's user with a checker's role (401 to sign in, 403 for another role)."""
    factory = request.app.state.sessionmaker
    with factory() as session, session.begin():
        actor = deps.session_actor(request, session)
    return require(*CHECKERS)(actor)


def presented_key(headers: Headers) -> str:
    """The API key of a request: `X-API-Key`, or `Authorization: Bearer …`; empty when none."""
    key = headers.get("x-api-key") or ""
    if not key:
        given = headers.get("authorization", "")
        key = given[7:] if given[:7].lower() == "bearer " else ""
    return key.strip()


@fast_router.post(CHECK_PATH, summary="联合奖惩核查")
async def create_check_fast(
    request: Request, body: CheckRequest, actor: Annotated[Actor, Depends(fast_checker)]
) -> Response:
    """The route of a check the dispatch layer did not answer (no API key — a browser session —,
    a body it does not read by hand, or the app run without its lifespan): the same
    `fast_answer`; the checker and the body are found as on the sync route, so a bad body gets
    its 422 and a bad caller its 401/403 in the same order."""
    return Response(await fast_answer(request, body.code, body.matter, actor),
                    media_type="application/json")  # fmt: skip


_JSON_HEADERS = (b"content-type", b"application/json")


async def dispatch_check(scope: Scope, receive: Receive, send: Send) -> bool:
    """`POST /api/v1/checks` with an API key, answered by `fastpaths.FastDispatch` before the
    router (no routing, no dependencies, no CSRF cookie: a key is exempt from CSRF): the same
    `fast_answer` as the route, errors rendered by `errors.render` as the app renders them, the
    same status, headers and body. Declines (False) a request without a key, a body it does not
    read by hand (`parse_check_body`), or when the fast path is off, so the app's route answers
    it."""
    request = Request(scope, receive)
    key = presented_key(request.headers)
    if getattr(request.app.state, "fast_check", None) is None or not key:
        return False
    parsed = parse_check_body(await request.body(), request.headers.get("content-type"))
    if parsed is None:
        return False  # the route answers, with the body read here (FastDispatch keeps it)
    try:
        body = await fast_answer(request, *parsed, await key_checker(request, key))
    except XinyongError as exc:
        await errors.render(request, exc)(scope, receive, send)
        return True
    length = (b"content-length", str(len(body)).encode())
    await send({"type": "http.response.start", "status": 200, "headers": [length, _JSON_HEADERS]})
    await send({"type": "http.response.body", "body": body})
    return True


@feedback_router.post("/checks/{check_id}/feedback", summary="实施反馈")
def create_feedback(
    check_id: str, body: FeedbackRequest, session: DbSession, actor: Checker, today: Today
) -> dict[str, object]:
    items = [measures.FeedbackItem(i.measure_id, i.applied, i.reason) for i in body.items]
    rows = measures.record_feedback(session, check_id, items, actor=actor, today=today)
    return {"check_id": check_id, "recorded": len(rows)}


def routers(settings: Settings) -> list[APIRouter]:
    return [fast_router if fastpaths.check_enabled(settings) else sync_router, feedback_router]


def fast_routes() -> dict[tuple[str, str], fastpaths.Handler]:
    """What `fastpaths.FastDispatch` answers before the router (it declines when off)."""
    return {("POST", f"/api/v1{CHECK_PATH}"): dispatch_check}
