"""Archive reads by deciding authority (issue 17, docs/decisions/0012 addendum 3): the listing's
filter by authority (by the name's integer id, `records.authority_id`) and its department
choices (`record_authorities`). The table and the writers' upkeep: `xinyong/db/authorities.py`."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, func, select
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
    class still holds it (a name whose records were all removed is not offered).

    That check is one descent of ix_records_authority_id a name, whatever the archive's size:
    the smallest id at or above the name's is the name's own. Asked as `EXISTS` (or a LIMIT 1
    probe), PostgreSQL planned it from the column's statistics — a semi-join that aggregated the
    whole partition, or a sequential scan until a match, which for a rare or vanished name reads
    every record (100k records 11,087 buffers, 1M 110,915; docs/dev/scale.md); a `min` over a
    range has no such plan that is cheaper than the index (the scan could not stop early)."""
    first_at_or_above = (
        select(func.min(Record.authority_id))
        .where(Record.info_class == info_class, Record.authority_id >= RecordAuthority.id)
        .scalar_subquery()
    )
    stmt = (
        select(RecordAuthority.name)
        .where(RecordAuthority.info_class == info_class, first_at_or_above == RecordAuthority.id)
        .order_by(RecordAuthority.name)
        .limit(limit)
    )
    return [name for name in session.execute(stmt).scalars() if name]
