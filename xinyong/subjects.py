"""Subject registry: register, find and search credit subjects by USCC or ID number.

Owns: the `subjects` rows, matching by identifier (never by name alone), the public view of a
subject (ID numbers masked). Does not: hold records (archive.py) or decide disclosure.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
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
    insert,
    literal_column,
    or_,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import array
from sqlalchemy.orm import Session

from xinyong import audit, identifiers
from xinyong.audit import Actor, AuditAction
from xinyong.db.base import is_row_id
from xinyong.db.tables import Subject
from xinyong.enums import SubjectKind, SubjectStatus
from xinyong.errors import Conflict, InvalidInput, NotFound

MAX_SEARCH = 100
PERSON_REF = "p"
SEARCH_CANDIDATES = 1000  # matches ranked per query; more → ask for a longer keyword
BIGRAM = 2
TRIGRAM = 3


class SubjectNotFound(NotFound):
    code = "subjects.not_found"


class SubjectKindMismatch(InvalidInput):
    code = "subjects.kind_mismatch"


@dataclass(frozen=True, slots=True)
class NewSubject:
    """The facts needed to register a subject."""

    code: str
    name: str
    kind: SubjectKind
    former_names: tuple[str, ...] = ()
    legal_rep: str | None = None
    region_code: str | None = None
    industry_code: str | None = None
    status: SubjectStatus = SubjectStatus.ACTIVE
    registration_authority: str | None = None
    address: str | None = None
    established_on: date | None = None
    registered_on: date | None = None
    verified: bool = True


# ---- pure rules -------------------------------------------------------------------------------


def checked_code(code: str, kind: SubjectKind, *, today: date | None = None) -> tuple[str, str]:
    """Validate the code and that its shape fits the kind: persons have ID numbers, others USCCs.

    个体工商户 may be registered under the operator's ID number when it has no USCC.
    """
    code_kind, normalised = identifiers.validate_subject_code(code, today=today)
    if kind == SubjectKind.PERSON and code_kind != "id_number":
        raise SubjectKindMismatch("自然人应以居民身份证号登记")
    if kind not in (SubjectKind.PERSON, SubjectKind.INDIVIDUAL_BUSINESS) and code_kind != "uscc":
        raise SubjectKindMismatch(f"{kind.label}应以统一社会信用代码登记")
    return code_kind, normalised


def public_code(subject: Subject) -> str:
    return _public_code(subject.code, subject.code_kind)


def public_ref(subject: Subject) -> str:
    """The subject's address on public surfaces: the USCC, or "p<token>" for a subject registered
    under an ID number — a random token (`public_token`), so persons cannot be enumerated, and
    never the ID number, which is not public."""
    return _public_ref(subject.public_token, subject.code, subject.code_kind)


def _public_code(code: str, code_kind: str) -> str:
    return identifiers.mask_code(code) if code_kind == "id_number" else code


def _public_ref(token: str | None, code: str, code_kind: str) -> str:
    return f"{PERSON_REF}{token}" if code_kind == "id_number" else code


def new_public_token() -> str:
    return secrets.token_hex(16)


def get_by_ref(session: Session, ref: str) -> Subject:
    """A subject by its public ref (USCC or p<token>) or its full code.

    The old sequential `p<id>` addresses find nothing."""
    ref = ref.strip()
    if ref.startswith(PERSON_REF):
        token = ref[len(PERSON_REF) :]
        found = session.execute(
            select(Subject).where(Subject.public_token == token)
        ).scalar_one_or_none()
        if found is None:
            raise SubjectNotFound("未找到该信用主体")
        return found
    return get_by_code(session, ref)


def is_person(subject: Subject) -> bool:
    return subject.kind == SubjectKind.PERSON.value


def public_view(subject: Subject) -> dict[str, Any]:
    """What anyone may see about a subject: ID numbers masked, no internal fields."""
    return public_view_of({field: getattr(subject, field) for field in PUBLIC_VIEW_FIELDS})


PUBLIC_VIEW_FIELDS = (
    "id", "public_token", "code", "code_kind", "name", "kind", "status", "region_code",
    "former_names", "legal_rep", "registration_authority", "established_on", "address",
    "industry_code", "verified",
)  # fmt: skip


def public_view_of(row: Mapping[str, Any]) -> dict[str, Any]:
    """The public view of a subject row (any mapping with PUBLIC_VIEW_FIELDS): the one function
    behind both the ORM path and the search fast read path, so masking is identical."""
    kind = SubjectKind(row["kind"])
    person = kind == SubjectKind.PERSON
    return {
        "ref": _public_ref(row["public_token"], row["code"], row["code_kind"]),
        "code": _public_code(row["code"], row["code_kind"]),
        "name": row["name"],
        "kind": kind.value,
        "kind_label": kind.label,
        "status": row["status"],
        "status_label": SubjectStatus(row["status"]).label,
        "region_code": row["region_code"],
        "former_names": [] if person else list(row["former_names"] or []),
        "legal_rep": None if person else row["legal_rep"],
        "registration_authority": None if person else row["registration_authority"],
        "established_on": None if person else row["established_on"],
        "address": None if person else row["address"],
        "industry_code": row["industry_code"],
        # False: known only from other departments' records, not (yet) from registration data
        "verified": bool(row["verified"]),
    }


# ---- queries ----------------------------------------------------------------------------------


def find_by_code(session: Session, code: str) -> Subject | None:
    normalised = identifiers.normalise(code)
    return session.execute(select(Subject).where(Subject.code == normalised)).scalar_one_or_none()


def get_by_code(session: Session, code: str) -> Subject:
    subject = find_by_code(session, code)
    if subject is None:
        raise SubjectNotFound(f"未找到代码为“{identifiers.mask_code(code)}”的信用主体")
    return subject


def get(session: Session, subject_id: int) -> Subject:
    subject = session.get(Subject, subject_id) if is_row_id(subject_id) else None
    if subject is None:
        raise SubjectNotFound(f"未找到编号为 {subject_id} 的信用主体")
    return subject


def list_subjects(
    session: Session, *, limit: int = 50, offset: int = 0, kind: SubjectKind | None = None
) -> list[Subject]:
    stmt = select(Subject).order_by(Subject.id).limit(limit).offset(offset)
    if kind is not None:
        stmt = stmt.where(Subject.kind == kind.value)
    return list(session.execute(stmt).scalars())


def count_subjects(session: Session) -> int:
    return int(session.execute(select(func.count()).select_from(Subject)).scalar_one())


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


# ---- actions ----------------------------------------------------------------------------------


def register(session: Session, new: NewSubject, *, actor: Actor, today: date) -> Subject:
    """Register one subject after validating its code against its kind."""
    code_kind, code = checked_code(new.code, new.kind, today=today)
    if find_by_code(session, code) is not None:
        raise Conflict(f"代码“{identifiers.mask_code(code)}”已登记", code="subjects.exists")
    subject = Subject(**_row(new, code, code_kind))
    session.add(subject)
    session.flush()
    audit.record(
        session,
        actor,
        AuditAction.SUBJECT_REGISTERED,
        target_type="subject",
        target_id=subject.id,
        after={"code": public_code(subject), "name": subject.name, "kind": subject.kind},
    )
    return subject


def register_many(
    session: Session,
    new: Sequence[NewSubject],
    *,
    actor: Actor,
    today: date,
    reason: str,
    validated: bool = False,
) -> int:
    """Bulk registration (demo region, registry imports): one set-based insert, one audit row.
    `validated`: codes normalised and checked upstream (collection), only their kind is read."""
    rows = []
    for item in new:
        kind = identifiers.classify(item.code) if validated else None
        checked = (kind, item.code) if kind else checked_code(item.code, item.kind, today=today)
        rows.append(_row(item, checked[1], checked[0]))
    if not rows:
        return 0
    _insert_many(session, rows)
    session.flush()
    audit.record(
        session,
        actor,
        AuditAction.SUBJECT_REGISTERED,
        target_type="subject",
        target_id=None,
        after={"count": len(rows)},
        reason=reason,
    )
    return len(rows)


def _insert_many(session: Session, rows: list[dict[str, Any]]) -> None:
    """PostgreSQL: one COPY (a collection batch can bring 100k new subjects); else executemany."""
    if session.get_bind().dialect.name != "postgresql":
        session.execute(insert(Subject), rows)
        return
    session.flush()
    raw = session.connection().connection.driver_connection
    assert raw is not None
    sql = f"COPY subjects ({', '.join(rows[0])}) FROM STDIN"
    with raw.cursor() as cursor, cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row([_copy_value(v) for v in row.values()])


def _copy_value(value: object) -> object:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, list) else value


def _row(new: NewSubject, code: str, code_kind: str) -> dict[str, Any]:
    return {
        "kind": new.kind.value,
        "code": code,
        "code_kind": code_kind,
        "name": new.name.strip(),
        "former_names": list(new.former_names),
        "legal_rep": new.legal_rep,
        "region_code": new.region_code,
        "industry_code": new.industry_code,
        "status": new.status.value,
        "registration_authority": new.registration_authority,
        "address": new.address,
        "established_on": new.established_on,
        "registered_on": new.registered_on,
        "verified": new.verified,
        "public_token": new_public_token() if code_kind == "id_number" else None,
    }


def existing_codes(session: Session, codes: Iterable[str]) -> set[str]:
    wanted = list(codes)
    found: set[str] = set()
    for start in range(0, len(wanted), 900):
        chunk = wanted[start : start + 900]
        found.update(session.execute(select(Subject.code).where(Subject.code.in_(chunk))).scalars())
    return found


def by_ids(session: Session, ids: Iterable[int]) -> list[Subject]:
    wanted = sorted(set(ids))
    if not wanted:
        return []
    return list(session.execute(select(Subject).where(Subject.id.in_(wanted))).scalars())
