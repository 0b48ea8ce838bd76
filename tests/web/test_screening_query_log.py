"""Screening logs its queries (ADR 0018 §2): each subject a screening matches — by code, or only by
name — gets one query-log row (who, the stated purpose, basis duty, the screening id and matter) in
the transaction of the read, by one multi-row INSERT; codes with no hit are not logged; the purpose
is required on the page, the API and the CLI; the subject sees the screening in /me/queries."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tests.cli import on_session
from tests.factories import make_provider, make_subject
from tests.factories.accounts import sign_in
from tests.factories.lists import listed
from tests.factories.workflows import make_user
from xinyong.audit import Actor
from xinyong.catalog import Catalog
from xinyong.cli import app as cli_app
from xinyong.clock import Calendar
from xinyong.config import Settings
from xinyong.db.tables import QueryLogEntry, Subject
from xinyong.enums import Role
from xinyong.errors import InvalidInput
from xinyong.measures import screening, screening_run

MONDAY = date(2026, 11, 23)
DAY = date(2026, 12, 1)
OFFICER = Actor(kind="user", id=1, label="认定人员", role=Role.OFFICER)
SCREENER = Actor(kind="user", id=7, label="采购中心:李静", role=Role.OFFICER)
PURPOSE = "2026年度政府采购供应商资格审查"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"check_fast_path": False, "today": DAY})


@pytest.fixture
def on_list(session: Session, catalog: Catalog, calendar: Calendar) -> Subject:
    subject = make_subject(session, name="示范区比对留痕科技有限公司")
    listed(session, subject, "wage_arrears", catalog=catalog, calendar=calendar, actor=OFFICER,
           proposed_on=MONDAY)  # fmt: skip
    return subject


def _logged(session: Session, *subject_ids: int) -> list[QueryLogEntry]:
    stmt = select(QueryLogEntry).where(QueryLogEntry.subject_id.in_(subject_ids))
    return list(session.execute(stmt.order_by(QueryLogEntry.id)).scalars())


def _frame(*rows: tuple[str | None, str | None]) -> pl.DataFrame:
    return pl.DataFrame(
        {"row_no": list(range(1, len(rows) + 1)), "code": [c for c, _ in rows],
         "name": [n for _, n in rows]},
        schema=screening.INPUT_SCHEMA,
    )  # fmt: skip


def test_each_matched_subject_is_logged_once_and_a_clean_code_is_not(
    session: Session, catalog: Catalog, on_list: Subject
) -> None:
    clean = make_subject(session, name="未上名单的公司")
    frame = _frame((on_list.code, None), (on_list.code.lower(), None), (clean.code, None),
                   (None, "比对留痕科技有限公司"), ("123", None))  # fmt: skip
    done = screening_run.screen(session, frame, "procurement", purpose=f"  {PURPOSE} ",
                                actor=SCREENER, catalog=catalog, today=DAY)  # fmt: skip
    assert len(done.id) == 32
    assert done.purpose == PURPOSE
    assert done.logged == 1  # one subject, matched on three rows (twice by code, once by name)
    (row,) = _logged(session, on_list.id, clean.id)
    assert row.subject_id == on_list.id
    assert (row.actor_label, row.purpose, row.surface, row.basis) == (
        "采购中心:李静",
        PURPOSE,
        "screening",
        "duty",
    )
    assert row.detail == {"screening_id": done.id, "matter": "procurement", "rows": 3,
                          "outcome": "hit"}  # fmt: skip


def test_a_name_only_match_is_logged_as_a_possible_hit(
    session: Session, catalog: Catalog, on_list: Subject
) -> None:
    frame = _frame((None, "比对留痕科技有限公司"))
    done = screening_run.screen(session, frame, "procurement", purpose=PURPOSE, actor=SCREENER,
                                catalog=catalog, today=DAY)  # fmt: skip
    (row,) = _logged(session, on_list.id)
    assert row.detail is not None
    assert row.detail["outcome"] == "possible_hit"
    assert row.detail["screening_id"] == done.id


def test_the_purpose_is_required_and_nothing_is_logged_without_it(
    session: Session, catalog: Catalog, on_list: Subject
) -> None:
    for purpose in ("", "   ", "x" * 201):
        with pytest.raises(InvalidInput):
            screening_run.screen(session, _frame((on_list.code, None)), "procurement",
                                 purpose=purpose, actor=SCREENER, catalog=catalog,
                                 today=DAY)  # fmt: skip
    assert _logged(session, on_list.id) == []


def _login_officer(client: TestClient, session: Session) -> None:
    _, username = make_user(session, Role.OFFICER, provider=make_provider(session, name="采购中心"))
    sign_in(client, username)


def test_the_page_requires_a_purpose_and_shows_the_screening_id(
    client: TestClient, session: Session, on_list: Subject
) -> None:
    _login_officer(client, session)
    missing = client.post("/admin/screening", data={"matter": "procurement",
                          "pasted": on_list.code}, headers={"Accept": "text/html"})  # fmt: skip
    assert missing.status_code == 422
    assert "请填写比对用途" in missing.text
    assert _logged(session, on_list.id) == []
    page = client.post("/admin/screening", data={"matter": "procurement", "purpose": PURPOSE,
                       "pasted": on_list.code})  # fmt: skip
    assert page.status_code == 200, page.text
    (row,) = _logged(session, on_list.id)
    assert row.detail is not None
    assert f'<span id="screening-id">{row.detail["screening_id"]}</span>' in page.text
    assert "1 个主体已记入查询记录" in page.text


def test_the_api_requires_a_purpose_and_answers_with_the_id(
    client: TestClient, session: Session, on_list: Subject
) -> None:
    _login_officer(client, session)  # the API answers a page session as it does an API key
    headers: dict[str, str] = {}
    rows = [{"code": on_list.code}]
    refused = client.post("/api/v1/screenings", json={"matter": "procurement", "rows": rows},
                          headers=headers)  # fmt: skip
    assert refused.status_code == 422
    body = {"matter": "procurement", "purpose": PURPOSE, "rows": rows}
    answer = client.post("/api/v1/screenings", headers=headers, json=body)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["logged"] == 1
    assert body["purpose"] == PURPOSE
    assert [r["outcome"] for r in body["results"]] == ["hit"]
    (row,) = _logged(session, on_list.id)
    assert row.detail is not None
    assert row.detail["screening_id"] == body["screening_id"]


def test_the_subject_sees_the_screening_in_me_queries(
    client: TestClient, session: Session, catalog: Catalog, on_list: Subject
) -> None:
    screening_run.screen(session, _frame((on_list.code, None)), "procurement", purpose=PURPOSE,
                         actor=SCREENER, catalog=catalog, today=DAY)  # fmt: skip
    _, username = make_user(session, Role.ENTERPRISE, subject=on_list)
    sign_in(client, username)
    page = client.get("/me/queries")
    assert page.status_code == 200
    assert "采购中心:李静" in page.text
    assert "名单比对" in page.text
    assert f"{PURPOSE}：政府采购" in page.text


def test_the_cli_requires_a_purpose_and_logs_the_matches(
    monkeypatch: pytest.MonkeyPatch, session: Session, on_list: Subject, tmp_path: Path
) -> None:
    source = tmp_path / "in.csv"
    source.write_text(f"统一社会信用代码\n{on_list.code}\n", encoding="utf-8")

    on_session(monkeypatch, session, DAY)
    base = ["screen", str(source), "--matter", "procurement", "--out",
            str(tmp_path / "out.csv")]  # fmt: skip
    missing = CliRunner().invoke(cli_app, base)
    assert missing.exit_code != 0
    done = CliRunner().invoke(cli_app, [*base, "--purpose", PURPOSE])
    assert done.exit_code == 0, done.output
    (row,) = _logged(session, on_list.id)
    assert row.actor_kind == "system"
    assert row.purpose == PURPOSE
