"""The Jinja2 environment shared by portal and admin pages."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from markupsafe import Markup

from xinyong import clock, enums, identifiers
from xinyong.lists.steps import Stage
from xinyong.web.titles import title

templates = Jinja2Templates(directory=str(Path(__file__).resolve().parent / "templates"))
templates.env.filters["mask"] = identifiers.mask_code


def plain(value: Any) -> str:
    """A stored value as a clerk reads it: lists joined with 、, nothing shown as None."""
    if value is None or value == "":
        return "—"
    if isinstance(value, list | tuple | set):
        return "、".join(plain(v) for v in value) or "—"
    if isinstance(value, dict):
        return "；".join(f"{k}：{plain(v)}" for k, v in value.items()) or "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


templates.env.filters["plain"] = plain


def beijing(at: datetime | str | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored UTC time as a clerk reads it, in Beijing time (`clock.in_beijing`); also the
    ISO text an API document carries (`audit.jsonable`, "…Z")."""
    if at is None or at == "":
        return "—"
    when = datetime.fromisoformat(at) if isinstance(at, str) else at
    return clock.in_beijing(when).strftime(fmt)


templates.env.filters["beijing"] = beijing
templates.env.globals["site_title"] = "信用示范区"
templates.env.globals["title"] = title  # Chinese title of an internal code (web/titles.py)
# Every status enum, so a template compares with the member, never a bare string
# (`{% if app.status == RepairStatus.SUBMITTED %}`; tests/test_architecture.py holds it).
STATUS_ENUMS = {
    name: value
    for name, value in vars(enums).items()
    if isinstance(value, type) and issubclass(value, StrEnum) and value.__module__ == enums.__name__
}
templates.env.globals.update(STATUS_ENUMS)
templates.env.globals["RunStatus"] = enums.RunStatus  # a background run (xinyong/runs)
templates.env.globals["Stage"] = Stage  # a list entry's stage (`entry.stage != Stage.EXITED`)


def csrf_token(request: Request | None) -> str:
    """The CSRF token of this request (issued by the CSRF middleware, `web/security.py`); empty
    when the page is rendered outside the app (no middleware, nothing will check it)."""
    issue = request.scope.get("csrftoken") if request is not None else None
    return str(issue()) if callable(issue) else ""


@pass_context
def _csrf_field(context: Mapping[str, Any]) -> Markup:
    """Hidden CSRF input that every POST form renders first: `{{ csrf_field() }}`."""
    token = csrf_token(context.get("request"))
    return Markup('<input type="hidden" name="csrftoken" value="{}">').format(token)


templates.env.globals["csrf_field"] = _csrf_field


PROVISIONAL_NOTE = (
    "该年的放假安排国务院尚未公布：期限按《全国年节及纪念日放假办法》推算，正式安排公布后不会提前"
)


@pass_context
def _deadline(context: Mapping[str, Any], day: date | None) -> Markup:
    """A working-day deadline, marked 暂定 when it lies in a provisional calendar year:
    `{{ app.decide_due|deadline }}`; "—" when there is none."""
    if day is None:
        return Markup("—")
    request = context.get("request")
    calendar = getattr(request.app.state, "calendar", None) if request is not None else None
    if calendar is None or not calendar.is_provisional(day):
        return Markup("{}").format(day.isoformat())
    return Markup('{}<span class="provisional" title="{}">（暂定）</span>').format(
        day.isoformat(), PROVISIONAL_NOTE
    )


templates.env.filters["deadline"] = _deadline
