"""What the OpenAPI document says about every API route beyond its own signature: the error body
and the 4xx answers any route may give (the security schemes come from `deps._actor`)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class ErrorOut(BaseModel):
    """Every error answer of the API: a stable code, a Chinese message, details."""

    error: str = Field(description="稳定的错误代码，如 subjects.not_found")
    message: str = Field(description="中文说明")
    details: dict[str, Any] = Field(default_factory=dict)


def _answer(text: str) -> dict[str, Any]:
    return {"model": ErrorOut, "description": text}


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _answer("请求格式不正确（如含控制字符）"),
    401: _answer("未登录或接口密钥无效"),
    403: _answer("无权执行此操作"),
    404: _answer("未找到"),
    422: _answer("输入不正确"),
}
