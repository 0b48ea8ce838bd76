"""/admin/screening (名单比对): an officer of a business system uploads a file of codes and/or
names (or pastes them), sees the hits with the measures and their legal basis, downloads the
results as XLSX, and records a reviewer's decision on a name-only match — the same rules as
`xinyong lists screen` and `POST /api/v1/screenings` (`measures.screening_run.screen`: a stated
purpose is required and the subjects matched are written to the query log, ADR 0018 §2)."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Annotated, Any

import polars as pl
from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from xinyong import subjects
from xinyong.audit import Actor
from xinyong.catalog import Catalog
from xinyong.db.base import MAX_ROW_ID
from xinyong.enums import Role, ScreeningOutcome
from xinyong.errors import XinyongError
from xinyong.measures import screening, screening_run
from xinyong.web.deps import CurrentCatalog, DbSession, Today, require
from xinyong.web.templating import templates

router = APIRouter(prefix="/admin/screening", include_in_schema=False)
Screener = Annotated[Actor, Depends(require(Role.ADMIN, Role.OFFICER))]
CODE_LINE = re.compile(r"^[0-9A-Za-z]{15,18}$")  # a pasted line that is a code, not a name
FormId = Annotated[int, Form(ge=1, le=MAX_ROW_ID)]
SHOWN = 500  # rows of the table; the XLSX has every row
FIRST = {  # the table lists hits, then possible hits, then wrong codes, then the rest
    o.value: i
    for i, o in enumerate(
        (ScreeningOutcome.HIT, ScreeningOutcome.POSSIBLE_HIT, ScreeningOutcome.INVALID_CODE)
    )
}


def _page(
    request: Request, actor: Actor, catalog: Catalog, *, status: int = 200, **extra: Any
) -> HTMLResponse:
    context = {
        "actor": actor,
        "matters": list(catalog.matters.values()),
        "outcomes": screening.OUTCOME_TITLES,
        "results": None,
        "error": None,
        "matter": "",
        "purpose": "",
        "decided": None,
        **extra,
    }
    return templates.TemplateResponse(request, "admin/screening.html", context, status)


@router.get("", response_class=HTMLResponse)
def screening_page(request: Request, actor: Screener, catalog: CurrentCatalog) -> HTMLResponse:
    return _page(request, actor, catalog)


def _pasted(text: str) -> pl.DataFrame:
    """Pasted lines, one code or one name each, numbered from 1."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return pl.DataFrame(
        {
            "row_no": list(range(1, len(lines) + 1)),
            "code": [x if CODE_LINE.match(x) else None for x in lines],
            "name": [None if CODE_LINE.match(x) else x for x in lines],
        },
        schema=screening.INPUT_SCHEMA,
    )


def _uploaded(file: UploadFile) -> pl.DataFrame:
    suffix = Path(file.filename or "").suffix.lower()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(file.file.read())
        try:
            return screening.read_frame(path)
        except screening.ScreeningFileError:
            raise
        except Exception:  # a file that is not what its name says (polars' own message is English)
            raise screening.ScreeningFileError(
                f"无法读取文件“{file.filename}”，请上传带表头的 CSV 或 XLSX 文件"
            ) from None


@router.post("", response_class=HTMLResponse)
def screen(
    request: Request, session: DbSession, actor: Screener, catalog: CurrentCatalog, today: Today,
    matter: Annotated[str, Form(max_length=64)],
    purpose: Annotated[str, Form(max_length=500)] = "",
    file: Annotated[UploadFile | None, File()] = None,
    pasted: Annotated[str, Form(max_length=200_000)] = "",
    download: Annotated[str, Form(max_length=8)] = "",
) -> Response:  # fmt: skip
    try:
        if file is not None and file.filename:
            frame = _uploaded(file)
        elif pasted.strip():
            frame = _pasted(pasted)
        else:
            raise screening.ScreeningFileError("请上传文件，或在文本框中每行填写一个代码或名称")
        done = screening_run.screen(session, frame, matter, purpose=purpose, actor=actor,
                                    catalog=catalog, today=today)  # fmt: skip
    except XinyongError as exc:
        return _page(request, actor, catalog, status=exc.status, error=exc.message, matter=matter,
                     purpose=purpose)  # fmt: skip
    found = done.results
    if download == "xlsx":
        headers = {"Content-Disposition": 'attachment; filename="screening-results.xlsx"'}
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return Response(screening.results_xlsx(found), media_type=media, headers=headers)
    counts = dict(found["outcome"].value_counts().iter_rows())
    first = found.sort(pl.col("outcome").replace_strict(
        FIRST, default=len(FIRST), return_dtype=pl.Int8),
        "row_no")  # fmt: skip
    rows = [screening.ScreeningResult(**r) for r in first.head(SHOWN).iter_rows(named=True)]
    title = catalog.matters[matter].title
    return _page(request, actor, catalog, results=rows, counts=counts, total=found.height,
                 matter=matter, matter_title=title, shown=SHOWN, purpose=done.purpose,
                 screening_id=done.id, logged=done.logged)  # fmt: skip


@router.post("/decisions", response_class=HTMLResponse)
def decide(
    request: Request, session: DbSession, actor: Screener, catalog: CurrentCatalog, today: Today,
    name: Annotated[str, Form(max_length=200)], subject_id: FormId,
    is_match: Annotated[str, Form(max_length=8)],
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:  # fmt: skip
    """复核疑似命中: the reviewer says whether a name-only match is the same subject; a non-match
    does not come back in later screenings."""
    try:
        with session.begin_nested():
            subject = subjects.get(session, subject_id)
            screening.remember_decision(
                session, name, subject.code, is_match == "yes", reason.strip() or None,
                actor=actor, today=today,
            )  # fmt: skip
    except XinyongError as exc:
        return _page(request, actor, catalog, status=exc.status, error=exc.message)
    decided = {"name": name, "subject": subject.name, "is_match": is_match == "yes"}
    return _page(request, actor, catalog, decided=decided)
