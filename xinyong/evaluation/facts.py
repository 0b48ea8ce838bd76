"""Facts for the evaluation, read from the archive and asked of the modules that own each rule:
the fact builders every path shares and `gather`, the reference (objects per record). The
set-based fact table of whole runs is `fact_table.py`; one subject's facts `subject_facts.py`.

- Records: the current version of each record of a `record` info class (not imported sector
  grades — 信用评价结果信息 is kept beside our grade, never inside it), with the disclosure
  engine's window (`disclosure.windows`: severity, whether it was published, the last day it is
  shown — after which it stops counting). Withdrawn records are left out; repaired ones are kept
  with their status (the explanation can show them; scoring does not count them).
- List entries in force: `lists` (both sources; validity computed by the lists module).
- Commitments and verified voluntary registrations: workflow facts.
Nothing here decides a rule of its own.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong import archive, disclosure, lists
from xinyong.catalog import Catalog, InfoClass
from xinyong.db.tables import Commitment, Record, VoluntaryRegistration
from xinyong.enums import CommitmentStatus, RecordStatus, RegistrationStatus
from xinyong.evaluation.scoring import Fact
from xinyong.evaluation.sector_grades import EXCLUDED_CATEGORY
from xinyong.lists import ListHit

CHUNK = 2_000
NUMERIC = ("decimal", "integer")


class RecordColumns(Protocol):
    """What a record fact reads of a record besides its source row: a `Record`, or a selected row
    with these columns (`subject_facts`)."""

    @property
    def id(self) -> int: ...
    @property
    def info_class(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def decision_date(self) -> date | None: ...
    @property
    def decision_number(self) -> str | None: ...


def record_fact(
    record: RecordColumns,
    row: Mapping[str, Any],
    window: disclosure.DisclosureWindow,
    info: InfoClass,
    today: date,
) -> Fact:
    """A record as a fact: `row` is its full source row (`archive.source_row`), `window` what
    the disclosure engine says of it on `today`."""
    ends = window.disclosure_ends
    numbers = []
    for f in info.fields:
        if f.type in NUMERIC and row.get(f.id) not in (None, ""):
            try:
                numbers.append((f.id, float(Decimal(str(row[f.id])))))
            except (InvalidOperation, ValueError):
                continue
    return Fact(
        keys=frozenset({f"info_class:{record.info_class}"}),
        ref=f"record:{record.id}",
        on=record.decision_date,
        until=ends,
        status=record.status,
        severity=window.severity.severity.value if window.severity else None,
        published=window.shown or (ends is not None and ends < today),
        numbers=tuple(numbers),
        label=f"{info.title} {record.decision_number or ''}".strip(),
    )


def scored_classes(catalog: Catalog) -> dict[str, InfoClass]:
    """The info classes whose records are facts of our evaluation: every `record` class but other
    bodies' grades (信用评价结果信息 is kept beside our grade, never inside it). Every path —
    `gather`, the set-based `fact_table.record_table`, one subject's `subject_facts.of_subject`."""
    return {
        c.id: c
        for c in catalog.info_classes.values()
        if c.kind == "record" and c.category != EXCLUDED_CATEGORY
    }


def hit_fact(hit: ListHit) -> Fact:
    prefix = "list_entry" if hit.source == "platform" else "record"
    keys = {f"list_kind:{hit.kind}"} | ({f"list_type:{hit.list_type}"} if hit.list_type else set())
    return Fact(
        keys=frozenset(keys),
        ref=f"{prefix}:{hit.source_id}",
        on=hit.decided_on,
        until=hit.valid_until,
        label=f"{hit.list_title} {hit.decision_number or ''}".strip(),
    )


def commitment_facts(c: Any) -> list[Fact]:  # a Commitment, or a row with its columns
    ref = f"commitment:{c.id}"
    out = []
    in_force = (CommitmentStatus.SIGNED, CommitmentStatus.KEPT)
    if c.status in in_force and c.record_id is None:  # repair commitments: no credit
        out.append(
            Fact(
                frozenset({"workflow:commitment_in_force"}),
                ref,
                c.signed_on,
                until=c.valid_until,
                label=f"信用承诺 {c.code}",
            )
        )
    if c.status in (CommitmentStatus.KEPT, CommitmentStatus.BREACHED):
        keys = {"workflow:commitment_verified"} | (
            {"workflow:commitment_kept"} if c.status == CommitmentStatus.KEPT else set()
        )
        out.append(
            Fact(frozenset(keys), ref, c.verified_on or c.signed_on, label=f"信用承诺 {c.code}")
        )
    return out


def registration_fact(r: Any) -> Fact:  # a VoluntaryRegistration, or a row like it
    return Fact(
        frozenset({"workflow:registration_verified"}),
        f"registration:{r.id}",
        r.verified_on or r.submitted_on,
        label=f"自愿注册 {r.title}",
    )


def all_hits(session: Session, *, catalog: Catalog, today: date) -> dict[int, list[ListHit]]:
    """Every list entry in force on `today`, by subject (one pass, for whole runs)."""
    out: dict[int, list[ListHit]] = defaultdict(list)
    for entry in lists.current_entries(session, catalog=catalog, today=today):
        out[entry.subject_id].append(entry.hit)
    return out


def gather(
    session: Session,
    subject_ids: Sequence[int],
    *,
    catalog: Catalog,
    today: date,
    hits: Mapping[int, list[ListHit]] | None = None,
) -> dict[int, list[Fact]]:
    """The facts of each subject on `today` (a few queries per chunk of subjects)."""
    out: dict[int, list[Fact]] = {sid: [] for sid in subject_ids}
    record_classes = list(scored_classes(catalog))
    for start in range(0, len(subject_ids), CHUNK):
        ids = list(subject_ids[start : start + CHUNK])
        records = (
            session.execute(
                select(Record)
                .where(
                    Record.subject_id.in_(ids),
                    Record.is_current.is_(True),
                    Record.info_class.in_(record_classes),
                    Record.status != RecordStatus.WITHDRAWN.value,
                )
                .order_by(Record.id)
            )
            .scalars()
            .all()
        )
        for record, window in disclosure.windows(session, records, catalog=catalog, today=today):
            info = catalog.info_class(record.info_class)
            row = archive.source_row(record)
            out[record.subject_id].append(record_fact(record, row, window, info, today))
        if hits is None:
            for sid in ids:
                found = lists.current_hits(session, sid, catalog=catalog, today=today)
                out[sid] += [hit_fact(h) for h in found]
        for c in session.execute(
            select(Commitment).where(Commitment.subject_id.in_(ids)).order_by(Commitment.id)
        ).scalars():
            out[c.subject_id] += commitment_facts(c)
        for r in session.execute(
            select(VoluntaryRegistration)
            .where(
                VoluntaryRegistration.subject_id.in_(ids),
                VoluntaryRegistration.status == RegistrationStatus.VERIFIED.value,
            )
            .order_by(VoluntaryRegistration.id)
        ).scalars():
            out[r.subject_id].append(registration_fact(r))
    if hits is not None:
        for sid in subject_ids:
            out[sid] += [hit_fact(h) for h in hits.get(sid, [])]
    return out
