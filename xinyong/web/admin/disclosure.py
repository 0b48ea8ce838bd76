"""Admin: /admin/disclosure/reclassify — after a severity table changes, the credit office sees
what classifying the stored penalties again would change (versions per class, from which
severity class to which) and then runs it as a background run (`runs.start("reclassify")`):
`disclosure.reclassify.run` committing each batch, the same as `xinyong disclosure reclassify`,
followed on the run's page."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session

from xinyong import clock, runs
from xinyong.audit import Actor
from xinyong.catalog import Catalog
from xinyong.disclosure import reclassify
from xinyong.enums import Role
from xinyong.web.deps import CurrentCatalog, DbSession, require
from xinyong.web.run_session import RunSession
from xinyong.web.templating import templates

router = APIRouter(prefix="/admin/disclosure", include_in_schema=False)
Admin = Annotated[Actor, Depends(require(Role.ADMIN))]


def _page(
    request: Request, session: Session, actor: Actor, catalog: Catalog, **extra: Any
) -> HTMLResponse:
    shifts = reclassify.preview(session.connection(), catalog, actor=actor)
    context = {
        "actor": actor,
        "shifts": shifts,
        "total": sum(s.count for s in shifts),
        "changing": sum(s.count for s in shifts if s.before is not None and s.before != s.after),
        "catalog_version": catalog.short_version,
        **extra,
    }
    return templates.TemplateResponse(request, "admin/reclassify.html", context)


@router.get("/reclassify", response_class=HTMLResponse)
def reclassify_page(
    request: Request, session: DbSession, actor: Admin, catalog: CurrentCatalog
) -> HTMLResponse:
    return _page(request, session, actor, catalog)


@router.post("/reclassify")
def reclassify_run(session: RunSession, actor: Admin) -> RedirectResponse:
    """Queue the run (one already waiting or running is shown instead) and go to its page."""
    run, _new = runs.start(session, runs.RECLASSIFY, actor=actor, now=clock.now(),
                           reason="按当前目录重新分类行政处罚严重程度")  # fmt: skip
    return RedirectResponse(f"/admin/runs/{run.id}", status_code=303)
