"""One mapping from the XinyongError tree to JSON (API) or an error page (HTML)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from xinyong.errors import InvalidInput, NotFound, Unauthenticated, XinyongError
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
        return _page(request, exc)

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
        if _wants_json(request):
            return JSONResponse(body, status_code=422)
        fields = "、".join(sorted({str(e["loc"][-1]) for e in details if e["loc"]}))
        message = (
            "提交的内容不完整或格式不正确"
            + (f"（{fields}）" if fields else "")
            + "，请返回修改后重试"
        )
        return _page(request, InvalidInput(message, code="invalid_request"))

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        """Framework errors (no such page, wrong method …) in Chinese; a page in a browser."""
        message = HTTP_MESSAGES.get(exc.status_code, "请求无法完成")
        if _wants_json(request):
            body = {"error": f"http_{exc.status_code}", "message": message}
            return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)
        error = NotFound(message) if exc.status_code == 404 else XinyongError(message)  # noqa: PLR2004
        return _page(request, error, status=exc.status_code)


HTTP_MESSAGES = {
    404: "您访问的页面不存在",
    405: "不支持该请求方式",
    413: "提交的内容过大",
    415: "不支持的内容类型",
}


def _page(request: Request, error: XinyongError, *, status: int | None = None) -> Response:
    return templates.TemplateResponse(
        request, "errors/error.html", {"error": error}, status_code=status or error.status
    )
