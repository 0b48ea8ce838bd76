"""The wall screen (信用大屏): /screen, full screen, refreshing itself from /screen/data.json.

Public and anonymous: aggregate figures only (see indicators/screen.py). The JSON is computed at
most once a minute per process, however many screens poll it.
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse

from xinyong import indicators
from xinyong.indicators.screen import screen_data
from xinyong.web.deps import CurrentCatalog, DbSession, Today
from xinyong.web.templating import templates

router = APIRouter(include_in_schema=False)
REFRESH_SECONDS = 60
_lock = threading.Lock()


def _data(request: Request, session: DbSession, today: Today, catalog: CurrentCatalog) -> Any:
    state = request.app.state
    key = (today.isoformat(), catalog.version)
    with _lock:
        cached = getattr(state, "screen_cache", None)
        if cached and cached[0] == key and cached[1] > time.monotonic():
            return cached[2]
    settings = state.settings
    definitions = indicators.load(settings.catalog_dir, settings.catalog_override_dir)
    period = indicators.Period.of(None, today=today, catalog=catalog)
    data = screen_data(session, definitions, period)
    with _lock:
        state.screen_cache = (key, time.monotonic() + REFRESH_SECONDS, data)
    return data


@router.get("/screen", response_class=HTMLResponse)
def screen(
    request: Request, session: DbSession, today: Today, catalog: CurrentCatalog
) -> HTMLResponse:
    data = _data(request, session, today, catalog)
    ctx = {"data": data, "data_json": json.dumps(data, ensure_ascii=False),
           "refresh": REFRESH_SECONDS}  # fmt: skip
    return templates.TemplateResponse(request, "portal/screen.html", ctx)


@router.get("/screen/data.json")
def screen_json(
    request: Request, session: DbSession, today: Today, catalog: CurrentCatalog
) -> JSONResponse:
    return JSONResponse(_data(request, session, today, catalog))
