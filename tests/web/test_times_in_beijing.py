"""Stored times are UTC; every page shows them in Beijing time (`|beijing`, clock.in_beijing).

17:30 UTC on 29 November is 01:30 on 30 November in Beijing: the date changes too, so a page that
still printed UTC would show neither the Beijing date nor the Beijing hour.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import make_subject
from tests.factories.accounts import signed_in
from tests.factories.workflows import make_user
from xinyong import audit
from xinyong.audit import Actor
from xinyong.db.tables import AuditEntry, QueryLogEntry, User
from xinyong.enums import Role
from xinyong.web.templating import beijing

STORED = datetime(2026, 11, 29, 17, 30, tzinfo=UTC)
SHOWN = "2026-11-30 01:30"


def _row_of(page: str, marker: str) -> str:
    found = re.search(rf"<tr>(?:(?!</tr>).)*{re.escape(marker)}(?:(?!</tr>).)*</tr>", page, re.S)
    assert found, f"no row with {marker!r}"
    return found.group(0)


def test_the_filter_reads_stored_times_documents_and_nothing() -> None:
    assert beijing(STORED) == SHOWN
    assert beijing(STORED.replace(tzinfo=None)) == SHOWN  # SQLite gives naive UTC back
    assert beijing("2026-11-29T17:30:00.000000Z") == SHOWN  # an API document's time
    assert beijing(STORED, "%Y-%m-%d") == "2026-11-30"
    assert beijing(None) == "—"


def test_the_users_page_shows_the_last_login_in_beijing_time(
    client: TestClient, session: Session
) -> None:
    _, someone = make_user(session, Role.OFFICER)
    user = session.execute(select(User).where(User.username == someone)).scalar_one()
    user.last_login_at = STORED
    session.flush()
    signed_in(client, session, Role.ADMIN)
    row = _row_of(client.get("/admin/users").text, f"<td>{someone}</td>")
    assert SHOWN in row
    assert "2026-11-29 17:30" not in row


def test_the_audit_page_shows_queries_and_entries_in_beijing_time(
    client: TestClient, session: Session
) -> None:
    subject = make_subject(session, name="示范区北京时间有限公司")
    reader = Actor(kind="user", id=7, label="北京时间核对人", role=Role.OFFICER)
    audit.log_query(session, reader, subject.id, purpose="行政许可审查", surface="admin",
                    basis="duty")  # fmt: skip
    audit.record(session, reader, audit.AuditAction.REPORT_REVOKED, target_type="report",
                 target_id="20261130013000000000001", reason="核对时间")  # fmt: skip
    query = session.execute(
        select(QueryLogEntry).where(QueryLogEntry.actor_label == reader.label)
    ).scalar_one()
    entry = session.execute(
        select(AuditEntry).where(AuditEntry.target_id == "20261130013000000000001")
    ).scalar_one()
    query.at = entry.at = STORED
    session.flush()
    signed_in(client, session, Role.AUDITOR)
    page = client.get("/admin/audit", params={"who": reader.label}).text
    assert SHOWN in _row_of(page, "示范区北京时间有限公司")
    assert SHOWN in _row_of(page, "20261130013000000000001")
    assert "2026-11-29 17:30" not in page
