"""The wall screen (信用大屏): /screen, full screen, refreshing itself from /screen/data.json.

Public and anonymous: aggregate figures only (see indicators/screen.py). The figures are the
public section of the month's stored dashboard (`indicators.dashboard.screen`), read as stored
(recomputed by `xinyong jobs run dashboard`, never by a reader) and shown with the time they were
computed.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse

from xinyong import indicators
from xinyong.indicators import dashboard
from xinyong.web.deps import CurrentCatalog, DbSession, Today
from xinyong.web.templating import templates

router = APIRouter(include_in_schema=False)
REFRESH_SECONDS = 60  # how often the page asks again; the figures change when the job recomputes


def _data(request: Request, session: DbSession, today: Today, catalog: CurrentCatalog) -> Any:
    settings = request.app.state.settings
    definitions = indicators.load(settings.catalog_dir, settings.catalog_override_dir)
    period = indicators.Period.of(None, today=today, catalog=catalog)
    return dashboard.screen(session, definitions, period)


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
