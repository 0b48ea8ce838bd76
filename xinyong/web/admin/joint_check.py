"""/admin/check: an officer's 联合奖惩核查 on a page, and the feedback on what was applied.

The business systems check through `POST /api/v1/checks` and feed back through
`POST /api/v1/checks/{check_id}/feedback`; an officer without such a system does the same here:
the same actions (`measures.check`, which logs the check — who, whom, for which matter — and
`measures.record_feedback`, audited), the answer shown in Chinese with each measure's legal basis.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse
from starlette.datastructures import FormData

from xinyong import measures
from xinyong.audit import Actor
from xinyong.catalog import Catalog
from xinyong.enums import Role
from xinyong.errors import XinyongError
from xinyong.web.deps import CurrentCatalog, DbSession, Today, require
from xinyong.web.templating import templates

router = APIRouter(prefix="/admin/check", include_in_schema=False)
Checker = Annotated[Actor, Depends(require(Role.OFFICER, Role.ADMIN))]
Field = Annotated[str, Form(max_length=64)]


def _page(
    request: Request, actor: Actor, catalog: Catalog, *, status: int = 200, **extra: Any
) -> HTMLResponse:
    context = {"actor": actor, "matters": catalog.matters, "answer": None, "error": None,
               "form": {}, "done": None, "pending": None, **extra}  # fmt: skip
    return templates.TemplateResponse(request, "admin/joint_check.html", context, status)


@router.get("", response_class=HTMLResponse)
def check_form(request: Request, actor: Checker, catalog: CurrentCatalog) -> HTMLResponse:
    return _page(request, actor, catalog)


@router.post("", response_class=HTMLResponse)
def run_check(
    request: Request, session: DbSession, actor: Checker, catalog: CurrentCatalog, today: Today,
    code: Field, matter: Field,
) -> HTMLResponse:  # fmt: skip
    """Check one subject for one matter; the answer and its feedback form on one page."""
    form = {"code": code, "matter": matter}
    try:
        with session.begin_nested():
            answer = measures.check(session, code.strip(), matter, catalog=catalog, actor=actor,
                                    today=today)  # fmt: skip
    except XinyongError as exc:
        return _page(request, actor, catalog, status=exc.status, error=exc.message, form=form)
    answered = measures.answered_measures(measures.get_check(session, answer.check_id))
    pending = _pending(answer.check_id, answered, catalog)
    return _page(request, actor, catalog, answer=answer, form=form, pending=pending)


def _pending(check_id: str, answered: dict[str, bool], catalog: Catalog) -> dict[str, Any]:
    """The feedback form: every measure the answer returned, mandatory ones first."""
    rows = [{"id": m, "content": catalog.measures[m].content if m in catalog.measures else m,
             "mandatory": mandatory} for m, mandatory in answered.items()]  # fmt: skip
    return {"check_id": check_id, "measures": sorted(rows, key=lambda r: not r["mandatory"])}


def _items(form: FormData, measure_ids: list[str]) -> list[measures.FeedbackItem]:
    """One item per measure of the answer: `applied-<id>` ticked or not, `reason-<id>`."""
    return [
        measures.FeedbackItem(
            m,
            form.get(f"applied-{m}") == "true",
            str(form.get(f"reason-{m}") or "").strip() or None,
        )
        for m in measure_ids
    ]


@router.post("/{check_id}/feedback", response_class=HTMLResponse)
async def feedback(
    request: Request, session: DbSession, actor: Checker, catalog: CurrentCatalog, today: Today,
    check_id: str,
) -> HTMLResponse:  # fmt: skip
    """实施反馈: for every measure the answer returned, applied or not (a mandatory measure not
    applied needs its reason — `measures.record_feedback` refuses it otherwise)."""
    form = await request.form()
    try:
        answered = measures.answered_measures(measures.get_check(session, check_id))
    except XinyongError as exc:
        return _page(request, actor, catalog, status=exc.status, error=exc.message)
    try:
        with session.begin_nested():
            rows = measures.record_feedback(session, check_id, _items(form, list(answered)),
                                            actor=actor, today=today)  # fmt: skip
    except XinyongError as exc:  # the form again, with what the rule refused
        return _page(request, actor, catalog, status=exc.status, error=exc.message,
                     pending=_pending(check_id, answered, catalog))  # fmt: skip
    return _page(request, actor, catalog, done=_done(check_id, len(rows), today))


def _done(check_id: str, recorded: int, today: date) -> dict[str, Any]:
    return {"check_id": check_id, "recorded": recorded, "on": today}
