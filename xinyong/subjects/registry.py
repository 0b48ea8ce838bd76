"""Subject registry: register and find credit subjects by USCC or ID number.

Owns: the `subjects` rows, matching by identifier (never by name alone), the check that a code
fits the subject's kind, one and bulk registration (COPY on PostgreSQL), lookup by public ref.
Does not: hold records (archive) or decide disclosure.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    func,
    insert,
    select,
)
from sqlalchemy.orm import Session

from xinyong import audit, identifiers
from xinyong.audit import Actor, AuditAction
from xinyong.db.base import is_row_id
from xinyong.db.tables import Subject
from xinyong.enums import SubjectKind, SubjectStatus
from xinyong.errors import Conflict, InvalidInput, NotFound
from xinyong.subjects.public import PERSON_REF, new_public_token, public_code


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
    _audit_many(session, actor, len(rows), reason)
    return len(rows)


def _audit_many(session: Session, actor: Actor, count: int, reason: str) -> None:
    audit.record(
        session,
        actor,
        AuditAction.SUBJECT_REGISTERED,
        target_type="subject",
        target_id=None,
        after={"count": count},
        reason=reason,
    )


def register_unverified(
    session: Session,
    codes: Sequence[str],
    names: Sequence[str],
    kinds: Sequence[str],
    *,
    actor: Actor,
    today: date,
    reason: str,
) -> int:
    """`register_many(validated=True)` of codes checked upstream as unverified subjects (the
    codes a collection chunk names that nobody has registered), as columns: on PostgreSQL one
    COPY of a CSV Polars writes, with the row of `_row` for every column but the code, its
    kind, the name and a person's public token — no dict, no Python value per cell (issue 17:
    ~20 µs of Python a new subject). Elsewhere, or a code `identifiers.classify` cannot tell:
    `register_many`."""
    code_kinds = [identifiers.classify(code) for code in codes]
    if session.get_bind().dialect.name != "postgresql" or None in code_kinds:
        new = [NewSubject(code=c, name=n, kind=SubjectKind(k), verified=False)
               for c, n, k in zip(codes, names, kinds, strict=True)]  # fmt: skip
        return register_many(session, new, actor=actor, today=today, reason=reason, validated=True)
    if not codes:
        return 0
    import polars as pl  # noqa: PLC0415  (heavy: only the bulk path needs it)

    same = _row(NewSubject(code="", name="", kind=SubjectKind.ENTERPRISE, verified=False), "", "")
    varying = {
        "kind": [SubjectKind(k).value for k in kinds],
        "code": list(codes),
        "code_kind": code_kinds,
        "name": [n.strip() for n in names],
        "public_token": [new_public_token() if k == "id_number" else None for k in code_kinds],
    }
    columns = {
        c: varying[c] if c in varying else pl.repeat(_copy_value(v), len(codes), eager=True)
        for c, v in same.items()
    }
    frame = pl.DataFrame(columns)
    session.flush()
    raw = session.connection().connection.driver_connection
    assert raw is not None
    buffer = io.BytesIO()
    frame.write_csv(buffer, include_header=False)
    sql = f"COPY subjects ({', '.join(frame.columns)}) FROM STDIN (FORMAT csv)"
    with raw.cursor() as cursor, cursor.copy(sql) as copy:
        copy.write(buffer.getbuffer())
    _audit_many(session, actor, len(codes), reason)
    return len(codes)


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
