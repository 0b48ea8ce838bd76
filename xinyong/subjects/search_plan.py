"""Subject search: the plan of a query (`search_plan`) and the one statement of each plan shape
(`search_statement`), shared by the ORM path (`search`) and the fast read path (subjects_fast)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ARRAY,
    Integer,
    Select,
    Text,
    bindparam,
    cast,
    func,
    literal_column,
    or_,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import array
from sqlalchemy.orm import Session

from xinyong import identifiers
from xinyong.db.tables import Subject
from xinyong.enums import SubjectKind

MAX_SEARCH = 100
SEARCH_CANDIDATES = 1000  # matches ranked per query; more → ask for a longer keyword
BIGRAM = 2
TRIGRAM = 3


def search(session: Session, q: str, *, limit: int = 20) -> list[Subject]:
    """Find subjects by exact code, or by a keyword in the name or a former name.

    Persons are not enumerable: a natural person is found only by the exact full name together
    with the full ID number in one query ("张伟 110101…" in either order — as court-defaulter
    lookups do); a bare code or a keyword never lists one. Whether the person found has anything
    public decides whether it may be shown at all — the caller asks (`PERSON_SHAPE` plans need it;
    web/profile.public_search does it for every surface).

    Same semantics on both databases: the keyword is a substring (case-sensitive) of the name or
    of a former name. Up to SEARCH_CANDIDATES matches are ranked, shortest name first (the
    closest match to the keyword), then by id. The indexes are made in the disclosure search
    migration: PostgreSQL pg_trgm GIN (3+ characters) and a bigram GIN (2 characters); SQLite
    FTS5 trigram (3+ characters) and a scan for 1–2 characters. The search fast read path
    (`subjects_fast.py`) runs the same plan and statement.
    """
    plan = search_plan(q, limit=limit, dialect=session.get_bind().dialect.name)
    if plan is None:
        return []
    return list(session.execute(search_statement(plan.shape), plan.params).scalars())


PERSON_SHAPE = "person"


@dataclass(frozen=True, slots=True)
class SearchPlan:
    """Which statement answers a search (`search_statement(shape)`) and its parameters."""

    shape: str  # "code" | "person" | "pg_bigram" | "pg_keyword" | "sqlite_phrase" | "sqlite_scan"
    params: dict[str, Any]

    @property
    def needs_public_check(self) -> bool:
        """A person found must have something currently public to be listed (disclosure decides,
        so this plan is answered where the archive can be read: the sync path)."""
        return self.shape == PERSON_SHAPE


def _person_query(q: str) -> tuple[str, str] | None:
    """(full name, ID number) when the query is a name and a full ID number, in either order."""
    parts = q.split(" ")
    for i, part in enumerate(parts):
        if identifiers.classify(part) == "id_number":
            name = " ".join(parts[:i] + parts[i + 1 :]).strip()
            return (name, identifiers.normalise(part)) if name else None
    return None


def _exact_plan(q: str) -> SearchPlan | None:
    """A bare code (never a person), or a person's full name with the full ID number."""
    if identifiers.classify(q) is not None:
        return SearchPlan("code", {"code": identifiers.normalise(q)})
    person = _person_query(q)
    if person is not None:
        return SearchPlan(PERSON_SHAPE, {"name": person[0], "code": person[1]})
    return None


def search_plan(q: str, *, limit: int, dialect: str) -> SearchPlan | None:
    """The plan of a search on `dialect` ("postgresql" or "sqlite"); None: nothing to search."""
    q = " ".join(q.split())
    if not q:
        return None
    limit = min(limit, MAX_SEARCH)
    exact = _exact_plan(q)
    if exact is not None:
        return exact
    if dialect == "postgresql" and len(q) == BIGRAM:
        return SearchPlan("pg_bigram", {"q": q, "limit": limit})
    if dialect == "postgresql":
        return SearchPlan("pg_keyword", {"pattern": f"%{_escape_like(q)}%", "limit": limit})
    if len(q) >= TRIGRAM:
        return SearchPlan("sqlite_phrase", {"phrase": '"' + q.replace('"', '""') + '"',
                                            "limit": limit})  # fmt: skip
    return SearchPlan("sqlite_scan", {"q": q, "limit": limit})


@lru_cache
def search_statement(shape: str) -> Select[Subject]:
    """The one statement of a search shape, with named parameters (see `search_plan`).

    Names: at most SEARCH_CANDIDATES matches (id and name length, read in the index scan), the
    best `limit` of them by length(name), id, and only those rows read in full. No shape but
    `person` ever returns a natural person.
    """
    not_person = Subject.kind != SubjectKind.PERSON.value
    if shape == "code":
        return select(Subject).where(Subject.code == bindparam("code"), not_person)
    if shape == PERSON_SHAPE:
        return select(Subject).where(
            Subject.code == bindparam("code"),
            Subject.name == bindparam("name"),
            Subject.kind == SubjectKind.PERSON.value,
        )
    candidates = (
        {
            "pg_bigram": _pg_bigram_candidates,
            "pg_keyword": _pg_keyword_candidates,
            "sqlite_phrase": _sqlite_phrase_candidates,
            "sqlite_scan": _sqlite_scan_candidates,
        }[shape]()
        .where(not_person)
        .limit(SEARCH_CANDIDATES)
        .subquery("candidates")
    )
    best = (
        select(candidates.c.id, candidates.c.len)
        .order_by(candidates.c.len, candidates.c.id)
        .limit(bindparam("limit", type_=Integer))
        .subquery("best")
    )
    return select(Subject).join(best, Subject.id == best.c.id).order_by(best.c.len, best.c.id)


def _names() -> Any:
    return func.xinyong_subject_names(Subject.name, Subject.former_names)


def _ranked(*where: Any) -> Select[Any]:
    return select(Subject.id, func.length(Subject.name).label("len")).where(*where)


def _pg_bigram_candidates() -> Select[Any]:
    wanted = cast(array([bindparam("q", type_=Text())]), ARRAY(Text()))
    return _ranked(func.xinyong_bigrams(_names()).op("@>")(wanted))


def _pg_keyword_candidates() -> Select[Any]:
    return _ranked(_names().like(bindparam("pattern"), escape="\\"))


def _sqlite_phrase_candidates() -> Select[Any]:
    fts = (
        select(literal_column("rowid", Integer))
        .select_from(text("subjects_fts"))
        .where(text("subjects_fts MATCH :phrase"))
    )
    return _ranked(Subject.id.in_(fts))


def _sqlite_scan_candidates() -> Select[Any]:
    q = bindparam("q", type_=Text())
    former = (
        select(literal_column("1"))
        .select_from(func.json_each(Subject.former_names))
        .where(func.instr(literal_column("value"), q) > 0)
        .exists()
    )
    return _ranked(or_(func.instr(Subject.name, q) > 0, former))


def _escape_like(q: str) -> str:
    return q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
