"""Admin forms for every step of a list procedure: propose, notice, delivery, statement,
approval, decision, publication, exit.

Each POST runs the domain action inside a savepoint. A refusal (the Chinese message the action
raises) is shown on the entry's page beside the forms, never as JSON; success redirects back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile as StarletteUpload

from xinyong import lists, subjects
from xinyong.audit import Actor
from xinyong.catalog import Catalog
from xinyong.clock import Calendar
from xinyong.enums import ListStep, Role
from xinyong.errors import InvalidInput, NotFound, XinyongError
from xinyong.web.admin.lists import lists_context
from xinyong.web.deps import CurrentCalendar, CurrentCatalog, DbSession, Today, require
from xinyong.web.inputs import RowId
from xinyong.web.templating import templates

router = APIRouter(prefix="/admin/lists", include_in_schema=False)
Staff = Annotated[Actor, Depends(require(Role.ADMIN, Role.AUDITOR, Role.OFFICER))]
Officer = Annotated[Actor, Depends(require(Role.ADMIN, Role.OFFICER))]
Text = Annotated[str, Form()]
Files = Annotated[list[UploadFile] | None, File()]
STEP_TITLES: dict[str, str] = {
    ListStep.PROPOSAL: "提出拟列入",
    ListStep.EVIDENCE: "证据材料",
    ListStep.PRIOR_NOTICE: "事前告知",
    ListStep.PUBLICITY: "拟列入公示",
    ListStep.DELIVERY: "送达",
    ListStep.STATEMENT: "陈述申辩及答复",
    ListStep.APPROVAL: "报批",
    ListStep.DECISION: "认定决定",
    ListStep.PUBLICATION: "公布",
    ListStep.EXIT: "移出",
    ListStep.PUBLICITY_OBJECTION: "公示异议",
}
DETAIL_LABELS = {
    "facts": "事实",
    "filename": "文件",
    "notice_number": "文号",
    "deadline": "期限",
    "method_title": "送达方式",
    "delivered_on": "送达日期",
    "note": "说明",
    "statement": "陈述申辩",
    "answer": "答复",
    "decision_number": "决定文号",
    "valid_until": "有效期至",
    "published_on": "公布日期",
    "reason": "理由",
    "basis": "依据",
    "name": "异议人",
    "contact": "联系方式",
    "objection": "异议内容",
}
EXIT_KINDS = {"early": "提前移出", "annulled": "认定依据被撤销"}


def step_summary(step: str, detail: dict[str, Any]) -> str:
    """One readable line for a history row (never a raw dict)."""
    parts = [f"{label}：{detail[k]}" for k, label in DETAIL_LABELS.items() if detail.get(k)]
    if step == ListStep.EXIT and detail.get("kind"):
        parts.insert(0, EXIT_KINDS.get(detail["kind"], detail["kind"]))
    return "；".join(str(p) for p in parts)


def entry_context(
    request: Request, session: Any, actor: Actor, catalog: Catalog, today: date, entry_id: int
) -> dict[str, Any]:
    entry = lists.read_entry(session, entry_id, actor=actor)
    lt = catalog.list_type(entry.list_type)
    history = [
        {
            "title": STEP_TITLES.get(s.step, s.step),
            "on": s.on,
            "actor": s.actor_label,
            "summary": step_summary(s.step, s.detail),
        }
        for s in lists.entry_history(session, entry_id)
    ]
    return {
        "actor": actor,
        "entry": entry,
        "lt": lt,
        "subject": subjects.public_view(subjects.get(session, entry.subject_id)),
        "history": history,
        "next": {n.step: n for n in lists.next_steps(entry, lt, today)},
        "evidence": lists.evidence_of(session, entry_id),
        "delivered": [h for h in history if h["title"] == STEP_TITLES[ListStep.DELIVERY]],
        "methods": lists.DELIVERY_METHODS,
        "today": today,
        "error": None,
    }


def _attempt(
    request: Request,
    session: DbSession,
    actor: Actor,
    catalog: Catalog,
    today: date,
    entry_id: RowId,
    step: str,
    action: Callable[[], object],
) -> Response:
    """Run the action in a savepoint; on refusal show the entry page with the message."""
    try:
        with session.begin_nested():
            action()
    except XinyongError as exc:
        ctx = entry_context(request, session, actor, catalog, today, entry_id)
        ctx["error"] = {"step": step, "message": exc.message}
        return templates.TemplateResponse(
            request, "admin/list_entry.html", ctx, status_code=exc.status
        )
    return RedirectResponse(f"/admin/lists/{entry_id}#{step}", status_code=303)


@router.get("/{entry_id}", response_class=HTMLResponse)
def entry_page(
    request: Request,
    session: DbSession,
    actor: Staff,
    catalog: CurrentCatalog,
    today: Today,
    entry_id: RowId,
) -> HTMLResponse:
    ctx = entry_context(request, session, actor, catalog, today, entry_id)
    return templates.TemplateResponse(request, "admin/list_entry.html", ctx)


@router.get("/{entry_id}/notice", response_class=HTMLResponse)
def notice_page(
    request: Request, session: DbSession, actor: Staff, catalog: CurrentCatalog, entry_id: RowId
) -> HTMLResponse:
    """The notice as sent, on its own printable page."""
    entry = lists.read_entry(session, entry_id, actor=actor)
    ctx = {"entry": entry, "lt": catalog.list_type(entry.list_type)}
    return templates.TemplateResponse(request, "admin/list_notice.html", ctx)


@router.get("/{entry_id}/evidence/{step_id}")
def evidence_file(
    request: Request, session: DbSession, actor: Staff, entry_id: RowId, step_id: RowId
) -> Response:
    item = lists.find_evidence(session, entry_id, step_id, actor=actor)
    content = lists.evidence_bytes(item, request.app.state.settings.data_dir)
    headers = {
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(item.filename)}",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "sandbox",
    }
    return Response(content, media_type=item.content_type, headers=headers)


@router.post("")
async def propose(
    request: Request,
    session: DbSession,
    actor: Officer,
    catalog: CurrentCatalog,
    today: Today,
    subject_code: Text,
    list_type: Text,
    facts: Text,
    evidence: Files = None,
) -> Response:
    files = [(f.filename or "未命名", await f.read()) for f in evidence or [] if f.filename]
    data_dir = request.app.state.settings.data_dir
    try:
        with session.begin_nested():
            subject = subjects.get_by_code(session, subject_code.strip())
            entry = lists.propose_entry(
                session, subject, list_type, facts, catalog=catalog, actor=actor, today=today
            )
            for name, content in files:
                lists.attach_evidence(
                    session, entry, name, content, data_dir=data_dir, actor=actor, today=today
                )
    except XinyongError as exc:
        ctx = lists_context(session, actor, catalog, today)
        ctx["error"] = exc.message
        ctx["form"] = {"subject_code": subject_code, "list_type": list_type, "facts": facts}
        return templates.TemplateResponse(request, "admin/lists.html", ctx, status_code=exc.status)
    return RedirectResponse(f"/admin/lists/{entry.id}", status_code=303)


async def _uploads(form: Any) -> list[tuple[str, bytes]]:
    files = [f for f in form.getlist("evidence") if isinstance(f, StarletteUpload) and f.filename]
    return [(f.filename or "未命名", await f.read()) for f in files]


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"日期格式应为 YYYY-MM-DD，收到“{text}”") from None


@dataclass(frozen=True)
class StepForm:
    """What a step's form sent, with what every action needs."""

    session: Any
    catalog: Catalog
    calendar: Calendar
    actor: Actor
    today: date
    data_dir: Path
    fields: dict[str, str]
    files: list[tuple[str, bytes]]

    def __call__(self, name: str) -> str:
        return self.fields.get(name, "")

    @property
    def kw(self) -> dict[str, Any]:
        return {"actor": self.actor, "today": self.today}


