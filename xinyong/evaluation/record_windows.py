"""The disclosure window of a run's record rows, asked of `disclosure` once per distinct key
(`fact_table.record_rows`): one representative record's stored data and the columns its source
row takes fields from, then `disclosure.disclosure_window` as for any record."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Text, cast, select
from sqlalchemy.orm import Session

from xinyong import disclosure
from xinyong.catalog import Catalog
from xinyong.db import lean_record
from xinyong.db.tables import Record
from xinyong.enums import RecordStatus, Severity

Window = tuple[date | None, str | None, bool]  # (until, severity, published) of a record fact
REPRESENTED = ("decision_number", "valid_from", "valid_until")  # read with a key's one record


def stored_data(
    session: Session, ids: Sequence[int]
) -> dict[int, tuple[dict[str, Any], dict[str, Any]]]:
    """The stored (lean) `data` of these records and the columns the source row takes fields
    from (`REPRESENTED`), by id: the representatives of the window inputs a run has not met
    yet (a few thousand in a whole run, whatever its size)."""
    out: dict[int, tuple[dict[str, Any], dict[str, Any]]] = {}
    columns = [getattr(Record, c) for c in REPRESENTED]
    for start in range(0, len(ids), 900):  # under SQLite's bound-parameter limit
        chunk = list(ids[start : start + 900])
        stmt = select(Record.id, cast(Record.data, Text), *columns).where(Record.id.in_(chunk))
        for rid, text, *values in session.execute(stmt):
            out[rid] = json.loads(text), dict(zip(REPRESENTED, values, strict=True))
    return out


def window(row: dict[str, Any], data: dict[str, Any], catalog: Catalog, today: date) -> Window:
    facts = disclosure.RecordFacts(
        info_class=row["info_class"],
        status=RecordStatus(row["status"]),
        decision_date=row.get("decision_date"),
        data=lean_record.rebuild(row["info_class"], None, row, data),
        severity=Severity(row["severity"]) if row.get("severity") else None,
        provider_kind=row.get("provider_kind"),
        objection_open=False,  # only marks the window (异议处理中); never changes its dates
    )
    w = disclosure.disclosure_window(facts, catalog=catalog, today=today)
    ends = w.disclosure_ends
    severity = w.severity.severity.value if w.severity else None
    return ends, severity, w.shown or (ends is not None and ends < today)
