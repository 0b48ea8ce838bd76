"""The credit office's dashboard: /admin/dashboard (indicators against targets, trends, rankings,
breakdowns), the rows behind every figure, XLSX of any table, and hand-entered indicators."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from xinyong import collection, indicators
from xinyong.audit import Actor
from xinyong.catalog import Catalog
from xinyong.enums import RepairStatus, Role, SubjectKind
from xinyong.errors import Conflict, NotFound
from xinyong.indicators import dashboard
from xinyong.web.deps import CurrentCatalog, DbSession, Today, require
from xinyong.web.templating import templates
from xinyong.web.titles import title_of

router = APIRouter(prefix="/admin/dashboard", include_in_schema=False)
Office = Annotated[Actor, Depends(require(Role.ADMIN, Role.AUDITOR))]
Admin = Annotated[Actor, Depends(require(Role.ADMIN))]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ROWS_SHOWN = 500


def definitions(request: Request) -> indicators.Definitions:
    settings = request.app.state.settings
    return indicators.load(settings.catalog_dir, settings.catalog_override_dir)


Definitions = Annotated[indicators.Definitions, Depends(definitions)]


SUBJECT_KINDS = {k.value: k.label for k in SubjectKind}


def _titled(rows: indicators.Rows, catalog: Catalog) -> indicators.Rows:
    """Chinese titles instead of internal codes, column by column (web/titles.py owns them)."""
    kinds = {"信息类": "info_class", "状态": "objection_status"}

    def cell(header: str, value: object) -> object:
        if header in kinds:
            return title_of(catalog, kinds[header], value)
        if header == "结果" and value is not None:
            kind = "repair_status" if str(value) in set(RepairStatus) else "objection_outcome"
            return title_of(catalog, kind, value)
        if header == "主体类别" and value is not None:
            return SUBJECT_KINDS.get(str(value), value)
        return value

    return indicators.Rows(rows.headers, [
        tuple(cell(h, v) for h, v in zip(rows.headers, r, strict=True)) for r in rows.rows
    ])  # fmt: skip


def _xlsx(
    name: str, title: str, headers: tuple[str, ...], rows: list[tuple[object, ...]]
) -> Response:
    data = collection.table_xlsx(title, headers, rows)
    disposition = f"attachment; filename*=UTF-8''{quote(name)}"
    return Response(data, media_type=XLSX, headers={"Content-Disposition": disposition})


@router.get("", response_class=HTMLResponse)
def dashboard_page(
    request: Request, session: DbSession, actor: Office, today: Today, catalog: CurrentCatalog,
    defs: Definitions, month: str | None = None,
) -> HTMLResponse:  # fmt: skip
    period = indicators.Period.of(month or None, today=today, catalog=catalog)
    board = dashboard.current(session, defs, period, actor=actor)
    charts = json.dumps([c.as_json() for c in board.charts], ensure_ascii=False)
    manual = [i for i in defs.indicators if i.source == "manual"]
    ctx = {"actor": actor, "board": board, "charts_json": charts, "manual": manual,
           "months": [p.month for p in period.previous(12)][::-1], "today": today,
           "max_age_minutes": int(dashboard.MAX_AGE.total_seconds() // 60)}  # fmt: skip
    return templates.TemplateResponse(request, "admin/office_dashboard.html", ctx)


@router.get("/monitoring", response_class=HTMLResponse)
def monitoring_page(
    request: Request, session: DbSession, actor: Office, today: Today, catalog: CurrentCatalog,
    defs: Definitions, month: str | None = None,
) -> HTMLResponse:  # fmt: skip
    """城市信用状况监测预警指标 self-assessment: what the platform computes, and what it cannot."""
    period = indicators.Period.of(month or None, today=today, catalog=catalog)
    dashboard.require_office(actor)
    found = indicators.figures(session, defs, period, keys=[i.key for i in defs.monitoring])
    ctx = {"actor": actor, "period": period, "figures": found, "cannot": defs.not_computable,
           "months": [p.month for p in period.previous(12)][::-1]}  # fmt: skip
    return templates.TemplateResponse(request, "admin/monitoring.html", ctx)


@router.get("/figures/{key}", response_class=HTMLResponse)
def figure_rows(
    request: Request, session: DbSession, actor: Office, today: Today, catalog: CurrentCatalog,
    defs: Definitions, key: str, month: str | None = None,
) -> HTMLResponse:  # fmt: skip
    period = indicators.Period.of(month or None, today=today, catalog=catalog)
    dashboard.require_office(actor)
    indicator = defs.get(key)
    rows = _titled(indicators.rows_behind(session, defs, period, key), catalog)
    ctx = {"actor": actor, "title": f"{indicator.title} · {period.month}", "indicator": indicator,
           "rows": rows, "shown": rows.rows[:ROWS_SHOWN], "period": period,
           "xlsx": f"/admin/dashboard/export/figures/{key}.xlsx?month={period.month}"}  # fmt: skip
    return templates.TemplateResponse(request, "admin/figure_rows.html", ctx)


@router.get("/export/figures/{key}.xlsx")
def figure_rows_xlsx(
    session: DbSession, actor: Office, today: Today, catalog: CurrentCatalog, defs: Definitions,
    key: str, month: str | None = None,
) -> Response:  # fmt: skip
    period = indicators.Period.of(month or None, today=today, catalog=catalog)
    dashboard.require_office(actor)
    rows = _titled(indicators.rows_behind(session, defs, period, key), catalog)
    title = defs.get(key).title
    return _xlsx(f"{title}-{period.month}.xlsx", title, rows.headers, rows.rows)


@router.get("/rows/{kind}/{value}", response_class=HTMLResponse)
def breakdown_rows(
    request: Request, session: DbSession, actor: Office, today: Today, catalog: CurrentCatalog,
    kind: str, value: str, month: str | None = None,
) -> HTMLResponse:  # fmt: skip
    period = indicators.Period.of(month or None, today=today, catalog=catalog)
    rows = _titled(dashboard.breakdown_rows(session, period, kind, value, actor=actor), catalog)
    ctx = {"actor": actor, "title": f"明细 · {value} · {period.month}", "indicator": None,
           "rows": rows, "shown": rows.rows[:ROWS_SHOWN], "period": period,
           "xlsx": f"/admin/dashboard/export/rows/{kind}/{quote(value)}.xlsx"
                   f"?month={period.month}"}  # fmt: skip
    return templates.TemplateResponse(request, "admin/figure_rows.html", ctx)


@router.get("/export/rows/{kind}/{value}.xlsx")
def breakdown_rows_xlsx(
    session: DbSession, actor: Office, today: Today, catalog: CurrentCatalog, kind: str,
    value: str, month: str | None = None,
) -> Response:  # fmt: skip
    period = indicators.Period.of(month or None, today=today, catalog=catalog)
    rows = _titled(dashboard.breakdown_rows(session, period, kind, value, actor=actor), catalog)
    return _xlsx(f"明细-{kind}-{value}-{period.month}.xlsx", "明细", rows.headers, rows.rows)


@router.get("/export/tables/{table_id}.xlsx")
def table_xlsx(
    session: DbSession, actor: Office, today: Today, catalog: CurrentCatalog, defs: Definitions,
    table_id: str, month: str | None = None,
) -> Response:  # fmt: skip
    period = indicators.Period.of(month or None, today=today, catalog=catalog)
    board = dashboard.current(session, defs, period, actor=actor)
    if board.computed_at is None:
        raise Conflict(f"{period.month} 的看板尚未计算：请信用办管理员在看板页点击“刷新看板”",
                       code="dashboard.not_computed")  # fmt: skip
    table = board.table(table_id)
    if table is None:
        raise NotFound(f"看板上没有表格“{table_id}”")
    return _xlsx(f"{table.title}-{period.month}.xlsx", table.title, table.headers, table.rows)


@router.post("/refresh")
def refresh_dashboard(
    session: DbSession, actor: Admin, today: Today, catalog: CurrentCatalog, defs: Definitions,
    month: Annotated[str, Form()],
) -> Response:  # fmt: skip
    """刷新: the office administrator recomputes the month's dashboard now (audited)."""
    period = indicators.Period.of(month, today=today, catalog=catalog)
    dashboard.refresh_now(session, defs, period, actor=actor)
    return RedirectResponse(f"/admin/dashboard?month={period.month}", status_code=303)


@router.post("/manual")
def enter_manual_value(
    session: DbSession, actor: Admin, today: Today, catalog: CurrentCatalog, defs: Definitions,
    key: Annotated[str, Form()], month: Annotated[str, Form()], value: Annotated[float, Form()],
    source: Annotated[str, Form()], source_date: Annotated[date, Form()],
    note: Annotated[str | None, Form()] = None,
) -> Response:  # fmt: skip
    period = indicators.Period.of(month, today=today, catalog=catalog)
    indicators.enter_value(session, defs.get(key), period, value, source=source,
                           source_date=source_date, note=note, actor=actor)  # fmt: skip
    return RedirectResponse(f"/admin/dashboard?month={period.month}#manual", status_code=303)
