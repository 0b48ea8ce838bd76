"""Admin: /admin/disclosure/reclassify — after a severity table changes, the credit office sees
what classifying the stored penalties again would change (versions per class, from which
severity class to which) and then runs it: `disclosure.reclassify.preview` / `run`, the same
as `xinyong disclosure reclassify`, one audit row for the run."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from xinyong.audit import Actor
from xinyong.catalog import Catalog
from xinyong.disclosure import reclassify
from xinyong.enums import Role
from xinyong.web.deps import CurrentCatalog, DbSession, require
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
        "outcome": None,
        **extra,
    }
    return templates.TemplateResponse(request, "admin/reclassify.html", context)


@router.get("/reclassify", response_class=HTMLResponse)
def reclassify_page(
    request: Request, session: DbSession, actor: Admin, catalog: CurrentCatalog
) -> HTMLResponse:
    return _page(request, session, actor, catalog)


@router.post("/reclassify", response_class=HTMLResponse)
def reclassify_run(
    request: Request, session: DbSession, actor: Admin, catalog: CurrentCatalog
) -> HTMLResponse:
    """Runs it in the request's transaction with its audit row (the CLI commits per batch of
    5,000 instead: for a whole archive, use `xinyong disclosure reclassify`), then shows what is
    left (nothing)."""
    outcome = reclassify.run(session, catalog, actor=actor, commit_batches=False)
    return _page(request, session, actor, catalog, outcome=outcome)
