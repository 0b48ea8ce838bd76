"""The joint check's fast read path on PostgreSQL (STYLE.md §2: the one async exception).

# fast read path
Raw psycopg `AsyncConnectionPool`: one round trip fetches the subject and all its list rows, the
same pure rules as the sync path build the answer (`rules.answer`), and a group-commit writer logs
the check durably before the answer is returned: concurrent checks wait together for one
transaction that inserts all their log rows. API keys are resolved with one query and cached for
`KEY_TTL_SECONDS` (a deactivated key stops working within that time).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from psycopg.types.json import Jsonb
from psycopg_pool import AsyncConnectionPool

from xinyong import auth, lists
from xinyong.audit import Actor
from xinyong.catalog import Catalog
from xinyong.enums import Role
from xinyong.lists import EntryFacts
from xinyong.measures import joint_check as sync_check
from xinyong.measures import rules
from xinyong.measures.rules import CheckAnswer, SubjectFacts

KEY_TTL_SECONDS = 60.0
MAX_BATCH = 256

_FACTS_SQL = """
WITH s AS (SELECT id, code, code_kind, name, kind FROM subjects WHERE code = %(code)s)
SELECT s.id, s.code, s.code_kind, s.name, s.kind,
       f.source, f.source_id, f.list_type, f.decision_number, f.decided_on, f.published_on,
       f.valid_until, f.exited_on, f.authority, f.status, f.data
FROM s LEFT JOIN LATERAL (
    SELECT 'platform' AS source, e.id AS source_id, e.list_type, e.decision_number,
           e.decided_on, e.published_on, e.valid_until, e.exited_on,
           e.deciding_authority AS authority, 'active' AS status, NULL::jsonb AS data
    FROM list_entries e WHERE e.subject_id = s.id AND e.decided_on IS NOT NULL
    UNION ALL
    SELECT 'imported', r.id, r.info_class, r.decision_number, r.decision_date, r.decision_date,
           r.valid_until, NULL, r.authority_name, r.status, r.data::jsonb
    FROM records r
    WHERE r.subject_id = s.id AND r.is_current AND r.info_class = ANY(%(classes)s)
) f ON true
"""

_INSERT_SQL = """
INSERT INTO checks (check_id, at, actor_kind, actor_id, actor_label, subject_id, matter, hits,
                    mandatory, answer)
VALUES (%(check_id)s, %(at)s, %(actor_kind)s, %(actor_id)s, %(actor_label)s, %(subject_id)s,
        %(matter)s, %(hits)s, %(mandatory)s, %(answer)s)
"""

_KEY_SQL = "SELECT id, name, role, provider_id, active FROM api_clients WHERE key_hash = %s"


def facts_from_rows(
    rows: list[tuple[Any, ...]], classes: dict[str, str | None]
) -> tuple[SubjectFacts | None, list[EntryFacts]]:
    """Rows of `_FACTS_SQL` → the same plain facts the sync path builds."""
    if not rows:
        return None, []
    subject = SubjectFacts(*rows[0][:5])
    facts = []
    for r in rows:
        source, source_id, list_type, number, decided, published, until, exited, authority = r[5:14]
        if source == "platform":
            facts.append(
                EntryFacts(
                    "platform",
                    source_id,
                    subject.id,
                    list_type,
                    number,
                    decided,
                    published,
                    until,
                    exited,
                    authority,
                )
            )
        elif source == "imported":
            facts.append(
                lists.validity.imported_facts(
                    source_id,
                    subject.id,
                    classes.get(list_type),
                    r[15] or {},
                    status=r[14],
                    decision_number=number,
                    decision_date=decided,
                    valid_until=until,
                    authority_name=authority,
                )
            )
    return subject, facts


@dataclass
class _Pending:
    row: dict[str, Any]
    done: asyncio.Future[None]


@dataclass
class FastCheck:
    """Pool, key cache and group-commit log writer of one server process."""

    conninfo: str
    min_size: int = 4
    max_size: int = 8
    pool: AsyncConnectionPool = field(init=False)
    _keys: dict[str, tuple[float, Actor | None]] = field(default_factory=dict)
    _queue: asyncio.Queue[_Pending] = field(default_factory=asyncio.Queue)
    _writer: asyncio.Task[None] | None = None

    def __post_init__(self) -> None:
        self.pool = AsyncConnectionPool(
            self.conninfo,
            min_size=self.min_size,
            max_size=self.max_size,
            open=False,
            kwargs={"prepare_threshold": 0, "autocommit": True},
        )

    async def open(self) -> None:
        await self.pool.open(wait=True)
        self._writer = asyncio.get_running_loop().create_task(self._write_forever())

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.cancel()
        await self.pool.close()

    async def actor_for_key(self, key: str) -> Actor | None:
        digest = auth.token_digest(key)
        cached = self._keys.get(digest)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        async with self.pool.connection() as conn:
            row = await (await conn.execute(_KEY_SQL, (digest,))).fetchone()
        actor = None
        if row is not None and row[4]:
            actor = Actor("api_client", row[0], f"接口:{row[1]}", Role(row[2]), row[3])
        self._keys[digest] = (time.monotonic() + KEY_TTL_SECONDS, actor)
        return actor

    async def check(
        self, code: str, matter: str, *, catalog: Catalog, actor: Actor, today: date
    ) -> CheckAnswer:
        """Same preconditions and rules as `check.check`; logged before it returns."""
        normalised = sync_check.prepare(code, matter, catalog=catalog, actor=actor, today=today)
        classes = lists.list_entry_classes(catalog)
        async with self.pool.connection() as conn:
            cur = await conn.execute(_FACTS_SQL, {"code": normalised, "classes": list(classes)})
            rows = await cur.fetchall()
        subject, facts = facts_from_rows(rows, classes)
        ans = rules.answer(
            rules.new_check_id(), normalised, subject, facts, matter, catalog=catalog, today=today
        )
        await self._log(sync_check.log_row(ans, actor))
        return ans

    async def _log(self, row: dict[str, Any]) -> None:
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        await self._queue.put(_Pending({**row, "answer": Jsonb(row["answer"])}, done))
        await done

    async def _write_forever(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while not self._queue.empty() and len(batch) < MAX_BATCH:
                batch.append(self._queue.get_nowait())
            try:
                async with self.pool.connection() as conn, conn.transaction(), conn.cursor() as cur:
                    await cur.executemany(_INSERT_SQL, [p.row for p in batch])
            except Exception as exc:  # every waiting check must learn of the failure
                for p in batch:
                    p.done.set_exception(exc)
                continue
            for p in batch:
                p.done.set_result(None)
