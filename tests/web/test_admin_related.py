"""/admin/related: the two-step graph for officers (chart data and a table), persons masked, the
read written to the query log; other roles are refused."""

from __future__ import annotations

import random
from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import make_provider
from tests.factories.registration import REG_HEADERS, csv_bytes, reg_row
from tests.factories.workflows import make_user
from xinyong import collection, demo, identifiers
from xinyong.audit import Actor
from xinyong.catalog import Catalog
from xinyong.clock import Calendar
from xinyong.collection import Submission
from xinyong.db.tables import QueryLogEntry
from xinyong.enums import Role


def test_officers_see_the_two_step_graph_with_persons_masked(
    client: TestClient,
    session: Session,
    catalog: Catalog,
    calendar: Calendar,
    today: date,
    operator: Actor,
) -> None:
    rng = random.Random(88)
    firm, other = demo.make_uscc(rng, "9", "1"), demo.make_uscc(rng, "9", "1")
    person = demo.make_id_number(rng)
    provider = make_provider(session)
    rows = [reg_row("示范图谱甲公司", firm, rep="蒋四", rep_id=person),
            reg_row("示范图谱乙公司", other, rep="蒋四", rep_id=person)]  # fmt: skip
    sub = Submission("registration", provider.uscc, data=csv_bytes(REG_HEADERS, rows))
    collection.collect(session, sub, catalog=catalog, calendar=calendar, actor=operator,
                       today=today)  # fmt: skip
    _officer, username = make_user(session, Role.OFFICER, provider=provider)
    client.post("/admin/login", data={"username": username, "password": "password123"})
    page = client.get(f"/admin/related?code={firm}")
    assert page.status_code == 200, page.text
    assert "示范图谱乙公司" in page.text
    assert f"蒋四 {identifiers.mask_code(person)}" in page.text
    assert person not in page.text
    assert "/static/vendor/echarts.min.js" in page.text
    assert session.execute(select(QueryLogEntry)).scalars().first() is not None


def test_other_roles_cannot_open_the_graph(client: TestClient, session: Session) -> None:
    _clerk, username = make_user(session, Role.AUDITOR)
    client.post("/admin/login", data={"username": username, "password": "password123"})
    assert client.get("/admin/related?code=x").status_code == 403
