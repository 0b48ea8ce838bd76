"""Migration 7c2d5e13a0b9 on a database holding per-user consents given before stop 20: a grant to
a bank officer becomes a grant to the officer's institution (same purpose, scopes, period), the
old grant is closed and kept, each conversion is in the audit chain, and a grant to a user with no
institution stays a per-user grant (audited as kept)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from tests.databases import drop_database, empty_database
from xinyong import audit, consent
from xinyong.audit import Actor
from xinyong.db import migrate
from xinyong.db.session import make_engine
from xinyong.db.tables import AuditEntry, Consent
from xinyong.enums import Role

BEFORE = "5e17c1a55b0d"
TODAY = date(2026, 11, 29)
JSON = sa.JSON()


def _t(name: str, *cols: tuple[str, sa.types.TypeEngine[Any]]) -> sa.TableClause:
    return sa.table(name, *(sa.column(c, t) for c, t in cols))


S, B, N, D = sa.String(), sa.Boolean(), sa.BigInteger(), sa.Date()
USERS = _t("users", ("id", N), ("username", S), ("display_name", S), ("password_hash", S),
           ("role", S), ("active", B))  # fmt: skip
SUBJECTS = _t("subjects", ("id", N), ("kind", S), ("code", S), ("code_kind", S), ("name", S),
              ("former_names", JSON), ("status", S), ("verified", B))  # fmt: skip
INSTITUTIONS = _t("institutions", ("id", N), ("name", S), ("code", S), ("kind", S),
                  ("joined_whitelist", B), ("active", B))  # fmt: skip
STAFF = _t("institution_users", ("institution_id", N), ("user_id", N))
CONSENTS = _t("consents", ("id", N), ("subject_id", N), ("grantee_kind", S), ("grantee_id", N),
              ("grantee_label", S), ("purpose", S), ("scopes", JSON), ("valid_from", D),
              ("valid_until", D), ("granted_by", S), ("revoked_at", sa.DateTime(timezone=True)),
              ("revoked_by", S), ("revoke_reason", S))  # fmt: skip


@pytest.fixture
def fresh_url(database_url: str, db_kind: str, tmp_path: Path) -> Iterator[str]:
    """An empty database of the kind this run uses (PostgreSQL: a database of its own)."""
    if db_kind != "postgresql":
        yield f"sqlite:///{tmp_path / 'consents.db'}"
        return
    name = "xinyong_test_consent_conversion"
    yield empty_database(database_url, name)
    drop_database(database_url, name)


def _grant(conn: sa.Connection, cid: int, user: int, label: str, **period: date) -> None:
    conn.execute(sa.insert(CONSENTS).values(
        id=cid, subject_id=1, grantee_kind="user", grantee_id=user, grantee_label=label,
        purpose="贷款审查", scopes=["special_report", "archive"], granted_by="绿源科技（green）",
        valid_from=period.get("valid_from", date(2026, 11, 1)),
        valid_until=period.get("valid_until", date(2027, 10, 31)),
    ))  # fmt: skip


def _seed(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.insert(SUBJECTS).values(
            id=1, kind="legal_person", code="91110000600037341L", code_kind="uscc",
            name="绿源科技有限公司", former_names=[], status="active", verified=True,
        ))  # fmt: skip
        users = ((11, "bank_a", "bank", True), (12, "bank_b", "bank", True),
                 (13, "partner", "partner", True), (14, "left", "bank", False),
                 (15, "closed_bank", "bank", True))  # fmt: skip
        for uid, username, role, active in users:
            conn.execute(sa.insert(USERS).values(
                id=uid, username=username, display_name=username, password_hash="x", role=role,
                active=active,
            ))  # fmt: skip
        for iid, name, active in ((1, "长春农商银行", True), (2, "已注销银行", False)):
            conn.execute(sa.insert(INSTITUTIONS).values(
                id=iid, name=name, code=f"91220101MA000000{iid}X", kind="bank",
                joined_whitelist=False, active=active,
            ))  # fmt: skip
        for inst, user in ((1, 11), (1, 12), (1, 14), (2, 15)):
            conn.execute(sa.insert(STAFF).values(institution_id=inst, user_id=user))
        _grant(conn, 1, 11, "信贷员甲（bank_a）")  # in force → converted
        _grant(conn, 2, 13, "合作方（partner）")  # no institution → kept
        _grant(
            conn,
            3,
            11,
            "信贷员甲（bank_a）",
            valid_from=date(2025, 1, 1),
            valid_until=date(2025, 12, 31),
        )  # expired → history, untouched
        _grant(conn, 4, 14, "离职信贷员（left）")  # deactivated user → kept
        _grant(conn, 5, 15, "信贷员（closed_bank）")  # inactive institution → kept
        _grant(
            conn, 6, 11, "信贷员甲（bank_a）", valid_from=date(2026, 12, 1)
        )  # not begun → converted
        conn.execute(sa.update(CONSENTS).where(CONSENTS.c.id == 6).values(purpose="续贷审查"))
        _grant(conn, 7, 12, "信贷员乙（bank_b）")
        conn.execute(sa.update(CONSENTS).where(CONSENTS.c.id == 7).values(
            revoked_at=sa.func.now(), revoked_by="绿源科技", revoke_reason="不再合作"))  # fmt: skip
        if conn.dialect.name == "postgresql":  # rows seeded with ids: move the sequences on
            for table in ("users", "subjects", "institutions", "consents"):
                conn.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                                     f" (SELECT max(id) FROM {table}))"))  # fmt: skip
    engine.dispose()


def _officer(uid: int) -> Actor:
    return Actor(kind="user", id=uid, label=f"u{uid}", role=Role.BANK)


def test_per_user_grants_become_grants_to_the_institution(
    fresh_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XINYONG_TODAY", TODAY.isoformat())
    migrate.upgrade(fresh_url, BEFORE)
    _seed(fresh_url)
    migrate.upgrade(fresh_url)
    engine = make_engine(fresh_url)
    with Session(engine) as session:
        rows = {c.id: c for c in session.query(Consent).order_by(Consent.id)}
        new = {c.proof["converted_from"]: c for c in rows.values() if c.proof}
        assert set(new) == {1, 6}
        for old_id, made in new.items():
            old = rows[old_id]
            assert (made.grantee_kind, made.grantee_id, made.grantee_label) == (
                "institution",
                1,
                "长春农商银行",
            )
            assert (made.subject_id, made.purpose, sorted(made.scopes), made.valid_from,
                    made.valid_until, made.granted_by) == (
                old.subject_id, old.purpose, sorted(old.scopes), old.valid_from,
                old.valid_until, old.granted_by)  # fmt: skip
            assert made.revoked_at is None
            assert old.revoked_at is not None  # kept as history, opens nothing twice
            assert f"新授权 {made.id}" in (old.revoke_reason or "")
        for kept in (2, 4, 5):  # no (active) institution: still the named user's grant
            assert rows[kept].revoked_at is None
            assert rows[kept].grantee_kind == "user"
        assert rows[3].revoked_at is None  # expired: untouched history
        assert rows[7].revoke_reason == "不再合作"  # revoked by the subject: untouched
        # another officer of the same bank is now covered; the partner still only by its own grant
        found = consent.held_by(session, _officer(12), 1, consent.Scope.ARCHIVE, TODAY)
        assert found is not None
        assert found.id == new[1].id
        partner = Actor(kind="user", id=13, label="p", role=Role.PARTNER)
        own = consent.held_by(session, partner, 1, consent.Scope.ARCHIVE, TODAY)
        assert own is not None
        assert own.id == 2
        # audited in the chain, which still verifies
        entries = session.query(AuditEntry).order_by(AuditEntry.id).all()
        converted = [e for e in entries if e.action == audit.AuditAction.CONSENT_CONVERTED]
        left = [e for e in entries if e.action == audit.AuditAction.CONSENT_KEPT]
        assert sorted(int(e.target_id or 0) for e in converted) == sorted(
            c.id for c in new.values()
        )
        assert {(e.before or {}).get("id") for e in converted} == {1, 6}
        assert sorted(int(e.target_id or 0) for e in left) == [2, 4, 5]
        assert all("未转给机构" in (e.reason or "") for e in left)
        assert audit.verify_chain(session).ok
        # later actions chain on after the migration's rows
        audit.record(session, Actor.system(), "test.after", target_type="test")
        session.flush()
        assert audit.verify_chain(session).ok
        session.rollback()
    migrate.upgrade(fresh_url)  # idempotent: nothing left to convert
    with Session(engine) as session:
        assert session.query(Consent).count() == len(rows)
    engine.dispose()
