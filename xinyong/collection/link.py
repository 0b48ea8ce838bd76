"""Link: identifiers → subjects. By USCC or ID number only, never by name.

An identifier nobody has registered creates a subject marked unverified; a name that differs
from the registry is reported as a warning (the row still links by its code).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong import subjects
from xinyong.audit import Actor
from xinyong.collection.validate import ValidRow
from xinyong.db.tables import Subject
from xinyong.subjects import NewSubject

_IN_CHUNK = 900  # stays under SQLite's bound-parameter limit


def _known(session: Session, codes: Sequence[str]) -> dict[str, tuple[int, str, list[str]]]:
    found: dict[str, tuple[int, str, list[str]]] = {}
    for start in range(0, len(codes), _IN_CHUNK):
        part = codes[start : start + _IN_CHUNK]
        stmt = select(Subject.code, Subject.id, Subject.name, Subject.former_names).where(
            Subject.code.in_(part)
        )
        for code, subject_id, name, former in session.execute(stmt):
            found[code] = (subject_id, name, list(former or []))
    return found


def link(
    session: Session, rows: Sequence[ValidRow], *, batch_id: int, actor: Actor, today: date
) -> tuple[dict[str, int], list[str]]:
    """Subject id per code (registering unknown codes as unverified) and name warnings."""
    codes = sorted({r.subject_code for r in rows})
    known = _known(session, codes)
    warnings = []
    for row in rows:
        hit = known.get(row.subject_code)
        if hit and row.subject_name and row.subject_name not in (hit[1], *hit[2]):
            warnings.append(
                f"第{row.row_no}行：名称“{row.subject_name}”与主体库登记名称“{hit[1]}”不一致"
                "（已按代码关联，请核实）"
            )
    first: dict[str, ValidRow] = {}
    for row in rows:
        if row.subject_code not in known:
            first.setdefault(row.subject_code, row)
    if first:
        new = [
            NewSubject(
                code=r.subject_code, name=r.subject_name, kind=r.subject_kind, verified=False
            )
            for r in first.values()
        ]
        reason = f"归集批次 {batch_id} 中出现的新主体（未核验）"
        subjects.register_many(session, new, actor=actor, today=today, reason=reason)
        known.update(_known(session, list(first)))
    return {code: hit[0] for code, hit in known.items()}, warnings
