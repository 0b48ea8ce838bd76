"""The officer's list of commitments and one commitment read by its number, by department.

Owns: `list_routed` (every commitment whose 受理单位 is the department — the credit office: all,
or one department it chooses — by status, newest first, paged by number) and `get_for` (one
commitment for whoever may read it). The work queue shows only those waiting for verification;
here a verified one is found again with its finding.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.audit import Actor
from xinyong.auth import department_scope, require_department_reader
from xinyong.commitments.signed import get
from xinyong.db.tables import Commitment
from xinyong.enums import CommitmentStatus


def list_routed(
    session: Session,
    provider_id: int | None = None,
    *,
    status: CommitmentStatus | None = None,
    before: int | None = None,
    limit: int = 100,
) -> list[Commitment]:
    """Commitments accepted by a department (None: every department), in `status`, numbered
    below `before` (the smallest number of the previous page), newest first, at most `limit`."""
    stmt = select(Commitment).order_by(Commitment.id.desc()).limit(limit)
    if provider_id is not None:
        stmt = stmt.where(Commitment.acceptance_provider_id == provider_id)
    if status is not None:
        stmt = stmt.where(Commitment.status == status.value)
    if before is not None:
        stmt = stmt.where(Commitment.id < before)
    return list(session.execute(stmt).scalars())


def scope_for(actor: Actor, department: int | None) -> int | None:
    """The department whose commitments `actor` lists: its own, or — for the credit office,
    which sees all — the one it chose (None: all)."""
    own = department_scope(actor)
    return department if own is None else own


def get_for(session: Session, commitment_id: int, *, actor: Actor) -> Commitment:
    """One commitment for its accepting department's officers, the credit office and auditors
    (a commitment accepted by no department belongs to the credit office)."""
    found = get(session, commitment_id)
    require_department_reader(actor, found.acceptance_provider_id, what="信用承诺")
    return found