def _evidence(f: StepForm, entry: Any) -> None:
    if not f.files:
        raise lists.BadEvidence("请选择要上传的证据材料文件")
    for name, content in f.files:
        lists.attach_evidence(f.session, entry, name, content, data_dir=f.data_dir, **f.kw)


STEP_ACTIONS: dict[ListStep, Callable[[StepForm, Any], object]] = {
    ListStep.EVIDENCE: _evidence,
    ListStep.NOTICE: lambda f, e: lists.send_prior_notice(
        f.session, e, f("notice_number"), authority=f("authority").strip() or None,
        catalog=f.catalog, calendar=f.calendar, **f.kw),
    ListStep.DELIVERY: lambda f, e: lists.record_delivery(
        f.session, e, f("method"), _day(f("delivered_on")), f("note"), catalog=f.catalog, **f.kw),
    ListStep.STATEMENT: lambda f, e: lists.record_statement(
        f.session, e, f("statement"), f("answer"), **f.kw),
    ListStep.APPROVAL: lambda f, e: lists.approve_entry(
        f.session, e, f("note"), catalog=f.catalog, **f.kw),
    ListStep.DECISION: lambda f, e: lists.decide_entry(
        f.session, e, f("decision_number"), catalog=f.catalog, **f.kw),
    ListStep.PUBLICATION: lambda f, e: lists.publish_entry(f.session, e, **f.kw),
    ListStep.EXIT: lambda f, e: lists.exit_entry(
        f.session, e, kind=f("kind"), reason=f("reason"), basis=f("basis"), catalog=f.catalog,
        **f.kw),
}  # fmt: skip


@router.post("/{entry_id}/{step}")
async def take_step(
    request: Request, session: DbSession, actor: Officer, catalog: CurrentCatalog,
    calendar: CurrentCalendar, today: Today, entry_id: RowId, step: str,
) -> Response:  # fmt: skip
    """One form per step; the domain action decides, a refusal is shown beside the form."""
    form = await request.form()
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    action = STEP_ACTIONS.get(ListStep(step)) if step in STEP_ACTIONS else None
    if action is None:
        raise NotFound(f"名单认定程序没有“{step}”这一步骤")
    files = await _uploads(form) if step == ListStep.EVIDENCE else []
    sent = StepForm(session, catalog, calendar, actor, today, request.app.state.settings.data_dir,
                    fields, files)  # fmt: skip
    shown = (
        step
        if step != ListStep.EXIT
        else (ListStep.EARLY_EXIT if sent("kind") == "early" else ListStep.EXIT)
    )

    def act() -> Any:  # on the entry as its department (or the credit office) reads it
        return action(sent, lists.read_entry(session, entry_id, actor=actor))

    return _attempt(request, session, actor, catalog, today, entry_id, shown, act)
