"""18c7d1e2f3a4 on a database holding list entries and keys (SQLite and PostgreSQL): an undecided
entry of no department gets its proposer's department from the proposal's audit row (a user's or
an API client's); no evidence, a proposer of no department, or a decided entry leaves it as it
was; every existing key gets `credit_office` false (ADR 0018 addendum)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from tests.databases import drop_database, empty_database
from xinyong.db import migrate
from xinyong.db.session import make_engine

BEFORE = "18b0a1c2d3e4"
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
PROPOSED = "lists.entry.proposed"


def _fresh(database_url: str, tmp_path: Path) -> str:
    if database_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'list_departments.db'}"
    return empty_database(database_url, "xinyong_test_list_departments")


def test_undecided_entries_get_the_proposers_department(database_url: str, tmp_path: Path) -> None:
    url = _fresh(database_url, tmp_path)
    migrate.upgrade(url, BEFORE)
    engine = make_engine(url)
    meta = sa.MetaData()
    meta.reflect(engine, only=["providers", "users", "api_clients", "subjects", "list_entries",
                               "audit_log"])  # fmt: skip
    t = meta.tables

    def add(conn: sa.Connection, table: str, **values: Any) -> None:
        if "created_at" in t[table].c:
            values.setdefault("created_at", NOW)
        conn.execute(t[table].insert().values(**values))

    with engine.begin() as conn:
        for pid, name in ((1, "人社局"), (2, "交通局")):
            add(conn, "providers", id=pid, uscc=f"11990100MB000000{pid}X", name=name, active=True)
        for uid, provider in ((1, 1), (2, None)):  # a department's officer, the office's own
            add(conn, "users", id=uid, username=f"u{uid}", display_name=f"人员{uid}",
                password_hash="x", role="officer", provider_id=provider, active=True)  # fmt: skip
        add(conn, "api_clients", id=1, name="交通系统", key_prefix="abcd", key_hash="0" * 64,
            role="officer", provider_id=2, active=True, scopes=[],
            rate_limit="120/minute")  # fmt: skip
        add(conn, "subjects", id=1, kind="enterprise", code="91990100MA0000001X",
            code_kind="uscc", name="甲公司", former_names=[], status="active",
            verified=True)  # fmt: skip
        # entry id → (provider_id, decided_on, who proposed it per the audit log)
        entries = {
            1: (None, None, ("user", 1)),  # the department's officer → 1
            2: (None, None, ("api_client", 1)),  # the department's key → 2
            3: (None, None, ("user", 2)),  # the credit office's officer → stays NULL
            4: (None, None, None),  # no proposal row → stays NULL
            5: (None, date(2026, 11, 25), ("user", 1)),  # decided by the office → left alone
            6: (2, None, ("user", 1)),  # already recorded → left alone
        }
        for eid, (provider, decided, proposer) in entries.items():
            add(conn, "list_entries", id=eid, list_type="wage_arrears", subject_id=1,
                stage="decided" if decided else "proposed", facts="欠薪", basis=[], measures=[],
                deciding_authority="人社局", catalog_version="v", proposed_on=date(2026, 11, 2),
                provider_id=provider, decided_on=decided)  # fmt: skip
            if proposer is not None:
                add(conn, "audit_log", at=NOW, actor_kind=proposer[0], actor_id=proposer[1],
                    actor_label="提出人", action=PROPOSED, target_type="list_entry",
                    target_id=str(eid), prev_hash="0" * 64, hash=f"{eid:064x}")  # fmt: skip
        add(
            conn,
            "audit_log",
            at=NOW,
            actor_kind="user",
            actor_id=1,
            actor_label="他人",
            action="lists.notice.sent",
            target_type="list_entry",
            target_id="4",
            prev_hash="0" * 64,
            hash=f"{99:064x}",
        )  # a later step is no evidence of the proposer
    engine.dispose()
    migrate.upgrade(url)
    migrate.check(url)
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT id, provider_id FROM list_entries")).all()
        got: dict[int, int | None] = {r[0]: r[1] for r in rows}
        keys = conn.execute(sa.text("SELECT credit_office FROM api_clients")).scalars().all()
    engine.dispose()
    assert got == {1: 1, 2: 2, 3: None, 4: None, 5: None, 6: 2}
    assert [bool(k) for k in keys] == [False]
    if not database_url.startswith("sqlite"):
        drop_database(database_url, "xinyong_test_list_departments")
