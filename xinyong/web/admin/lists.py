"""Admin pages for lists and checks: procedures in progress, entries, check statistics.

The forms of each procedure step are in `list_steps`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from xinyong import lists, measures
from xinyong.audit import Actor
from xinyong.catalog import Catalog
from xinyong.db import keyset
from xinyong.enums import ListKind, Role
from xinyong.lists.revalidation import REASON as VALIDITY_REASON
from xinyong.web.deps import CurrentCatalog, DbSession, Today, require
from xinyong.web.paging import pager_links
from xinyong.web.templating import templates

router = APIRouter(prefix="/admin", include_in_schema=False)
Staff = Annotated[Actor, Depends(require(Role.ADMIN, Role.AUDITOR, Role.OFFICER))]
Admin = Annotated[Actor, Depends(require(Role.ADMIN))]


@dataclass(frozen=True)
class EntryFilter:
    """Which entries in force the page shows: by list, source, code or name; 100 a page read in
    the query after the position `after` (or just before `before`)."""

    list_type: str = ""
    source: str = ""  # "platform" (本平台认定) | "imported" (归集导入) | "" both
    q: str = ""
    page: int = 1
    after: str | None = None
    before: str | None = None

    def query(self) -> lists.EntryQuery:
        return lists.EntryQuery(list_type=self.list_type or None, source=self.source, q=self.q)

    def params(self) -> dict[str, str]:
        return {"list_type": self.list_type, "source": self.source, "q": self.q}


def lists_context(
    session: Session, actor: Actor, catalog: Catalog, today: date, show: EntryFilter | None = None
) -> dict[str, Any]:
    show = show or EntryFilter()
    query = show.query()
    found = lists.entries_page(
        session, catalog=catalog, today=today, query=query, page=show.page,
        after=keyset.decode(show.after, query.key_kinds),
        before=keyset.decode(show.before, query.key_kinds),
    )  # fmt: skip
    return {
        "actor": actor,
        "catalog": catalog,
        "today": today,
        "in_progress": lists.in_progress(session),
        "entries": found.entries,
        "found": found,
        "show": show,
        "pager": pager_links("/admin/lists", show.params(), show.page, found, "#entries"),
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
    after: str | None = Query(None, max_length=keyset.MAX_POSITION),
    before: str | None = Query(None, max_length=keyset.MAX_POSITION),
) -> HTMLResponse:  # fmt: skip
    source = source if source in ("platform", "imported") else ""
    show = EntryFilter(list_type if list_type in catalog.list_types else "", source, q, page,
                       after, before)  # fmt: skip
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
