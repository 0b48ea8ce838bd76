"""/guide/repair: the public 信用修复 guide — who may apply, when, with what, and how long the
office takes — read from the catalog (disclosure periods, repair time limits and materials), so the
guide never says what the rules do not."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from xinyong.enums import Severity
from xinyong.web.deps import CurrentCatalog, Today
from xinyong.web.templating import templates

router = APIRouter(include_in_schema=False)


@router.get("/guide/repair", response_class=HTMLResponse)
def repair_guide(request: Request, catalog: CurrentCatalog, today: Today) -> HTMLResponse:
    rules = catalog.disclosure_rules
    # the regime that governs decisions made today (the newest one without an end date)
    current = next(
        (r for r in rules.regimes if r.applies_until is None or r.applies_until > today),
        rules.regimes[0],
    )
    ctx = {
        "regime": current,
        "severities": list(Severity),
        "repair": catalog.workflows.repair,
        "objections": catalog.workflows.objections,
    }
    return templates.TemplateResponse(request, "portal/repair_guide.html", ctx)
