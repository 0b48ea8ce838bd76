"""13p per-user consents become consents to the user's institution (stop 20), audited

Revision ID: 7c2d5e13a0b9
Revises: 5e17c1a55b0d
Create Date: 2026-11-29 15:30:00+00:00

Since stop 20 a subject authorises the bank as such (`consent.held_by`: the officer or its
institution). Grants made before to one bank officer (`grantee_kind = 'user'`) still in force
or not yet begun (not revoked, `valid_until >= today`) are converted when that user is active
and works for an active institution:

- a new consent to the institution, same subject, purpose, scopes, period and `granted_by`;
  its `proof` names the grant it came from (`converted_from`, the officer it named);
- the old grant is closed (`revoked_at`, `revoked_by` = the migration, `revoke_reason` naming
  the new grant), so it stays in the subject's list as history and opens nothing twice;
- one audit row per conversion (`consent.consent.converted`, target the new grant, before = the
  old grant as it was, after = the new one, reason naming both), in the SM3 chain, in the same
  transaction.

Not converted, and audited as such (`consent.consent.kept`): grants to a user with no active
institution (an enterprise account, a partner, an officer who left the bank, a deactivated user).
Consent is given to a named party; moving it to an organisation the subject never named would
widen it without the subject's word, so these stay per-user grants, valid for that user only
until they end or the subject revokes them. Expired and revoked grants are history: untouched.

Downgrade reopens the converted per-user grants and deletes the institution grants they became
(the audit rows stay: the chain is append-only).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from xinyong import clock, signing

revision: str = "7c2d5e13a0b9"
down_revision = "5e17c1a55b0d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
ACTOR = "系统（授权转为机构授权 7c2d5e13a0b9）"
# The audit chain as `audit.chain` writes it at this revision (a migration may not import audit):
# the lock key, the first link, and each row's SM3 over the previous hash + its canonical JSON.
CHAIN_LOCK_KEY = 7_220_419
GENESIS = "0" * 64
CONVERTED = "consent.consent.converted"
KEPT = "consent.consent.kept"

consents = sa.table(
    "consents",
    sa.column("id", sa.BigInteger), sa.column("subject_id", sa.BigInteger),
    sa.column("grantee_kind", sa.String), sa.column("grantee_id", sa.BigInteger),
    sa.column("grantee_label", sa.String), sa.column("purpose", sa.String),
    sa.column("scopes", JSON), sa.column("valid_from", sa.Date), sa.column("valid_until", sa.Date),
    sa.column("granted_by", sa.String), sa.column("revoked_at", sa.DateTime(timezone=True)),
    sa.column("revoked_by", sa.String), sa.column("revoke_reason", sa.Text),
    sa.column("proof", JSON),
)  # fmt: skip
audit_log = sa.table(
    "audit_log",
    sa.column("id", sa.BigInteger), sa.column("at", sa.DateTime(timezone=True)),
    sa.column("actor_kind", sa.String), sa.column("actor_id", sa.BigInteger),
    sa.column("actor_label", sa.String), sa.column("action", sa.String),
    sa.column("target_type", sa.String), sa.column("target_id", sa.String),
    sa.column("before", JSON), sa.column("after", JSON), sa.column("reason", sa.Text),
    sa.column("request_id", sa.String), sa.column("prev_hash", sa.String),
    sa.column("hash", sa.String),
)  # fmt: skip


def _iso(value: Any) -> Any:
    if isinstance(value, datetime):
        aware = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return aware.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return value.isoformat() if isinstance(value, date) else value


def _body(row: Any) -> dict[str, Any]:
    """A consent as its audit rows show it (`consent.as_json` at this revision)."""
    return {
        "id": row.id,
        "subject_id": row.subject_id,
        "grantee": f"{row.grantee_kind}:{row.grantee_id}",
        "grantee_label": row.grantee_label,
        "purpose": row.purpose,
        "scopes": list(_scopes(row.scopes)),
        "valid_from": _iso(row.valid_from),
        "valid_until": _iso(row.valid_until),
        "granted_by": row.granted_by,
        "revoked_at": _iso(row.revoked_at),
        "revoke_reason": row.revoke_reason,
    }


def _scopes(value: Any) -> list[str]:
    return json.loads(value) if isinstance(value, str) else list(value or [])


class _Chain:
    """Appends audit rows as `audit.record` does: locked on PostgreSQL, linked to the last row
    (or to the latest retention checkpoint when the log is empty), hashed with SM3."""

    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": CHAIN_LOCK_KEY})
        last = conn.execute(sa.text("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1"))
        start = conn.execute(
            sa.text("SELECT audit_last_hash FROM log_checkpoints ORDER BY id DESC LIMIT 1")
        )
        self.prev = last.scalar() or start.scalar() or GENESIS
        self.at = clock.now().replace(microsecond=0)

    def append(self, action: str, target: int, before: Any, after: Any, reason: str) -> None:
        entry = {
            "at": self.at, "actor_kind": "system", "actor_id": None, "actor_label": ACTOR,
            "action": action, "target_type": "consent", "target_id": str(target),
            "before": before, "after": after, "reason": reason, "request_id": None,
        }  # fmt: skip
        canonical = json.dumps({**entry, "at": _iso(self.at)}, sort_keys=True,
                               ensure_ascii=False, separators=(",", ":"))  # fmt: skip
        digest = signing.sm3_hex(self.prev.encode("ascii") + canonical.encode("utf-8"))
        self.conn.execute(sa.insert(audit_log).values(**entry, prev_hash=self.prev, hash=digest))
        self.prev = digest


def upgrade() -> None:
    conn = op.get_bind()
    today: date = clock.today()
    grants = conn.execute(
        sa.select(consents)
        .where(
            consents.c.grantee_kind == "user",
            consents.c.revoked_at.is_(None),
            consents.c.valid_until >= today,
        )
        .order_by(consents.c.id)
    ).all()
    if not grants:
        return
    chain = _Chain(conn)
    for old in grants:
        inst = conn.execute(
            sa.text(
                "SELECT i.id, i.name, u.username FROM institution_users iu"
                " JOIN institutions i ON i.id = iu.institution_id"
                " JOIN users u ON u.id = iu.user_id"
                " WHERE iu.user_id = :u AND i.active AND u.active"
            ),
            {"u": old.grantee_id},
        ).first()
        if inst is None:
            chain.append(KEPT, old.id, None, _body(old),
                         "被授权用户不属于任何在用的金融机构：授权仍只对该用户本人有效，未转给机构")  # fmt: skip
            continue
        new_id = conn.execute(
            sa.insert(consents)
            .values(
                subject_id=old.subject_id, grantee_kind="institution", grantee_id=inst.id,
                grantee_label=inst.name, purpose=old.purpose, scopes=_scopes(old.scopes),
                valid_from=old.valid_from, valid_until=old.valid_until,
                granted_by=old.granted_by,
                proof={"converted_from": old.id, "grantee_before": f"user:{old.grantee_id}",
                       "grantee_label_before": old.grantee_label},
            )
            .returning(consents.c.id)
        ).scalar_one()  # fmt: skip
        reason = (f"授权对象改为被授权人所在机构“{inst.name}”（新授权 {new_id}），"
                  "用途、范围、期限不变；原授权保留为历史")  # fmt: skip
        conn.execute(
            sa.update(consents)
            .where(consents.c.id == old.id)
            .values(revoked_at=chain.at, revoked_by=ACTOR, revoke_reason=reason)
        )
        created = conn.execute(sa.select(consents).where(consents.c.id == new_id)).one()
        chain.append(CONVERTED, new_id, _body(old), _body(created), reason)


def downgrade() -> None:
    conn = op.get_bind()
    converted = conn.execute(
        sa.select(consents.c.id, consents.c.proof).where(consents.c.grantee_kind == "institution")
    ).all()
    for row in converted:
        proof = json.loads(row.proof) if isinstance(row.proof, str) else row.proof
        if not isinstance(proof, dict) or "converted_from" not in proof:
            continue
        conn.execute(
            sa.update(consents)
            .where(consents.c.id == proof["converted_from"], consents.c.revoked_by == ACTOR)
            .values(revoked_at=None, revoked_by=None, revoke_reason=None)
        )
        conn.execute(sa.delete(consents).where(consents.c.id == row.id))
