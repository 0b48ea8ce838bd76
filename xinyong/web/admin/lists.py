"""Admin pages for lists and checks: procedures in progress, entries, check statistics.

The forms of each procedure step are in `list_steps`."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from xinyong import lists, measures
from xinyong.audit import Actor
from xinyong.catalog import Catalog
from xinyong.enums import ListKind, Role
from xinyong.lists.revalidation import REASON as VALIDITY_REASON
from xinyong.web.deps import CurrentCatalog, DbSession, Today, require
from xinyong.web.templating import templates

router = APIRouter(prefix="/admin", include_in_schema=False)
Staff = Annotated[Actor, Depends(require(Role.ADMIN, Role.AUDITOR, Role.OFFICER))]
Admin = Annotated[Actor, Depends(require(Role.ADMIN))]


ENTRIES_PAGE = 100


@dataclass(frozen=True)
class EntryFilter:
    """Which entries in force the page shows: by list, source, code or name; 100 a page."""

    list_type: str = ""
    source: str = ""  # "platform" (本平台认定) | "imported" (归集导入) | "" both
    q: str = ""
    page: int = 1

    def keep(self, e: lists.CurrentEntry) -> bool:
        platform = e.hit.source == "platform"
        if self.source and platform != (self.source == "platform"):
            return False
        q = self.q.strip()
        return not q or q in e.subject_name or q.upper() == e.subject_code.upper()

    def url(self, page: int) -> str:
        kept = {k: v for k, v in asdict(self).items() if v not in ("", None) and k != "page"}
        return "/admin/lists?" + urlencode({**kept, "page": page}) + "#entries"


def lists_context(
    session: Session, actor: Actor, catalog: Catalog, today: date, show: EntryFilter | None = None
) -> dict[str, Any]:
    show = show or EntryFilter()
    found = lists.current_entries(
        session, catalog=catalog, today=today, list_type=show.list_type or None
    )
    kept = [e for e in found if show.keep(e)]
    pages = max(1, -(-len(kept) // ENTRIES_PAGE))
    page = min(show.page, pages)
    return {
        "actor": actor,
        "catalog": catalog,
        "today": today,
        "in_progress": lists.in_progress(session),
        "entries": kept[(page - 1) * ENTRIES_PAGE : page * ENTRIES_PAGE],
        "shown": len(kept),
        "show": show,
        "page": page,
        "pages": pages,
        "all_types": list(catalog.list_types.values()),
        "types": [lt for lt in catalog.list_types.values() if lt.kind != ListKind.IMPORTED],
        "error": None,
        "form": {},
    }


@router.get("/lists", response_class=HTMLResponse)
def lists_page(
    request: Request, session: DbSession, actor: Staff, catalog: CurrentCatalog, today: Today,
    list_type: str = Query("", max_length=64), source: str = Query("", max_length=16),
    q: str = Query("", max_length=100), page: int = Query(1, ge=1, le=100_000),
) -> HTMLResponse:  # fmt: skip
    show = EntryFilter(list_type if list_type in catalog.list_types else "", source, q, page)
    ctx = lists_context(session, actor, catalog, today, show)
    return templates.TemplateResponse(request, "admin/lists.html", ctx)


def _validity_page(
    request: Request, session: Session, actor: Actor, catalog: Catalog, done: int | None = None
) -> HTMLResponse:
    """The entries whose stored end `lists.recompute_validity` would correct (a dry run)."""
    found = lists.recompute_validity(session, catalog=catalog, actor=actor, dry_run=True)
    ctx = {"actor": actor, "found": found, "done": done, "reason": VALIDITY_REASON,
           "titles": {k: lt.title for k, lt in catalog.list_types.items()}}  # fmt: skip
    return templates.TemplateResponse(request, "admin/list_validity.html", ctx)


@router.get("/lists/validity", response_class=HTMLResponse)
def validity_page(
    request: Request, session: DbSession, actor: Admin, catalog: CurrentCatalog
) -> HTMLResponse:
    return _validity_page(request, session, actor, catalog)


@router.post("/lists/validity", response_class=HTMLResponse)
def validity_run(
    request: Request, session: DbSession, actor: Admin, catalog: CurrentCatalog
) -> HTMLResponse:
    """重算有效期: the same action as `xinyong lists recompute-validity`, one audit row each."""
    corrected = lists.recompute_validity(session, catalog=catalog, actor=actor)
    return _validity_page(request, session, actor, catalog, done=len(corrected))


@router.get("/checks", response_class=HTMLResponse)
def checks_page(
    request: Request, session: DbSession, actor: Staff, catalog: CurrentCatalog, today: Today
) -> HTMLResponse:
    stats = measures.check_stats(session, today=today)
    peak = max([n for _d, n in stats.per_day] + [1])
    ctx = {"actor": actor, "stats": stats, "peak": peak, "matters": catalog.matters}
    return templates.TemplateResponse(request, "admin/checks.html", ctx)
