"""The input layer every route shares: ids in paths, text without control characters, JSON bodies.

What a caller typed is checked here, once, before any domain code or the database sees it, so a
malformed request is answered with a Chinese 4xx and never reaches the driver as a 500:
- `RowId`: an id in a path is a positive integer a database row can have (1 … MAX_ROW_ID);
- `ControlCharacterGuard`: no NUL or other C0 control character in a path or query string (a
  PostgreSQL text value cannot hold NUL, and none belongs in a search or a code);
- `json_body`: a JSON request body parsed and validated into a model, each fault named;
- `KEYSET` / `keyset`: a next-page link's position (the last row's decision date and id);
  `ARCHIVE_KEYSET` / `archive_keyset` / `position`: the same, or `undated.<id>` for an undated row.
"""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Annotated, Any, TypeVar
from urllib.parse import unquote_to_bytes

from fastapi import Path, Request
from pydantic import BaseModel, ValidationError
from starlette.types import ASGIApp, Receive, Scope, Send

from xinyong.db.base import MAX_ROW_ID
from xinyong.errors import InvalidInput
from xinyong.web import errors

M = TypeVar("M", bound=BaseModel)

RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID, description="编号（正整数）")]
KEYSET = r"^\d{4}-\d{2}-\d{2}\.\d{1,18}$"  # a next-page link's keyset: the last row's date.id


def keyset(text: str | None) -> tuple[date, int] | None:
    """The next page's keyset from its link (`2026-06-01.1234`: the last row's date and id; the
    query parameter already matched `KEYSET`)."""
    if not text:
        return None
    day, _, last = text.partition(".")
    try:
        return date.fromisoformat(day), int(last)
    except ValueError:
        raise InvalidInput(f"翻页位置格式应为 YYYY-MM-DD.编号，收到“{text}”") from None


UNDATED = "undated"  # the date part of an undated record's keyset (the full archive view)
ARCHIVE_KEYSET = r"^(\d{4}-\d{2}-\d{2}|undated)\.\d{1,18}$"  # KEYSET, or an undated row's


def archive_keyset(text: str | None) -> tuple[date | None, int] | None:
    """A full-archive page's keyset (`ARCHIVE_KEYSET`): the date None for `undated.1234`."""
    if text and text.startswith(f"{UNDATED}."):
        return None, int(text.partition(".")[2])
    return keyset(text)


def position(key: tuple[date | None, int] | None) -> str | None:
    """A keyset as its link text (`2026-06-01.1234`, `undated.1234`), as `archive_keyset` reads
    it."""
    if key is None:
        return None
    return f"{UNDATED if key[0] is None else key[0].isoformat()}.{key[1]}"


# C0 controls except tab, line feed and carriage return (which forms legitimately carry), and DEL
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class ControlCharacter(InvalidInput):
    code = "input.control_character"
    status = 400


class BadJson(InvalidInput):
    code = "input.bad_json"


def refuse_control_characters(text: str, *, field: str) -> str:
    """The text unchanged, or ControlCharacter when it holds NUL or another control character."""
    if _CONTROL.search(text.encode("utf-8", "surrogatepass")):
        raise _control_error(field)
    return text


def _control_error(field: str) -> ControlCharacter:
    return ControlCharacter(
        f"{field}中含有不可见的控制字符（如 NUL），请删除后重试", details={"field": field}
    )


class ControlCharacterGuard:
    """ASGI middleware: a path or query string with a control character is refused with 400."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            raw_path = scope.get("raw_path") or scope["path"].encode("utf-8", "surrogatepass")
            for part, field in ((raw_path, "地址"), (scope.get("query_string", b""), "查询参数")):
                if _CONTROL.search(unquote_to_bytes(part)):
                    response = errors.render(Request(scope), _control_error(field))
                    await response(scope, receive, send)
                    return
        await self.app(scope, receive, send)


async def json_body(request: Request, model: type[M]) -> M:
    """The body as `model`; an empty, non-JSON or mistyped body is a 422 naming each fault."""
    raw = await request.body()
    if not raw.strip():
        raise BadJson("请求体为空：请以 JSON 对象提交", details={"expected": model.__name__})
    try:
        data: Any = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadJson(f"请求体不是合法的 JSON：{exc}") from None
    if not isinstance(data, dict):
        raise BadJson("请求体应为 JSON 对象（{…}），收到的是" + _json_kind(data))
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        faults = [{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in exc.errors()]
        where = "、".join(".".join(str(p) for p in f["loc"]) or "请求体" for f in faults[:5])
        raise BadJson(f"请求体字段不正确：{where}", details={"errors": faults}) from None


def _json_kind(data: object) -> str:
    kinds = {list: "数组", str: "字符串", int: "数字", float: "数字", bool: "布尔值"}
    return kinds.get(type(data), "空值")


def checked(value: str | None) -> bool:
    """A checkbox or yes/no form field: ticked ("1", "true", "on", "yes") or not."""
    return value in {"1", "true", "on", "yes"}
