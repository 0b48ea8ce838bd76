"""The joint check's fast read path on PostgreSQL (STYLE.md §2: the one async exception).

# fast read path
Raw psycopg `AsyncConnectionPool`. Concurrent checks are coalesced (`coalesce.py`): one query
fetches the subjects and all their list rows for every check waiting at that moment, the same
pure rules as the sync path build each answer (`rules.answer`), and one group-commit statement
logs all their checks durably before any of them answers. Nothing about subjects or list entries
is cached, so a list change is seen by the very next check. The SQL is not written here: the
entry facts are `lists.facts_statement` (the sync path's query) in a LATERAL join to the
subjects asked about, and the key lookup is `auth.API_KEY_STATEMENT`, both compiled once for
psycopg; rows become facts and clients through `lists.facts_of_row` and `auth.key_client`.
Key rows are cached in memory (by the key itself, at most `MAX_KEYS`) for `KEY_TTL_SECONDS` (a
deactivated key stops working within that time); every call is still admitted by
`auth.KeyClient.admit` (the key's scope, its rate limit) as on the sync path; the list entry
classes of the catalog are computed once per catalog version. A client's `last_used_at` is
written with a log batch, at most once a minute per client (`auth.UseMarks`). The log row is
`replay.log_fields`, as on the sync path (what reproduces the answer and its digest); the web
route returns the answer's JSON text.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from psycopg.rows import namedtuple_row
from psycopg_pool import AsyncConnectionPool
from sqlalchemy import String, any_, bindparam, func, select, true
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import psycopg as pg_psycopg

from xinyong import audit, auth, clock, lists
from xinyong.audit import Actor
from xinyong.catalog import Catalog
from xinyong.db.tables import Subject
from xinyong.evaluation import sector_grades, supervision
from xinyong.lists import EntryFacts
from xinyong.measures import joint_check as sync_check
from xinyong.measures import replay, rules
from xinyong.measures.coalesce import Coalescer
from xinyong.measures.rules import CheckAnswer, SubjectFacts

KEY_TTL_SECONDS = 60.0
MAX_KEYS = 10_000
MAX_BATCH = 256

Row = Any  # a psycopg named-tuple row of `facts_sql`

_DIALECT = pg_psycopg.dialect()  # type: ignore[no-untyped-call]
_TEXTS = ARRAY(String)


@lru_cache(maxsize=1)
def facts_sql() -> tuple[str, dict[str, Any]]:
    """The subjects with these codes, the stored grade, the sector grades (one JSON array) and
    every entry fact of each,
    as SQL text for psycopg and the values of its constant parameters."""
    s = (
        select(Subject.id, Subject.code, Subject.code_kind, Subject.name, Subject.kind)
        .where(Subject.code == any_(bindparam("codes", type_=_TEXTS)))
        .cte("s")
    )
    f = lists.facts_statement(bindparam("classes", type_=_TEXTS), s.c.id).lateral("f")
    g = supervision.grade_statement(s.c.id).lateral("g")  # the subject's stored grade
    found = sector_grades.statement(s.c.id).correlate(s).subquery("sgr")  # as one row:
    sg = select(
        func.json_agg(func.json_build_array(*(found.c[n] for n in sector_grades.COLUMNS))).label(
            "sector_grades"
        )
    ).lateral("sg")
    stmt = select(
        s, *(g.c[name] for name in supervision.GRADE_COLUMNS), g.c.result_id, sg.c.sector_grades,
        *(f.c[name] for name in lists.FACT_COLUMNS),
    ).select_from(s.outerjoin(g, true()).outerjoin(sg, true()).outerjoin(f, true()))  # fmt: skip
    compiled = stmt.compile(dialect=_DIALECT)
    return str(compiled), dict(compiled.params)


@lru_cache(maxsize=1)
def key_sql() -> str:
    return str(auth.API_KEY_STATEMENT.compile(dialect=_DIALECT))


@lru_cache(maxsize=1)
def last_used_sql() -> str:
    return str(auth.LAST_USED_STATEMENT.compile(dialect=_DIALECT))


# One statement with one JSON array parameter (no per-value dumping in Python), so one
# transaction per flush: the rows are committed (durable) when it returns.
_INSERT_SQL = """
INSERT INTO checks (check_id, at, actor_kind, actor_id, actor_label, subject_id, matter, hits,
                    mandatory, catalog_version, checked_on, code, basis, digest)
SELECT check_id, at, actor_kind, actor_id, actor_label, subject_id, matter, hits, mandatory,
       catalog_version, checked_on, code, basis, digest
FROM jsonb_to_recordset(%s::jsonb) AS t(check_id varchar, at timestamptz, actor_kind varchar,
     actor_id bigint, actor_label varchar, subject_id bigint, matter varchar, hits int,
     mandatory int, catalog_version varchar, checked_on date, code varchar, basis jsonb,
     digest varchar)
