"""The Jinja2 environment shared by portal and admin pages."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from markupsafe import Markup

from xinyong import identifiers

templates = Jinja2Templates(directory=str(Path(__file__).resolve().parent / "templates"))
templates.env.filters["mask"] = identifiers.mask_code
templates.env.globals["site_title"] = "信用示范区"


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
