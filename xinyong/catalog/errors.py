"""Catalog errors: each names the file, the key (dotted path) and the reason, in Chinese."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from xinyong.errors import ConfigurationError

MAX_SHOWN = 5
MAX_REPR = 40

_REASONS = {
    "extra_forbidden": "不允许的键",
    "missing": "缺少必填键",
    "literal_error": "取值不在允许范围内",
    "enum": "取值不在允许范围内",
    "string_pattern_mismatch": "格式不符（须为小写英文字母开头的 snake_case 标识）",
    "too_short": "不能为空",
    "too_long": "过长",
    "greater_than": "数值过小",
    "greater_than_equal": "数值过小",
    "less_than": "数值过大",
    "less_than_equal": "数值过大",
    "frozen_instance": "不可修改",
}


class CatalogError(ConfigurationError):
    """A catalog or calendar file is missing, malformed, or refers to something not there."""

    code = "catalog.invalid"

    def __init__(
        self,
        file: str,
        key: str,
        reason: str,
        *,
        issues: Sequence[tuple[str, str]] = (),
    ) -> None:
        more = [f"{k or '（文件顶层）'}：{r}" for k, r in issues[1:MAX_SHOWN]]
        extra = f"；另有：{'；'.join(more)}" if more else ""
        if len(issues) > MAX_SHOWN:
            extra += f" 等共 {len(issues)} 处问题"
        where = f"键 {key}" if key else "文件顶层"
        super().__init__(
            f"目录文件 {file} 有误：{where}：{reason}{extra}",
            details={
                "file": file,
                "key": key,
                "reason": reason,
                "issues": [{"key": k, "reason": r} for k, r in issues]
                or [{"key": key, "reason": reason}],
            },
        )
        self.file = file
        self.key = key
        self.reason = reason

    @classmethod
    def from_issues(cls, file: str, issues: Sequence[tuple[str, str]]) -> CatalogError:
        key, reason = issues[0]
        return cls(file, key, reason, issues=issues)

    @classmethod
    def from_validation(cls, file: str, exc: ValidationError, *, prefix: str = "") -> CatalogError:
        return cls.from_issues(
            file, [(_join(prefix, dotted(e["loc"])), reason(e)) for e in exc.errors()]
        )


class CatalogEntryNotFound(CatalogError):
    """An entry (info class, list type …) was asked for by an id the catalog does not have (404)."""

    code = "catalog.not_found"
    status = 404

    def __init__(self, kind: str, wanted: str, known: Sequence[str]) -> None:
        known_text = "、".join(sorted(known)) or "（无）"
        ConfigurationError.__init__(
            self,
            f"没有 id 为“{wanted}”的{kind}。已有：{known_text}",
            details={"kind": kind, "id": wanted, "known": sorted(known)},
        )
        self.file = "(catalog)"
        self.key = wanted
        self.reason = f"没有 id 为“{wanted}”的{kind}"


def dotted(loc: Sequence[int | str]) -> str:
    """('fields', 3, 'code_table') → 'fields[3].code_table'."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _join(prefix: str, key: str) -> str:
    if not prefix:
        return key
    if not key or key.startswith("["):
        return f"{prefix}{key}"
    return f"{prefix}.{key}"


def reason(error: ErrorDetails) -> str:
    """A Chinese reason for one pydantic error."""
    kind = error["type"]
    ctx: dict[str, Any] = dict(error.get("ctx") or {})
    if kind == "value_error" and "error" in ctx:
        return str(ctx["error"])
    if kind in ("literal_error", "enum"):
        return (
            f"取值不在允许范围内（允许：{ctx.get('expected', '')}，实际：{_show(error['input'])}）"
        )
    if kind in _REASONS:
        return _REASONS[kind]
    if kind.endswith(("_type", "_parsing")) or kind.startswith(("date_", "datetime_")):
        return f"类型不符（{error['msg']}，实际：{_show(error['input'])}）"
    return str(error["msg"])


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= MAX_REPR else text[: MAX_REPR - 3] + "..."
