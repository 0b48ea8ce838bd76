"""`xinyong lists propose|notice|deliver|statement|approve|decide|publish|exit|show`. 名单认定程序。

Each command takes one step of the procedure through the same domain action as the admin forms;
a refused step prints the action's Chinese message and exits 1.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from xinyong.cli import context as ctx

JsonOut = Annotated[bool, typer.Option("--json", help="JSON 输出 / JSON output")]
EntryId = Annotated[int, typer.Argument(help="名单认定编号 / entry id")]


def _entry_view(session: Any, entry: Any, today: date) -> dict[str, Any]:
    from xinyong import lists  # noqa: PLC0415

    lt = ctx.load_catalog().list_type(entry.list_type)
    return {
        "id": entry.id,
        "list_type": entry.list_type,
        "list_title": lt.title,
        "stage": entry.stage,
        "stage_title": lists.Stage(entry.stage).label,
        "notice_number": entry.notice_number,
        "statement_deadline": entry.statement_deadline,
        "decision_number": entry.decision_number,
        "decided_on": entry.decided_on,
        "valid_until": entry.valid_until,
        "published_on": entry.published_on,
        "exited_on": entry.exited_on,
        "next_steps": [
            {"step": n.step, "title": n.title, "allowed": n.allowed, "reason": n.reason}
            for n in lists.next_steps(entry, lt, today)
        ],
    }


def _show(view: dict[str, Any], json_out: bool) -> None:
    if json_out:
        ctx.print_json(view)
        return
    print(f"名单认定 {view['id']}  {view['list_title']}  状态：{view['stage_title']}")
    if view["decision_number"]:
        print(f"决定文号 {view['decision_number']}  有效期至 {view['valid_until'] or '移出之日'}")
    for n in view["next_steps"]:
        print(
            f"  {'可以' if n['allowed'] else '不能'}：{n['title']}"
            + ("" if n["allowed"] else f" — {n['reason']}")
        )


def _step(
    entry_id: int,
    json_out: bool,
    action: Callable[..., Any] | None,
    *args: Any,
    then: Callable[[Any], None] | None = None,
    **kwargs: Any,
) -> None:
    """The body of every step command: load the entry, take `action` on it as the operator
    today (with `args`/`kwargs`), run `then` on the entry, print it with what is open next."""
    from xinyong import lists  # noqa: PLC0415

    today = ctx.today()
    with ctx.db() as session:
        entry = lists.get_entry(session, entry_id)
        if action is not None:
            action(session, entry, *args, **kwargs, actor=ctx.operator(), today=today)
        if then is not None:
            then(entry)
        view = _entry_view(session, entry, today)
    _show(view, json_out)


def propose(
    code: Annotated[str, typer.Argument(help="主体代码 / subject code")],
    list_type: Annotated[str, typer.Option("--type", help="名单类型 / list type id")],
    facts: Annotated[str, typer.Option(help="拟列入的事实 / facts")],
    evidence: Annotated[
        list[Path] | None, typer.Option(exists=True, dir_okay=False, help="证据材料文件")
    ] = None,
    json_out: JsonOut = False,
) -> None:
    """提出拟列入（依据取自名单类型）/ propose an entry with its facts and evidence."""
    from xinyong import lists, subjects  # noqa: PLC0415

    catalog, today, actor = ctx.load_catalog(), ctx.today(), ctx.operator()
    with ctx.db() as session:
        subject = subjects.get_by_code(session, code)
        entry = lists.propose_entry(
            session, subject, list_type, facts, catalog=catalog, actor=actor, today=today
        )
        for path in evidence or []:
            lists.attach_evidence(
                session,
                entry,
                path.name,
                path.read_bytes(),
                data_dir=ctx.settings().data_dir,
                actor=actor,
                today=today,
            )
        view = _entry_view(session, entry, today)
    _show(view, json_out)


def show(entry_id: EntryId, json_out: JsonOut = False) -> None:
    """查看名单认定及下一步 / show an entry and what the rules allow next."""
    _step(entry_id, json_out, None)


def notice(
    entry_id: EntryId,
    number: Annotated[str, typer.Option(help="告知书文号 / notice number")],
    authority: Annotated[str | None, typer.Option(help="发文机关 / issuing authority")] = None,
    out: Annotated[Path | None, typer.Option(help="告知书另存为 HTML / save the notice")] = None,
    json_out: JsonOut = False,
) -> None:
    """发出事前告知书（红名单为拟列入公示）/ send the prior notice."""
    from xinyong import lists  # noqa: PLC0415

    def save(entry: Any) -> None:
        if out is not None:
            out.write_text(entry.notice_html or "", encoding="utf-8")

    _step(entry_id, json_out, lists.send_prior_notice, number, authority=authority, then=save,
          catalog=ctx.load_catalog(), calendar=ctx.load_calendar())  # fmt: skip


def deliver(
    entry_id: EntryId,
    method: Annotated[str, typer.Option(help="direct|mail|electronic|left|announcement")],
    on: Annotated[str | None, typer.Option(help="送达日期 YYYY-MM-DD（默认今天）")] = None,
    note: Annotated[str, typer.Option(help="说明 / note")] = "",
    json_out: JsonOut = False,
) -> None:
    """登记告知书送达 / record the notice's delivery."""
    from xinyong import lists  # noqa: PLC0415

    delivered = date.fromisoformat(on) if on else ctx.today()
    _step(entry_id, json_out, lists.record_delivery, method, delivered, note,
          catalog=ctx.load_catalog())  # fmt: skip