"""


def facts_from_rows(
    rows: list[Row], classes: dict[str, str | None]
) -> tuple[SubjectFacts | None, list[EntryFacts]]:
    """Rows of `facts_sql` (one subject) → the same plain facts the sync path builds."""
    if not rows:
        return None, []
    first = rows[0]
    subject = SubjectFacts(first.id, first.code, first.code_kind, first.name, first.kind)
    found = (lists.facts_of_row(r, classes) for r in rows)
    return subject, [f for f in found if f is not None]


def grade_from_rows(rows: list[Row]) -> supervision.GradeRow | None:
    """The subject's stored grade from the grade columns of `facts_sql` (same on every row)."""
    if not rows or rows[0].grade is None:
        return None
    first = rows[0]
    grade, model_id, model_version, as_of, score = (
        getattr(first, name) for name in supervision.GRADE_COLUMNS
    )
    return supervision.GradeRow(grade, model_id, model_version, as_of, score, first.result_id)


def sector_grades_from_rows(rows: list[Row]) -> list[sector_grades.SectorGradeRow]:
    """The subject's sector-grade records from the aggregated column of `facts_sql`."""
    if not rows or not rows[0].sector_grades:
        return []
    return [sector_grades.SectorGradeRow.of(v) for v in rows[0].sector_grades]


@dataclass(frozen=True, slots=True)
class Encoded:
    """An answer and the JSON text logged for it (web returns exactly this text as the body)."""

    answer: CheckAnswer
    body: str


@dataclass
class FastCheck:
    """Pool, key cache, coalesced reader and group-commit log writer of one server process."""

    conninfo: str
    min_size: int = 4
    max_size: int = 8
    pool: AsyncConnectionPool = field(init=False)
    _keys: dict[str, tuple[float, auth.KeyClient | None]] = field(default_factory=dict)
    _uses: auth.UseMarks = field(default_factory=auth.UseMarks)
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

    async def client_for_key(self, key: str) -> auth.KeyClient | None:
        """The client of a presented key (`auth.key_client`), cached; the caller admits each
        call through `KeyClient.admit` (scope, rate limit), as the sync path does."""
        cached = self._keys.get(key)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        async with self.pool.connection() as conn:
            cur = conn.cursor(row_factory=namedtuple_row)
            await cur.execute(key_sql(), auth.api_key_params(key))
            client = auth.key_client(await cur.fetchone())
        if len(self._keys) >= MAX_KEYS:  # random keys must not grow the cache without bound
            self._keys.clear()
        self._keys[key] = (time.monotonic() + KEY_TTL_SECONDS, client)
        return client

    def note_use(self, client_id: int) -> None:
        """An admitted call of the client: its last_used_at is written with the next log batch
        when due (`auth.UseMarks`: at most once a minute per client and process)."""
        self._uses.note(client_id, clock.now())

    async def write_use(self, client_id: int) -> None:
        """An admitted call outside the check log (a report): the client's last_used_at is
        written now when due (`auth.UseMarks`: at most once a minute per client and process)."""
        self.note_use(client_id)
        used = self._uses.take()
        if used:
            async with self.pool.connection() as conn, conn.cursor() as cur:
                await cur.executemany(last_used_sql(), used)

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
        grade, graded = grade_from_rows(rows), sector_grades_from_rows(rows)
        ans = rules.answer(
            rules.new_check_id(), normalised, subject, facts, matter, catalog=catalog, today=today,
            grading=supervision.check_grading(grade, matter, graded, catalog=catalog, today=today),
        )  # fmt: skip
        log = json.dumps(replay.log_fields(ans, actor, grade, graded), ensure_ascii=False,
                         default=audit.jsonable)  # fmt: skip
        await self._writer.submit(log)
        return Encoded(ans, sync_check.answer_json(ans))

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
            cur = conn.cursor(row_factory=namedtuple_row)
            sql, constants = facts_sql()
            await cur.execute(sql, {**constants, "codes": codes, "classes": classes})
            found: list[Row] = await cur.fetchall()
        by_code: dict[str, list[Row]] = defaultdict(list)
        for r in found:
            by_code[r.code].append(r)
        return [by_code.get(code, []) for code, _classes in items]

    async def _write(self, rows: list[str]) -> list[None]:
        used = self._uses.take()
        async with self.pool.connection() as conn:
            await conn.execute(_INSERT_SQL, ("[" + ",".join(rows) + "]",))
            if used:  # once a minute per client at most: not a write per request
                async with conn.cursor() as cur:
                    await cur.executemany(last_used_sql(), used)
        return [None] * len(rows)
