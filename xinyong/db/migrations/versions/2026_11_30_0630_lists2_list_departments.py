"""lists2: list entries of no department get their proposer's; officer keys state the office

1. `list_entries.provider_id` of the entries proposed before `lists.propose_entry` recorded the
   proposing department (stop 25) and not yet decided: filled from the best evidence there is —
   the proposal's own audit row (`lists.entry.proposed`, the entry's id as target) names who
   proposed; that account's department (a user's, or an API client's) is the proposing
   department, the one `propose_entry` records today. A proposer of no department (the credit
   office, the system) or an entry without that audit row leaves NULL: the entry is then the
   credit office's alone (read by the office and auditors, handled by the office) until the
   decision names the deciding department. Decided entries are left alone: `decide_entry` has
   always set the deciding department (NULL there is a decision of the credit office).
2. `api_clients.credit_office`: an officer-role key of the credit office itself says so. Every
   existing key gets false (least privilege): a key without a department is no longer taken for
   the office (`auth.is_credit_office`, ADR 0018 addendum).

Revision ID: 18c7d1e2f3a4
Revises: 19r2a0b1c2d3
Create Date: 2026-11-30 06:30:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "18c7d1e2f3a4"
down_revision: str | None = "19r2a0b1c2d3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PROPOSED = "lists.entry.proposed"  # audit.AuditAction.LIST_ENTRY_PROPOSED (its stored value)


def upgrade() -> None:
    op.add_column(
        "api_clients",
        sa.Column("credit_office", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    entries = sa.table(
        "list_entries", sa.column("id", sa.BigInteger), sa.column("provider_id", sa.BigInteger),
        sa.column("decided_on", sa.Date),
    )  # fmt: skip
    log = sa.table(
        "audit_log", sa.column("id", sa.BigInteger), sa.column("action", sa.String),
        sa.column("target_type", sa.String), sa.column("target_id", sa.String),
        sa.column("actor_kind", sa.String), sa.column("actor_id", sa.BigInteger),
    )  # fmt: skip
    users = sa.table(
        "users", sa.column("id", sa.BigInteger), sa.column("provider_id", sa.BigInteger)
    )
    clients = sa.table(
        "api_clients", sa.column("id", sa.BigInteger), sa.column("provider_id", sa.BigInteger)
    )
    proposal = (log.c.action == PROPOSED) & (log.c.target_type == "list_entry") & (
        log.c.target_id == sa.cast(entries.c.id, sa.String)
    )  # fmt: skip
    of_user = (
        sa.select(users.c.provider_id)
        .select_from(log.join(users, users.c.id == log.c.actor_id))
        .where(proposal, log.c.actor_kind == "user")
    )
    of_client = (
        sa.select(clients.c.provider_id)
        .select_from(log.join(clients, clients.c.id == log.c.actor_id))
        .where(proposal, log.c.actor_kind == "api_client")
    )
    proposer = sa.func.coalesce(
        of_user.order_by(log.c.id).limit(1).scalar_subquery(),
        of_client.order_by(log.c.id).limit(1).scalar_subquery(),
    )
    op.execute(
        entries.update()
        .where(entries.c.provider_id.is_(None), entries.c.decided_on.is_(None))
        .values(provider_id=proposer)
    )


def downgrade() -> None:
    # the filled departments stay: they are what `propose_entry` records today
    with op.batch_alter_table("api_clients") as batch:
        batch.drop_column("credit_office")
