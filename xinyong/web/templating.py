"""The Jinja2 environment shared by portal and admin pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from xinyong import identifiers
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
templates.env.globals["site_title"] = "信用示范区"
templates.env.globals["title"] = title  # Chinese title of an internal code (web/titles.py)


def _csrf_field() -> Markup:
    """Hidden CSRF input that every POST form renders: `{{ csrf_field() }}`."""
    return Markup("")


templates.env.globals["csrf_field"] = _csrf_field
