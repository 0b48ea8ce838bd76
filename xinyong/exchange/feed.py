"""The change feed: the outbox read in order, one change per item, with a stable cursor.

A cursor is "E.R": E the id of the outbox row of the last change handed out, R the id of the
record within it (0 for a row that is one change). An outbox row for a collection chunk stands
for all the record versions that chunk wrote; it is expanded here, in record-id order, so a page
may end inside a chunk and the next page resumes after record R of row E. Rows become visible in
id order (see xinyong/outbox.py), so a cursor never skips a change committed later. "0" (or no
cursor) starts from the beginning.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong import archive, audit, auth
from xinyong.audit import Actor
from xinyong.db.tables import ListEntry, OutboxEntry, Record, Subject
from xinyong.errors import InvalidInput
from xinyong.outbox import Event

MAX_LIMIT = 1000
_ROWS_PER_READ = 200


class BadCursor(InvalidInput):
    code = "exchange.bad_cursor"


@dataclass(frozen=True, slots=True, order=True)
class Cursor:
    entry: int = 0
    record: int = 0

    @classmethod
    def parse(cls, text: str | None) -> Cursor:
        if not text or text == "0":
            return cls()
        head, _, tail = text.partition(".")
        if not head.isdigit() or (tail and not tail.isdigit()):
            raise BadCursor(f"游标“{text[:40]}”格式不对，应为上一页返回的 next_cursor")
        return cls(int(head), int(tail or 0))

    def __str__(self) -> str:
        return f"{self.entry}.{self.record}"


@dataclass(frozen=True, slots=True)
class Page:
    changes: list[dict[str, Any]]
    next_cursor: str
    more: bool

    def as_dict(self) -> dict[str, Any]:
        return {"changes": self.changes, "next_cursor": self.next_cursor, "more": self.more}


def changes(session: Session, *, after: str | None, limit: int, actor: Actor) -> Page:
    """Up to `limit` changes after the cursor, oldest first (API keys with the exchange scope)."""
    auth.require_scope(actor, "exchange")
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"limit 应在 1 到 {MAX_LIMIT} 之间", code="exchange.bad_limit")
    cursor = Cursor.parse(after)
    out: list[dict[str, Any]] = []
    last = cursor
    for position, item in iter_changes(session, cursor):
        if len(out) == limit:
            return Page(out, str(last), more=True)
        out.append({"cursor": str(position), **item})
        last = position
    return Page(out, str(last), more=False)


def walk(session: Session, after: Cursor) -> Iterator[tuple[Cursor, OutboxEntry, Record | None]]:
    """(cursor, outbox row, its record or None) for every change after the cursor, in order;
    rows are read a page at a time, a collection chunk expanded into its record versions."""
    next_entry = after.entry
    while True:
        stmt = select(OutboxEntry).where(OutboxEntry.id >= next_entry).order_by(OutboxEntry.id)
        rows = list(session.execute(stmt.limit(_ROWS_PER_READ)).scalars())
        if not rows:
            return
        for row in rows:
            if row.event == Event.RECORDS_COLLECTED:
                skip = after.record if row.id == after.entry else 0
                for record in chunk_records(session, row, after_record=skip):
                    yield Cursor(row.id, record.id), row, record
            elif row.id > after.entry:
                record = None
                if row.target_type == "record" and row.target_id is not None:
                    record = session.get(Record, row.target_id)
                yield Cursor(row.id, 0), row, record
        next_entry = rows[-1].id + 1


def iter_changes(session: Session, after: Cursor) -> Iterator[tuple[Cursor, dict[str, Any]]]:
    """Every change after the cursor as the feed shows it."""
    for position, row, record in walk(session, after):
        if row.event == Event.RECORDS_COLLECTED and record is not None:
            yield position, record_change(session, row, record)
        else:
            yield position, entry_change(session, row)


def chunk_records(session: Session, row: OutboxEntry, *, after_record: int) -> Iterator[Record]:
    """The record versions a collection chunk wrote: its batch, its source rows, its id range."""
    p = row.payload
    low = max(int(p["first_id"]), after_record + 1)
    while low <= int(p["last_id"]):
        stmt = (
            select(Record)
            .where(
                Record.id.between(low, int(p["last_id"])),
                Record.batch_id == int(p["batch_id"]),
                Record.source_row.between(int(p["first_row"]), int(p["last_row"])),
            )
            .order_by(Record.id)
            .limit(_ROWS_PER_READ)
        )
        found = list(session.execute(stmt).scalars())
        if not found:
            return
        yield from found
        low = found[-1].id + 1


def _subject(session: Session, subject_id: int | None) -> dict[str, Any] | None:
    subject = session.get(Subject, subject_id) if subject_id is not None else None
    if subject is None:
        return None
    return {"code": subject.code, "name": subject.name, "kind": subject.kind}


def record_view(record: Record) -> dict[str, Any]:
    """A record version as it leaves the region (identifiers in full: government exchange)."""
    return {
        "id": record.id,
        "info_class": record.info_class,
        "natural_key": record.natural_key,
        "version": record.version,
        "status": record.status,
        "decision_number": record.decision_number,
        "decision_date": record.decision_date,
        "valid_from": record.valid_from,
        "valid_until": record.valid_until,
        "authority_name": record.authority_name,
        "authority_uscc": record.authority_uscc,
        "catalog_version": record.catalog_version,
        "content_hash": record.content_hash,
        "reason": record.reason,
        "data": archive.source_row(record),
    }


def record_change(session: Session, row: OutboxEntry, record: Record) -> dict[str, Any]:
    item: dict[str, Any] = audit.jsonable({
        "event": row.event,
        "occurred_on": row.occurred_on,
        "provider_id": row.provider_id,
        "subject": _subject(session, record.subject_id),
        "record": record_view(record),
    })  # fmt: skip
    return item


def entry_change(session: Session, row: OutboxEntry) -> dict[str, Any]:
    item: dict[str, Any] = {
        "event": row.event,
        "occurred_on": row.occurred_on,
        "provider_id": row.provider_id,
        "subject": _subject(session, row.subject_id),
        "target": {"type": row.target_type, "id": row.target_id},
        "detail": row.payload,
    }
    if row.target_type == "record" and row.target_id is not None:
        record = session.get(Record, row.target_id)
        item["record"] = record_view(record) if record else None
    if row.target_type == "list_entry" and row.target_id is not None:
        entry = session.get(ListEntry, row.target_id)
        if entry is not None:
            item["list_entry"] = {
                "list_type": entry.list_type, "decision_number": entry.decision_number,
                "decided_on": entry.decided_on, "valid_until": entry.valid_until,
                "exited_on": entry.exited_on, "exit_kind": entry.exit_kind,
                "deciding_authority": entry.deciding_authority, "facts": entry.facts,
                "basis": entry.basis, "exit_reason": entry.exit_reason,
            }  # fmt: skip
    out: dict[str, Any] = audit.jsonable(item)
    return out
