"""What each run does: the same domain procedure the CLI and the pages call, with the progress
hooks they already have (`report(done, total, phase)`), and its commits by chunk kept.

- named jobs (deadlines, dashboard, retention): `jobs.run_recorded` — a savepoint with its audit
  row, as `xinyong jobs run NAME`; a re-run starts over (each is one transaction).
- exchange: `exchange.rounds.exchange_round` (imports commit per chunk, the sent marks at the end).
- reclassify: `disclosure.reclassify.run` committing each batch of 5,000 — a re-run continues
  with what is still due (the versions already classified are no longer due).
- exchange_import: the stored upload through `exchange.manual.import_upload`, committing per
  chunk (`durable`): a re-run of a package skips its committed chunks (ADR 0011).
"""

from __future__ import annotations

import time as timer
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from xinyong import jobs, keyring
from xinyong.audit import Actor
from xinyong.catalog import Catalog
from xinyong.clock import Calendar
from xinyong.config import Settings
from xinyong.db.tables import JobRun
from xinyong.disclosure import reclassify
from xinyong.errors import XinyongError
from xinyong.exchange import manual, national, rounds
from xinyong.runs.store import EXCHANGE_IMPORT, RECLASSIFY

Report = Callable[[int | None, int | None, str], None]


class RunFailed(XinyongError):
    code = "runs.failed"
    status = 200  # the run's own outcome, shown on its page


@dataclass(frozen=True, slots=True)
class Tools:
    """What a run needs from the platform (settings, the loaded catalog and calendar, today)."""

    settings: Settings
    catalog: Catalog
    calendar: Calendar
    today: date
    now: datetime


def execute(
    session: Session, run: JobRun, actor: Actor, tools: Tools, report: Report
) -> tuple[dict[str, Any], str]:
    """Run it; its counts and one Chinese line. A failure raises (XinyongError: its message)."""
    params = dict(run.params or {})
    if run.job == RECLASSIFY:
        return _reclassify(session, actor, tools, report)
    if run.job == EXCHANGE_IMPORT:
        return _import(session, params, actor, tools, report)
    if run.job == "exchange":
        report(None, None, "接收收件目录中的交换包并发送待发送的变更")
        started = timer.perf_counter()
        result = rounds.exchange_round(session, settings=tools.settings, catalog=tools.catalog,
                                       calendar=tools.calendar, actor=actor, today=tools.today,
                                       now=tools.now)  # fmt: skip
        summary = rounds.summarise(result)
        jobs.record(session, "exchange", actor, summary, started, ok=not result["sent"]["error"])
        session.commit()
        if result["sent"]["error"]:
            raise RunFailed(summary)
        counts = {"received": len(result["received"]), "sent": result["sent"]["changes"],
                  "pending": result["pending"]}  # fmt: skip
        return counts, summary
    report(None, None, f"正在运行：{jobs.ABOUT[run.job].title}" if run.job in jobs.ABOUT else "")
    last, found = jobs.run_recorded(
        run.job, session, today=tools.today, actor=actor,
        prepare=lambda: jobs.options(run.job, tools.settings, tools.catalog, **params),
    )  # fmt: skip
    session.commit()  # the job's writes and its audit row (a failure: only the audit row)
    if found is None:
        raise RunFailed(last.summary)
    counts = {k: v for k, v in found.items() if isinstance(v, int | float | str) and k != "today"}
    return counts, last.summary


def _reclassify(
    session: Session, actor: Actor, tools: Tools, report: Report
) -> tuple[dict[str, Any], str]:
    def progress(done: int, total: int) -> None:
        report(done, total, f"已重新分类 {done} / {total} 条记录")

    report(0, None, "正在统计需要重新分类的记录")
    outcome = reclassify.run(session, tools.catalog, actor=actor, progress=progress)
    session.commit()  # the audit row of the run (each batch was committed as it went)
    counts = {"examined": outcome.examined, "changed": outcome.changed}
    return counts, (f"已按目录 {tools.catalog.short_version} 重新分类 {outcome.examined} 条记录，"
                    f"其中 {outcome.changed} 条的严重程度分类有变化")  # fmt: skip


def _import(
    session: Session, params: dict[str, Any], actor: Actor, tools: Tools, report: Report
) -> tuple[dict[str, Any], str]:
    path = Path(str(params["path"]))
    if not path.is_file():
        raise RunFailed("上传的文件已不在平台的存储目录中，请重新上传")
    settings = tools.settings
    report(None, None, f"正在导入 {params.get('file', path.name)}")
    imported = manual.import_upload(
        session, path.read_bytes(), str(params.get("file") or path.name),
        national_list=params.get("national_list"), provider=params.get("provider"),
        trusted=keyring.office_keyring(settings),
        layouts=national.load_layouts(settings.catalog_dir, tools.catalog),
        catalog=tools.catalog, calendar=tools.calendar, actor=actor, today=tools.today,
        durable=True, progress=lambda phase: report(None, None, f"正在导入：{phase}"),
    )  # fmt: skip
    session.commit()
    kept: dict[str, Any] = {
        k: v for k, v in imported.items() if isinstance(v, int | str) and k != "message"
    }
    kept["errors"] = list(imported.get("errors", []))[:200]  # row, field, reason (masked)
    kept["unmapped_columns"] = list(imported.get("unmapped_columns", []))
    n = {k: imported.get(k, 0) for k in ("accepted", "new", "rejected")}
    if imported.get("kind") == "national":
        line = (
            f"{imported.get('title', '国家名单文件')}：共 {imported.get('rows', 0)} 行，"
            f"接收 {n['accepted']} 条（新增 {n['new']} 条），退回 {n['rejected']} 条"
        )
    else:
        line = (
            f"交换包：新登记部门 {imported.get('providers', 0)} 个，新登记主体 "
            f"{imported.get('subjects', 0)} 个；记录接收 {n['accepted']} 条（新增 {n['new']} "
            f"条），退回 {n['rejected']} 条；状态变更 {imported.get('statuses', 0)} 项"
        )
    if imported.get("repeated_batches"):
        line += f"；{imported['repeated_batches']} 批此前已导入，未重复入库"
    if imported.get("unmapped_columns"):
        line += f"；未识别的列（已忽略）：{'、'.join(map(str, imported['unmapped_columns']))}"
    if imported.get("message"):
        line += f"；{imported['message']}"
    return kept, f"已导入“{params.get('file', path.name)}”，{line}"
