"""/screen (信用大屏): public aggregate figures that refresh themselves; no personal data."""

from __future__ import annotations

import json
import re
from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conftest import CATALOG_DIR
from tests.factories import make_record, make_subject
from tests.indicators import dataset
from xinyong import identifiers, indicators, jobs
from xinyong.catalog import Catalog
from xinyong.clock import Calendar
from xinyong.enums import SubjectKind

EIGHTEEN = re.compile(r"\d{17}[\dX]")


def test_wall_screen_shows_public_figures_and_no_personal_data(
    client: TestClient, session: Session, catalog: Catalog, calendar: Calendar
) -> None:
    built = dataset.build(session, catalog, calendar)
    person = make_subject(session, kind=SubjectKind.PERSON, name="欧阳测试人")
    make_record(session, person, info_class="court_defaulter",
                data={"decision_number": "（2026）示执9号"})  # fmt: skip
    jobs.run("dashboard", session, today=date(2026, 11, 23), catalog=catalog,
             definitions=indicators.load(CATALOG_DIR))  # fmt: skip
    page = client.get("/screen")
    data = client.get("/screen/data.json")
    assert page.status_code == 200
    assert data.status_code == 200
    body = page.text + data.text
    assert "信用信息归集量" in page.text
    assert 'data-refresh="60"' in page.text
    assert 'data-source="/screen/data.json"' in page.text
    assert "<script>" not in page.text
    # no ID number (masked or not), no USCC, no person or subject name
    assert identifiers.mask_text(body) == body
    assert not EIGHTEEN.search(body)
    for subject in [*built.subjects, person]:
        assert subject.code not in body
        assert subject.name not in body
    payload = json.loads(data.text)
    assert {f["key"] for f in payload["figures"]} >= {"records_collected", "joint_checks"}
    assert all(set(item) == {"title", "count", "red"} for item in payload["lists"])
    # read from the stored dashboard document, with when it was computed
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", payload["computed_at"])
    assert f'<span id="screen-computed">{payload["computed_at"]}</span>' in page.text


def test_wall_screen_needs_no_login(client: TestClient) -> None:
    page = client.get("/screen")
    assert page.status_code == 200
    assert client.get("/screen/data.json").json()["month"] == "2026-11"
