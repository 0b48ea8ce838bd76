"""Builders for records (inert facts): one current version, with provenance filled in."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from xinyong import archive
from xinyong.db import lean_record
from xinyong.db.tables import Record, Subject

_serial = iter(range(1, 10**9))


def make_record(
    session: Session,
    subject: Subject,
    *,
    info_class: str = "penalty",
    decision_date: date | None = date(2026, 6, 1),
    data: dict[str, Any] | None = None,
    **over: Any,
) -> Record:
    n = next(_serial)
    fields = data or {"decision_number": f"示市监罚〔2026〕{n}号", "penalty_kinds": ["罚款"]}
    record = Record(
        subject_id=subject.id,
        info_class=info_class,
        natural_key=f"{info_class}-{n}-{subject.code}",
        version=1,
        is_current=True,
        status="active",
        decision_number=fields.get("decision_number"),
        decision_date=decision_date,
        catalog_version="test",
        content_hash=archive.content_hash(fields),
        data=fields,
    )
    for key, value in over.items():
        setattr(record, key, value)
    # stored lean, as archive's writers store it (source_row gives `fields` back)
    record.data = lean_record.lean(record.info_class, record.natural_key, record, fields)
    session.add(record)
    session.flush()
    return record
