"""Admin: the two-step related-party graph around a subject (officers), as a chart and a table."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from xinyong import related_parties, subjects
from xinyong.audit import Actor
from xinyong.web.deps import DbSession, require
from xinyong.web.templating import templates

router = APIRouter(prefix="/admin", include_in_schema=False)
Officer = Annotated[Actor, Depends(require(*related_parties.GRAPH_ROLES))]


@router.get("/related", response_class=HTMLResponse)
def related_graph(
    request: Request, session: DbSession, actor: Officer, code: str = Query("", max_length=40)
) -> HTMLResponse:
    ctx: dict[str, object] = {"actor": actor, "code": code, "graph": None, "subject": None}
    if code.strip():
        subject = subjects.get_by_ref(session, code)
        graph = related_parties.graph(session, subject, actor=actor)
        names = {n["id"]: n["name"] for n in graph["nodes"]}
        ctx |= {
            "subject": subjects.public_view(subject),
            "graph": graph,
            "graph_json": json.dumps(graph, ensure_ascii=False).replace("<", "\\u003c"),
            "names": names,
        }
    return templates.TemplateResponse(request, "admin/related.html", ctx)
