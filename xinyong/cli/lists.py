"""List, check and screening commands. 名单、联合奖惩核查与名单比对命令。"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from xinyong.cli import context as ctx

lists_app = typer.Typer(help="名单 / lists.", no_args_is_help=True)


@lists_app.command("entries")
def entries(
    list_type: Annotated[str | None, typer.Option("--type", help="名单类型 / list type id")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="JSON 输出 / JSON output")] = False,
) -> None:
    """列出当前有效的名单记录及主体代码 / current list entries with the subject's code."""
    from xinyong import identifiers, lists  # noqa: PLC0415

    catalog, today = ctx.load_catalog(), ctx.today()
    with ctx.db() as session:
        found = lists.current_entries(session, catalog=catalog, today=today, list_type=list_type)
    rows = [
        {"subject_code": identifiers.mask_code(e.subject_code) if e.subject_code_kind ==
         "id_number" else e.subject_code, "subject_name": e.subject_name, **e.hit.as_dict()}
        for e in found
    ]  # fmt: skip
    if json_out:
        ctx.print_json(rows)
        return
    for r in rows:
        until = r["valid_until"] or "至移出"
        print(f"{r['subject_code']}  {r['list_title']}  {r['decision_number'] or '-'}  {until}  "
              f"{r['subject_name']}")  # fmt: skip
    ctx.err.print(f"共 {len(rows)} 条（{today}）")


def check_command(
    code: Annotated[str, typer.Argument(help="统一社会信用代码或身份证号码 / USCC or ID number")],
    matter: Annotated[
        str, typer.Option(help="核查事项：代码或名称 / matter id or title (招标投标)")
    ],
    json_out: Annotated[bool, typer.Option("--json", help="JSON 输出 / JSON output")] = False,
) -> None:
    """联合奖惩核查（记录核查日志）/ joint check of one subject for one matter (logged)."""
    from xinyong import measures  # noqa: PLC0415

    catalog, today = ctx.load_catalog(), ctx.today()
    matter = ctx.resolve_matter(catalog, matter)
    with ctx.db() as session:
        ans = measures.check(session, code, matter, catalog=catalog, actor=ctx.operator(),
                             today=today)  # fmt: skip
    if json_out:
        ctx.print_json(ans.as_dict())
        return
    print(f"核查编号 {ans.check_id}  事项：{ans.matter_title}  {today}")
    print(ans.message)
    for h in ans.hits:
        print(f"- {h.hit.list_title} {h.hit.decision_number or ''} 有效期至 "
              f"{h.hit.valid_until or '移出之日'}")  # fmt: skip
        for m in h.measures:
            flag = "强制" if m.mandatory else "可选"
            print(f"    [{flag}] {m.content}（{m.implementer}；依据：{'、'.join(m.legal_basis)}）")
    for m in ans.incentives:
        print(f"+ 激励：{m.content}（{m.implementer}）")


def screen_command(
    file: Annotated[Path, typer.Argument(help="CSV/XLSX：代码列和/或名称列 / code and/or name")],
    matter: Annotated[str, typer.Option(help="核查事项：代码或名称 / matter id or title")],
    purpose: Annotated[
        str, typer.Option(help="比对用途（记入命中主体的查询记录）/ stated purpose")
    ],
    out: Annotated[Path, typer.Option(help="结果文件 RESULT.xlsx|csv / result file")],
) -> None:
    """名单比对：批量核查，命中主体记入查询记录 / screen many subjects against the lists."""
    from xinyong.measures import screening, screening_run  # noqa: PLC0415

    catalog, today = ctx.load_catalog(), ctx.today()
    matter = ctx.resolve_matter(catalog, matter)
    started = time.perf_counter()
    with ctx.progress(enabled=True) as bar:
        task = bar.add_task("名单比对 / screening", total=3)
        rows = screening.read_frame(file)
        bar.advance(task)
        with ctx.db() as session:  # the read and its query-log rows in one transaction
            done = screening_run.screen(session, rows, matter, purpose=purpose,
                                        actor=ctx.operator(), catalog=catalog,
                                        today=today)  # fmt: skip
        bar.advance(task)
        written = screening.write_frame(out, done.results)
        bar.advance(task)
    counts = done.results["outcome"].value_counts().sort("outcome").iter_rows()
    summary = "，".join(f"{k} {v}" for k, v in counts)
    ctx.err.print(f"已比对 {written} 行（{summary}），用时 {time.perf_counter() - started:.1f} 秒"
                  f" → {out}；比对编号 {done.id}，"
                  f"{done.logged} 个命中主体记入查询记录")  # fmt: skip


@lists_app.command("recompute-validity")
def recompute_validity(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只列出，不修改 / list only")] = False,
) -> None:
    """重算旧规则存储的名单有效期（少计一日的，逐条留痕）/ correct ends stored one day short."""
    from xinyong import lists  # noqa: PLC0415

    catalog = ctx.load_catalog()
    with ctx.progress(enabled=True) as bar:
        task = bar.add_task("重算有效期 / recompute validity", total=1)
        with ctx.db() as session:
            found = lists.recompute_validity(
                session, catalog=catalog, actor=ctx.operator(), dry_run=dry_run
            )
        bar.advance(task)
    for c in found:
        print(f"名单记录 {c.entry_id}  {c.list_type}  认定 {c.decided_on}  有效期至 "
              f"{c.stored} → {c.corrected}")  # fmt: skip
    verb = "需更正" if dry_run else "已更正"
    ctx.err.print(f"{verb} {len(found)} 条；其余名单记录的有效期与现行规则一致")


def register(app: typer.Typer) -> None:
    from xinyong.cli import list_steps  # noqa: PLC0415

    list_steps.register(lists_app)
    app.add_typer(lists_app, name="lists")
    app.command("screen")(screen_command)
