"""Archive reads by deciding authority (issue 17, docs/decisions/0012 addendum 3): the listing's
filter by authority (by the name's integer id, `records.authority_id`) and its department
choices (`record_authorities`). The table and the writers' upkeep: `xinyong/db/authorities.py`."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from xinyong.db.tables import Record, RecordAuthority

if TYPE_CHECKING:
    from xinyong.archive.reads import ClassFilter


def authority_conditions(where: ClassFilter) -> list[ColumnElement[bool]]:
    """A record of `where`'s authority: its id (looked up, or in SQL) and its name."""
    authority: Any = where.authority_id
    if authority is None:  # not looked up (`with_authority_id`): the same, in SQL
        authority = (
            select(RecordAuthority.id)
            .where(
                RecordAuthority.info_class == where.info_class,
                RecordAuthority.name == where.authority_name,
            )
            .scalar_subquery()
        )
    return [Record.authority_id == authority, Record.authority_name == where.authority_name]


def with_authority_id(session: Session, where: ClassFilter) -> ClassFilter:
    """`where` with its authority's id looked up (`record_authorities`), so that the planner
    knows the value and chooses by its statistics, as it did by the name: a common authority's
    page walks the date index, a rare one's reads its few rows by ix_records_authority_id. A
    name no record of the class holds gets id 0 (no record has it)."""
    if not where.authority_name or where.authority_id is not None:
        return where
    stmt = select(RecordAuthority.id).where(
        RecordAuthority.info_class == where.info_class,
        RecordAuthority.name == where.authority_name,
    )
    return replace(where, authority_id=session.execute(stmt).scalar() or 0)


def authorities_of_class(session: Session, info_class: str, *, limit: int = 200) -> list[str]:
    """The deciding authorities that appear in a class (for the listing's department filter), in
    code point order: the class's rows of `record_authorities` (every name its records hold;
    xinyong/db/authorities.py), not a walk over the records — each kept while a record of the
    class still holds it (one probe of ix_records_authority_id a name: a name whose records were
    all removed, or whose batch was undone, is not offered)."""
    held = (
        select(Record.id)
        .where(Record.info_class == info_class, Record.authority_id == RecordAuthority.id)
        .exists()
    )
    stmt = (
        select(RecordAuthority.name)
        .where(RecordAuthority.info_class == info_class, held)
        .order_by(RecordAuthority.name)
        .limit(limit)
    )
    return [name for name in session.execute(stmt).scalars() if name]