def statement(
    entry_id: EntryId,
    text: Annotated[str, typer.Option("--text", help="陈述申辩内容 / the statement")],
    answer: Annotated[str, typer.Option(help="答复（采纳与否及理由）/ the answer")],
    json_out: JsonOut = False,
) -> None:
    """登记陈述申辩及答复 / record a statement and its answer."""
    from xinyong import lists  # noqa: PLC0415

    _step(entry_id, json_out, lists.record_statement, text, answer)


def approve(
    entry_id: EntryId,
    note: Annotated[str, typer.Option(help="批准意见 / approval note")],
    json_out: JsonOut = False,
) -> None:
    """登记上一级部门批准 / record the approval."""
    from xinyong import lists  # noqa: PLC0415

    _step(entry_id, json_out, lists.approve_entry, note, catalog=ctx.load_catalog())


def decide(
    entry_id: EntryId,
    number: Annotated[str, typer.Option(help="认定决定书文号 / decision number")],
    json_out: JsonOut = False,
) -> None:
    """作出认定决定 / decide."""
    from xinyong import lists  # noqa: PLC0415

    _step(entry_id, json_out, lists.decide_entry, number, catalog=ctx.load_catalog())


def publish(entry_id: EntryId, json_out: JsonOut = False) -> None:
    """公布 / publish."""
    from xinyong import lists  # noqa: PLC0415

    _step(entry_id, json_out, lists.publish_entry)


def exit_(
    entry_id: EntryId,
    kind: Annotated[str, typer.Option(help="early（提前移出）| annulled（认定依据被撤销）")],
    reason: Annotated[str, typer.Option(help="移出理由 / reason")],
    basis: Annotated[str, typer.Option(help="移出依据 / basis")],
    json_out: JsonOut = False,
) -> None:
    """移出（提前移出或依据被撤销）/ exit early or annul."""
    from xinyong import lists  # noqa: PLC0415

    _step(entry_id, json_out, lists.exit_entry, kind=kind, reason=reason, basis=basis,
          catalog=ctx.load_catalog())  # fmt: skip


def register(lists_app: typer.Typer) -> None:
    """Add the procedure steps to the `lists` command group."""
    for name, fn in (
        ("propose", propose),
        ("show", show),
        ("notice", notice),
        ("deliver", deliver),
        ("statement", statement),
        ("approve", approve),
        ("decide", decide),
        ("publish", publish),
        ("exit", exit_),
    ):
        lists_app.command(name)(fn)
