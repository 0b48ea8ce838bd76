"""Conditional status transitions: the one way a workflow row leaves a status.

`move(session, row, expected, **values)` is one `UPDATE … WHERE id = :id AND status = :expected`,
so of two officers deciding the same case at once exactly one changes it; the row is refreshed
either way and the caller raises its own Chinese refusal when it returns False. Used by repair,
objections, commitments and registrations (each still audits the change in its action).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import CursorResult, update
from sqlalchemy.orm import Session


def move(session: Session, row: Any, expected: str, **values: Any) -> bool:
    """Set `values` on `row` only if its status is still `expected`; True when this call did."""
    table = type(row)
    result = session.execute(
        update(table)
        .where(table.id == row.id, table.status == expected)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    assert isinstance(result, CursorResult)
    changed = result.rowcount
    session.refresh(row)
    return bool(changed == 1)
