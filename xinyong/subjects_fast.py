"""The public subject search's fast read path on PostgreSQL (docs/decisions/0008, the second
async exception beside the joint check's `measures/fast.py`).

# fast read path
Raw psycopg `AsyncConnectionPool` in autocommit (no BEGIN/COMMIT), prepared statements off (a
generic plan of `LIKE %(pattern)s` cannot use the trigram index: shared/TECH.md). One round trip
per search: the SAME plan and statement as `subjects.search` (`search_plan`, `search_statement`,
compiled once per shape for PostgreSQL), each row turned into its public view by the SAME pure
function (`subjects.public_view_of`); web encodes the response body (`web/api/subjects.py`).
Nothing is cached but the compiled SQL text, so a new or changed subject is found by the very
next search.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool
from sqlalchemy.dialects.postgresql import psycopg as pg_psycopg

from xinyong import subjects

_DIALECT = pg_psycopg.dialect()  # type: ignore[no-untyped-call]


@lru_cache
def compiled_search(shape: str) -> tuple[str, dict[str, Any]]:
    """The SQL text of a search shape for psycopg, and the default values of its parameters."""
    compiled = subjects.search_statement(shape).compile(dialect=_DIALECT)
    return str(compiled), dict(compiled.params)


@dataclass
class FastSearch:
    """The connection pool of one server process for the public subject search."""

    conninfo: str
    min_size: int = 4
    max_size: int = 8
    pool: AsyncConnectionPool = field(init=False)

    def __post_init__(self) -> None:
        self.pool = AsyncConnectionPool(
            self.conninfo,
            min_size=self.min_size,
            max_size=self.max_size,
            open=False,
            kwargs={"prepare_threshold": None, "autocommit": True},
        )

    async def open(self) -> None:
        await self.pool.open(wait=True)

    async def close(self) -> None:
        await self.pool.close()

    async def search(self, q: str, *, limit: int = 20) -> list[dict[str, Any]]:
        """The public views of `subjects.search(session, q, limit=limit)`, in its order."""
        plan = subjects.search_plan(q, limit=limit, dialect="postgresql")
        if plan is None:
            return []
        if plan.needs_public_check:  # the route sends these to the sync path (`answers`)
            raise ValueError("a person search needs the disclosure check of the sync path")
        sql, defaults = compiled_search(plan.shape)
        async with self.pool.connection() as conn:
            cur = conn.cursor(row_factory=dict_row)
            await cur.execute(sql, {**defaults, **plan.params})
            rows = await cur.fetchall()
        return [subjects.public_view_of(row) for row in rows]

    @staticmethod
    def answers(q: str) -> bool:
        """Whether the fast path answers this query alone (not a name + ID number search)."""
        plan = subjects.search_plan(q, limit=1, dialect="postgresql")
        return plan is None or not plan.needs_public_check
