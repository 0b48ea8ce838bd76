"""The joint check's fast read path on PostgreSQL (STYLE.md §2: the one async exception).

# fast read path
Raw psycopg `AsyncConnectionPool`. Concurrent checks are coalesced (`coalesce.py`): one query
fetches the subjects and all their list rows for every check waiting at that moment, the same
pure rules as the sync path build each answer (`rules.answer`), and one group-commit statement
logs all their checks durably before any of them answers. Nothing about subjects or list entries
is cached, so a list change is seen by the very next check. API keys are resolved with one
query and cached in memory (by the key itself, at most `MAX_KEYS`) for `KEY_TTL_SECONDS` (a
deactivated key stops working within that time); the list entry classes of the catalog are
computed once per catalog version.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from psycopg_pool import AsyncConnectionPool

from xinyong import auth, lists
from xinyong.audit import Actor
from xinyong.catalog import Catalog
from xinyong.enums import Role
from xinyong.evaluation import supervision
from xinyong.lists import EntryFacts
from xinyong.measures import joint_check as sync_check
from xinyong.measures import rules
from xinyong.measures.coalesce import Coalescer
from xinyong.measures.rules import CheckAnswer, SubjectFacts

KEY_TTL_SECONDS = 60.0
MAX_KEYS = 10_000
MAX_BATCH = 256

Row = tuple[Any, ...]

_FACTS_SQL = """
WITH s AS (SELECT id, code, code_kind, name, kind FROM subjects WHERE code = ANY(%(codes)s))
SELECT s.id, s.code, s.code_kind, s.name, s.kind,
       f.source, f.source_id, f.list_type, f.decision_number, f.decided_on, f.published_on,
       f.valid_until, f.exited_on, f.authority, f.status, f.data,
       g.grade, g.model_id, g.model_version, g.as_of, g.score
FROM s LEFT JOIN LATERAL (:grade_sql) g ON true
LEFT JOIN LATERAL (
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
""".replace(":grade_sql", supervision.GRADE_SQL)  # the subject's stored grade (a constant)

# One statement with one JSON array parameter (no per-value dumping in Python), so one
# transaction per flush: the rows are committed (durable) when it returns.
_INSERT_SQL = """
INSERT INTO checks (check_id, at, actor_kind, actor_id, actor_label, subject_id, matter, hits,
                    mandatory, answer)
SELECT check_id, at, actor_kind, actor_id, actor_label, subject_id, matter, hits, mandatory, answer
FROM jsonb_to_recordset(%s::jsonb) AS t(check_id varchar, at timestamptz, actor_kind varchar,
     actor_id bigint, actor_label varchar, subject_id bigint, matter varchar, hits int,
     mandatory int, answer jsonb)
"""

_KEY_SQL = "SELECT id, name, role, provider_id, active FROM api_clients WHERE key_hash = %s"


def facts_from_rows(
    rows: list[Row], classes: dict[str, str | None]
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
        elif source == "imported" and list_type in classes:  # batch may span a catalog reload
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


def grade_from_rows(rows: list[Row]) -> supervision.GradeRow | None:
    """The subject's stored grade from the `g.*` columns of `_FACTS_SQL` (same on every row)."""
    if not rows or rows[0][16] is None:
        return None
    return supervision.GradeRow(*rows[0][16:21])


@dataclass(frozen=True, slots=True)
class Encoded:
    """An answer and its JSON text: the response body and the logged answer are the same."""

    answer: CheckAnswer
    body: str


@dataclass
class FastCheck:
    """Pool, key cache, coalesced reader and group-commit log writer of one server process."""

    conninfo: str
    min_size: int = 4
    max_size: int = 8
    pool: AsyncConnectionPool = field(init=False)
    _keys: dict[str, tuple[float, Actor | None]] = field(default_factory=dict)
    _classes: tuple[str, dict[str, str | None]] = ("", {})
    _reader: Coalescer[tuple[str, frozenset[str]], list[Row]] = field(init=False)
    _writer: Coalescer[str, None] = field(init=False)

    def __post_init__(self) -> None:
        self.pool = AsyncConnectionPool(
            self.conninfo,
            min_size=self.min_size,
            max_size=self.max_size,
            open=False,
            kwargs={"prepare_threshold": 0, "autocommit": True},
        )
        self._reader = Coalescer(self._read, MAX_BATCH)
        self._writer = Coalescer(self._write, MAX_BATCH)

    async def open(self) -> None:
        await self.pool.open(wait=True)
        self._reader.start()
        self._writer.start()

    async def close(self) -> None:
        await self._reader.stop()
        await self._writer.stop()
        await self.pool.close()

    async def actor_for_key(self, key: str) -> Actor | None:
        cached = self._keys.get(key)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        async with self.pool.connection() as conn:
            cur = await conn.execute(_KEY_SQL, (auth.token_digest(key),))
            row = await cur.fetchone()
        actor = None
        if row is not None and row[4]:
            actor = Actor("api_client", row[0], f"接口:{row[1]}", Role(row[2]), row[3])
        if len(self._keys) >= MAX_KEYS:  # random keys must not grow the cache without bound
            self._keys.clear()
        self._keys[key] = (time.monotonic() + KEY_TTL_SECONDS, actor)
        return actor

    async def check(
        self, code: str, matter: str, *, catalog: Catalog, actor: Actor, today: date
    ) -> CheckAnswer:
        """Same preconditions and rules as `joint_check.check`; logged before it returns."""
        return (await self.check_encoded(code, matter, catalog=catalog, actor=actor,
                                         today=today)).answer  # fmt: skip

    async def check_encoded(
        self, code: str, matter: str, *, catalog: Catalog, actor: Actor, today: date
    ) -> Encoded:
        normalised = sync_check.prepare(code, matter, catalog=catalog, actor=actor, today=today)
        classes = self._list_classes(catalog)
        rows = await self._reader.submit((normalised, frozenset(classes)))
        subject, facts = facts_from_rows(rows, classes)
        ans = rules.answer(
            rules.new_check_id(), normalised, subject, facts, matter, catalog=catalog, today=today,
            grading=supervision.check_grading(grade_from_rows(rows), matter),
        )  # fmt: skip
        body = sync_check.answer_json(ans)
        fields = sync_check.log_fields(ans, actor)
        fields["at"] = fields["at"].isoformat()
        log = json.dumps(fields, ensure_ascii=False)
        await self._writer.submit(f'{log[:-1]}, "answer": {body}}}')  # the answer spliced in
        return Encoded(ans, body)

    def _list_classes(self, catalog: Catalog) -> dict[str, str | None]:
        version, classes = self._classes
        if version != catalog.version:
            classes = lists.list_entry_classes(catalog)
            self._classes = (catalog.version, classes)
        return classes

    async def _read(self, items: list[tuple[str, frozenset[str]]]) -> list[list[Row]]:
        codes = sorted({code for code, _classes in items})
        classes = sorted(frozenset[str]().union(*(c for _code, c in items)))
        async with self.pool.connection() as conn:
            cur = await conn.execute(_FACTS_SQL, {"codes": codes, "classes": classes})
            found = await cur.fetchall()
        by_code: dict[str, list[Row]] = defaultdict(list)
        for r in found:
            by_code[r[1]].append(r)
        return [by_code.get(code, []) for code, _classes in items]

    async def _write(self, rows: list[str]) -> list[None]:
        async with self.pool.connection() as conn:
            await conn.execute(_INSERT_SQL, ("[" + ",".join(rows) + "]",))
        return [None] * len(rows)
