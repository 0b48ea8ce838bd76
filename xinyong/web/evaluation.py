"""Evaluation surfaces: `GET /api/v1/subjects/{code}/evaluation`, the admin grade distribution
(`/admin/evaluation`), and the 信用评价 parts of the subject page and /me.

`register(app)` includes the routers and turns on re-evaluation of changed subjects for this
process (`evaluation.install`), with the app's current catalog and today.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from xinyong import clock, evaluation, subjects
from xinyong.audit import ANONYMOUS, Actor
from xinyong.catalog import Catalog
from xinyong.db.tables import Subject
from xinyong.enums import Role
from xinyong.evaluation import access, engine
from xinyong.financing import outcomes
from xinyong.web.deps import CurrentActor, CurrentCatalog, DbSession, Today, require
from xinyong.web.templating import templates

api = APIRouter(tags=["信用评价"])
admin = APIRouter(prefix="/admin", include_in_schema=False)
Staff = Annotated[Actor, Depends(require(Role.ADMIN, Role.AUDITOR, Role.OFFICER))]


@api.get("/subjects/{code}/evaluation", summary="主体的公共信用综合评价")
def subject_evaluation(
    code: str, session: DbSession, catalog: CurrentCatalog, today: Today, actor: CurrentActor
) -> dict[str, Any]:
    """The subject itself and authorities get the full explanation and what would change the
    grade; anyone else only what the model makes public."""
    subject = subjects.get_by_code(session, code)
    return access.read_evaluation(
        session, subject, actor=actor, catalog=catalog, today=today, surface="api"
    )


def portal_context(
    session: Session, subject: Subject, catalog: Catalog, today: date
) -> dict[str, Any]:
    """For the subject page's 信用评价 tab: what the public may see."""
    return {
        "evaluation": access.read_evaluation(
            session, subject, actor=ANONYMOUS, catalog=catalog, today=today, surface="portal"
        )
    }


def me_context(
    session: Session, subject: Subject, actor: Actor, catalog: Catalog, today: date
) -> dict[str, Any]:
    """For /me: the full explanation and what would change the grade."""
    return {
        "evaluation": access.read_evaluation(
            session, subject, actor=actor, catalog=catalog, today=today, surface="me"
        )
    }


@admin.get("/evaluation", response_class=HTMLResponse)
def distribution_page(
    request: Request,
    session: DbSession,
    catalog: CurrentCatalog,
    actor: Staff,
    model: str = "enterprise",
) -> HTMLResponse:
    models = evaluation.models_for(catalog)
    loaded = models.get(model)
    rows = engine.grade_distribution(session, loaded)
    grades = [g.grade for g in loaded.model.grades]
    by_sector: dict[str, dict[str, int]] = {}
    by_region: dict[str, dict[str, int]] = {}
    for r in rows:
        for key, table in ((r["sector"], by_sector), (r["region"], by_region)):
            table.setdefault(key, dict.fromkeys(grades, 0))[r["grade"]] += r["len"]
    chart = {"grades": grades, "by_sector": by_sector, "by_region": by_region}
    context = {
        "actor": actor,
        "models": models.models.values(),
        "loaded": loaded,
        "rows": rows,
        "grades": grades,
        "by_sector": by_sector,
        "by_region": by_region,
        "run": rows[0] if rows else None,
        "chart_json": json.dumps(chart, ensure_ascii=False),
    }
    return templates.TemplateResponse(request, "admin/evaluation.html", context)


def after_batch(session: Session, batch_id: int | None, *, catalog: Catalog, today: date) -> None:
    """Re-grade the subjects a stored batch touched (collection writes past the session), and
    raise 贷中预警 for the lenders of borrowers it gave a serious record."""
    if batch_id is not None:
        evaluation.reevaluate_batch(session, batch_id, catalog=catalog, today=today)
        outcomes.alerts_for_batch(session, batch_id, catalog=catalog, today=today)
        session.commit()


@admin.get("/evaluation/subjects", response_class=HTMLResponse)
def subject_page(
    request: Request,
    session: DbSession,
    catalog: CurrentCatalog,
    today: Today,
    actor: Staff,
    code: str = "",
) -> HTMLResponse:
    """Officers: a subject's full evaluation and its supervision class in every sector (without a
    code: the form that asks for one)."""
    if not code.strip():
        return templates.TemplateResponse(
            request, "admin/evaluation_subject.html", {"actor": actor, "evaluation": None}
        )
    subject = subjects.get_by_code(session, code.strip())
    found = access.read_evaluation(
        session, subject, actor=actor, catalog=catalog, today=today, surface="admin"
    )
    context = {"actor": actor, "evaluation": found}
    return templates.TemplateResponse(request, "admin/evaluation_subject.html", context)


def register(app: FastAPI) -> None:
    app.include_router(api, prefix="/api/v1")
    app.include_router(admin)
    settings = app.state.settings

    def context() -> tuple[Catalog, date]:
        return app.state.catalogs.current, settings.today or clock.today()

    evaluation.install(context)
