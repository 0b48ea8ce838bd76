"""One mapping from the XinyongError tree to JSON (API) or an error page (HTML)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response

from xinyong.errors import InvalidInput, Unauthenticated, XinyongError
from xinyong.log import get_logger
from xinyong.web.templating import templates

log = get_logger(__name__)


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "text/html" not in request.headers.get(
        "accept", ""
    )


def install(app: FastAPI) -> None:
    @app.exception_handler(XinyongError)
    async def _xinyong_error(request: Request, exc: XinyongError) -> Response:
        if exc.status >= 500:  # noqa: PLR2004
            log.error("request failed", path=request.url.path, code=exc.code)
        if _wants_json(request):
            return JSONResponse(exc.as_dict(), status_code=exc.status)
        if isinstance(exc, Unauthenticated):
            return RedirectResponse(f"/admin/login?next={request.url.path}", status_code=303)
        return templates.TemplateResponse(
            request, "errors/error.html", {"error": exc}, status_code=exc.status
        )

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
        details = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg"), "type": e.get("type")}
            for e in exc.errors()
        ]
        body = {
            "error": "invalid_request",
            "message": "请求参数不正确",
            "details": {"errors": details},
        }
        if not _wants_json(request):  # a form in a browser: a Chinese page, never JSON
            missing = [str(d["loc"][-1]) for d in details if d["type"] == "missing" and d["loc"]]
            text = f"请求参数不正确：缺少 {'、'.join(missing)}" if missing else "请求参数不正确"
            error = InvalidInput(text + "。请返回上一页检查填写的内容。", code="invalid_request")
            return templates.TemplateResponse(
                request, "errors/error.html", {"error": error}, status_code=422
            )
        return JSONResponse(body, status_code=422)
