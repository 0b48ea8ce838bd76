"""GET /api/docs: Swagger UI for the OpenAPI document, served entirely from the package.

The assets are swagger-ui-dist, vendored under static/vendor/swagger-ui (see VERSION.txt there),
started by static/api-docs.js: the page works offline and under the CSP (no inline script).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from xinyong.web.templating import csrf_token, templates

router = APIRouter(include_in_schema=False)


@router.get("/api/docs", response_class=HTMLResponse)
def api_docs(request: Request) -> HTMLResponse:
    ctx = {
        "title": request.app.title,
        "openapi_url": request.app.openapi_url,
        "csrf_token": csrf_token(request),
    }
    return templates.TemplateResponse(request, "api_docs.html", ctx)
