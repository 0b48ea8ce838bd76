"""One page of the cases routed to a department (repair applications, objections …): newest
first, by status, paged by number. The owners of the cases call it with their table; the
department scope comes from `auth.department_scope` (None: every department)."""

from __future__ import annotations

from typing import Any, TypeVar, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

Case = TypeVar("Case")


def routed_page(
    session: Session,
    table: type[Case],
    provider_id: int | None,
    *,
    status: str | None,
    before: int | None,
    limit: int,
) -> list[Case]:
    """`table`'s rows routed to `provider_id`, in `status`, numbered below `before` (the smallest
    number of the previous page), newest first, at most `limit`."""
    t = cast(Any, table)  # any case table: id, provider_id, status columns
    stmt = select(t).order_by(t.id.desc()).limit(limit)
    if provider_id is not None:
        stmt = stmt.where(t.provider_id == provider_id)
    if status is not None:
        stmt = stmt.where(t.status == status)
    if before is not None:
        stmt = stmt.where(t.id < before)
    return list(session.execute(stmt).scalars())
