"""Link: identifiers → subjects. By USCC or ID number only, never by name.

An identifier nobody has registered creates a subject marked unverified; a name that differs
from the registry is reported as a warning (the row still links by its code). Set-based: one
query for the chunk's distinct codes, one bulk registration of the unknown ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong import subjects
from xinyong.audit import Actor
from xinyong.collection.store import matching
from xinyong.db.tables import Subject
from xinyong.enums import SubjectKind
from xinyong.subjects import NewSubject

_KNOWN = {"subject_code": pl.String, "subject_id": pl.Int64, "registered_name": pl.String}


def _known(session: Session, codes: Sequence[str]) -> tuple[pl.DataFrame, dict[str, list[str]]]:
    """Subject id and registered name per code, and the former names where there are any."""
    rows: list[tuple[Any, ...]] = []
    former: dict[str, list[str]] = {}
    for clause in matching(session, Subject.code, codes):
        stmt = select(Subject.code, Subject.id, Subject.name, Subject.former_names).where(clause)
        for code, subject_id, name, names in session.execute(stmt):
            rows.append((code, subject_id, name))
            if names:
                former[code] = list(names)
    return pl.DataFrame(rows, schema=_KNOWN, orient="row"), former


def link(
    session: Session, rows: pl.DataFrame, *, batch_id: int, actor: Actor, today: date
) -> tuple[pl.DataFrame, list[str]]:
    """Subject id per code (registering unknown codes as unverified) and name warnings.

    `rows` are accepted rows in source order (subject_code, subject_name, subject_kind, row_no).
    """
    firsts = rows.unique("subject_code", keep="first", maintain_order=True)
    known, former = _known(session, firsts["subject_code"].to_list())
    warnings = _name_warnings(rows, known, former)
    unknown = firsts.join(known, on="subject_code", how="anti")
    if unknown.height:
        new = [
            NewSubject(code=code, name=name, kind=SubjectKind(kind), verified=False)
            for code, name, kind in unknown.select(
                "subject_code", "subject_name", "subject_kind"
            ).iter_rows()
        ]
        reason = f"归集批次 {batch_id} 中出现的新主体（未核验）"
        subjects.register_many(session, new, actor=actor, today=today, reason=reason)
        added, _ = _known(session, unknown["subject_code"].to_list())
        known = pl.concat([known, added])
    return known.select("subject_code", "subject_id"), warnings


def _name_warnings(
    rows: pl.DataFrame, known: pl.DataFrame, former: dict[str, list[str]]
) -> list[str]:
    differing = (
        rows.select("row_no", "subject_code", "subject_name")
        .join(known, on="subject_code", how="inner")
        .filter(
            (pl.col("subject_name") != "") & (pl.col("subject_name") != pl.col("registered_name"))
        )
        .sort("row_no")
    )
    return [
        f"第{row_no}行：名称“{name}”与主体库登记名称“{registered}”不一致（已按代码关联，请核实）"
        for row_no, code, name, _id, registered in differing.iter_rows()
        if name not in former.get(code, ())
    ]
