"""One mapping from errors to JSON (API) or a Chinese error page (browser).

- the XinyongError tree: its own status, code and message;
- request validation (a path, query or form value of the wrong type or range): 422;
- HTTP errors raised by the framework (no such route, method not allowed): their status, in Chinese;
- a database DataError (SQLSTATE class 22: a value out of range, a NUL in text …): the input is at
  fault, 422. Every other exception stays a 500 and is logged.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException

from xinyong.errors import InvalidInput, Unauthenticated, XinyongError
from xinyong.log import get_logger
from xinyong.web.templating import templates
from xinyong.web.titles import form_field_label

log = get_logger(__name__)

HTTP_MESSAGES = {
    400: ("bad_request", "请求格式不正确"),
    401: ("unauthenticated", "请先登录"),
    403: ("forbidden", "无权访问"),
    404: ("not_found", "您访问的页面不存在"),
    405: ("method_not_allowed", "不支持该请求方式"),
    413: ("too_large", "提交的内容过大"),
    415: ("unsupported_media_type", "不支持此内容类型"),
}


class HttpError(XinyongError):
    """A framework HTTP error, carried through the same rendering as ours."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message, code=code)
        self.status = status  # type: ignore[misc]


class InputDataError(InvalidInput):
    code = "input.out_of_range"


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "text/html" not in request.headers.get(
        "accept", ""
    )


def render(
    request: Request, exc: XinyongError, headers: Mapping[str, str] | None = None
) -> Response:
    """The answer to `exc`: JSON for API callers, a Chinese page (or the login) for browsers."""
    if exc.status >= 500:  # noqa: PLR2004
        log.error("request failed", path=request.url.path, code=exc.code)
    if wants_json(request):
        return JSONResponse(exc.as_dict(), status_code=exc.status, headers=headers)
    if isinstance(exc, Unauthenticated):
        return RedirectResponse(f"/admin/login?next={request.url.path}", status_code=303)
    return templates.TemplateResponse(
        request, "errors/error.html", {"error": exc}, status_code=exc.status, headers=headers
    )


def install(app: FastAPI) -> None:
    @app.exception_handler(XinyongError)
    async def _xinyong_error(request: Request, exc: XinyongError) -> Response:
        return render(request, exc)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
        details: list[dict[str, Any]] = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg"), "type": e.get("type")}
            for e in exc.errors()
        ]
        names = sorted({str(d["loc"][-1]) for d in details if d["loc"]})
        fields = "、".join(names)
        catalog = request.app.state.catalogs.current
        shown_names = "、".join(form_field_label(catalog, n) or n for n in names)  # form labels
        if wants_json(request):
            message = f"请求参数不正确（{fields}）" if fields else "请求参数不正确"
        else:
            shown = f"（{shown_names}）" if shown_names else ""
            message = f"提交的内容不完整或格式不正确{shown}，请返回修改后重试"
        error = XinyongError(message, code="invalid_request", details={"errors": details})
        error.status = 422  # type: ignore[misc]
        return render(request, error)

    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, exc: HTTPException) -> Response:
        code, message = HTTP_MESSAGES.get(exc.status_code, ("http_error", "请求未能完成"))
        return render(request, HttpError(exc.status_code, code, message), exc.headers)

    @app.exception_handler(DataError)
    async def _data_error(request: Request, exc: DataError) -> Response:
        return data_error(request, exc)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        """A fault of ours: a Chinese page (JSON for the API), never Starlette's plain text; the
        server still logs the traceback."""
        failed = HttpError(
            500, "internal_error", "系统内部错误，本次操作未完成。请稍后重试，或联系信用办。"
        )
        return render(request, failed)


def data_error(request: Request, exc: DataError) -> Response:
    """A value the database refused (SQLSTATE class 22): the input is at fault, 422."""
    log.warning("input refused by the database", path=request.url.path, error=str(exc.orig))
    return render(request, InputDataError("输入的数值超出范围或含有数据库不接受的字符"))
