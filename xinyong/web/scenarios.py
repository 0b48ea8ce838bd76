"""信易+ surfaces: the partner page /partner/ (verify by code or by scanning a 信用码 with the
phone camera; a photo is the fallback), the public scenario list /scenarios, the office's counts
/admin/scenarios, and the API `GET /api/v1/scenarios`, `POST /api/v1/scenarios/{id}/verifications`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Form, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from xinyong import auth
from xinyong.audit import Actor
from xinyong.enums import Role
from xinyong.errors import NotFound
from xinyong.scenarios import catalog as scenario_catalog
from xinyong.scenarios import verify as verifying
from xinyong.web.deps import CurrentActor, CurrentCatalog, DbSession, Today, require
from xinyong.web.openapi import ERROR_RESPONSES
from xinyong.web.templating import templates

partner = APIRouter(prefix="/partner", include_in_schema=False)
pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1/scenarios", tags=["信易+"])
Partner = Annotated[Actor, Depends(require(Role.PARTNER))]
Office = Annotated[Actor, Depends(require(Role.ADMIN))]


def _partner_context(session: Any, actor: Actor) -> dict[str, Any]:
    registered = verifying.partners_of(session, actor)
    scenarios = scenario_catalog.load()
    return {
        "actor": actor,
        "partners": registered,
        "scenarios": {p.scenario_id: scenarios.get(p.scenario_id) for p in registered},
        "recent": verifying.recent(session, [p.id for p in registered]),
    }


@partner.get("/", response_class=HTMLResponse)
def partner_page(request: Request, session: DbSession, actor: Partner) -> HTMLResponse:
    ctx = _partner_context(session, actor) | {"verdict": None}
    return templates.TemplateResponse(request, "scenarios/partner.html", ctx)


@partner.post("/verify", response_class=HTMLResponse)
def partner_verify(
    request: Request,
    session: DbSession,
    actor: Partner,
    catalog: CurrentCatalog,
    today: Today,
    scenario: Annotated[str, Form()],
    code: Annotated[str, Form()] = "",
    method: Annotated[str, Form()] = "code",
) -> HTMLResponse:
    verdict = verifying.verify(
        session, scenario_catalog.load(), scenario, code, method=method, actor=actor,
        catalog=catalog, today=today,
    )  # fmt: skip
    ctx = _partner_context(session, actor) | {"verdict": verdict, "chosen": scenario}
    return templates.TemplateResponse(request, "scenarios/partner.html", ctx)


@pages.get("/scenarios", response_class=HTMLResponse)
def scenarios_page(request: Request, actor: CurrentActor) -> HTMLResponse:
    ctx = {"actor": actor, "scenarios": scenario_catalog.load().scenarios}
    return templates.TemplateResponse(request, "scenarios/list.html", ctx)


@pages.get("/admin/scenarios", response_class=HTMLResponse)
def admin_page(request: Request, session: DbSession, actor: Office) -> HTMLResponse:
    ctx = {
        "actor": actor,
        "scenarios": scenario_catalog.load().scenarios,
        "counts": verifying.counts(session),
    }
    return templates.TemplateResponse(request, "scenarios/admin.html", ctx)


@pages.post("/admin/scenarios/partners", response_class=HTMLResponse)
def admin_register_partner(
    request: Request,
    session: DbSession,
    actor: Office,
    scenario: Annotated[str, Form()],
    name: Annotated[str, Form()],
    username: Annotated[str, Form()],
) -> HTMLResponse:
    user = auth.find_user(session, username.strip())
    if user is None:
        raise NotFound(f"用户“{username}”不存在", code="auth.user_not_found")
    verifying.register_partner(
        session, scenario_catalog.load().get(scenario), name, user, actor=actor
    )
    return admin_page(request, session, actor)


class VerifyIn(BaseModel):
    code: str = Field(description="统一社会信用代码，或扫描信用码得到的文本")
    method: str = Field(default="code", description="code | qr")


@api.get("", summary="信易+ 场景目录")
def api_scenarios() -> dict[str, Any]:
    return {"scenarios": [s.as_dict() for s in scenario_catalog.load().scenarios]}


@api.post("/{scenario_id}/verifications", summary="合作方核验主体是否符合场景条件")
def api_verify(
    scenario_id: str,
    body: VerifyIn,
    session: DbSession,
    actor: Partner,
    catalog: CurrentCatalog,
    today: Today,
) -> dict[str, Any]:
    verdict = verifying.verify(
        session, scenario_catalog.load(), scenario_id, body.code, method=body.method,
        actor=actor, catalog=catalog, today=today,
    )  # fmt: skip
    return verdict.as_dict()


def register(app: FastAPI) -> None:
    for router in (partner, pages):
        app.include_router(router)
    app.include_router(api, responses=ERROR_RESPONSES)
