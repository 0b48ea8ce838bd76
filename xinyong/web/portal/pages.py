"""Public portal pages: home with one search box, results, subject page."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from xinyong import subjects
from xinyong.web.deps import DbSession
from xinyong.web.templating import templates

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, session: DbSession) -> HTMLResponse:
    count = subjects.count_subjects(session)
    return templates.TemplateResponse(request, "portal/home.html", {"subject_count": count})


@router.get("/search", response_class=HTMLResponse)
def search(
    request: Request, session: DbSession, q: str = Query("", max_length=100)
) -> HTMLResponse:
    found = [subjects.public_view(s) for s in subjects.search(session, q, limit=50)]
    return templates.TemplateResponse(request, "portal/search.html", {"q": q, "results": found})


@router.get("/subjects/{code}", response_class=HTMLResponse)
def subject_page(request: Request, session: DbSession, code: str) -> HTMLResponse:
    view = subjects.public_view(subjects.get_by_code(session, code))
    return templates.TemplateResponse(request, "portal/subject.html", {"s": view})
