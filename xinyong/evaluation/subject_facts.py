"""One subject's evaluation facts in two statements — what `facts.gather` gives for it — for the
re-evaluation after a change (`service`): its records and workflow facts as one UNION ALL
(`_subject_statement`), its list entries (`lists.current_hits`). Rows become facts through the
same builders as the whole-population paths (`facts.record_fact`, `commitment_facts`, …)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from sqlalchemy import Date, Integer, String, Text, cast, literal, null, select, union_all
from sqlalchemy.orm import Session

from xinyong import archive, disclosure, lists
from xinyong.catalog import Catalog
from xinyong.db import lean_record
from xinyong.db.tables import Commitment, Record, VoluntaryRegistration
from xinyong.enums import RecordStatus, RegistrationStatus, Severity
from xinyong.evaluation.facts import (
    commitment_facts,
    hit_fact,
    record_fact,
    registration_fact,
    scored_classes,
)
from xinyong.evaluation.scoring import Fact


def _subject_statement(subject_id: int, record_classes: list[str]) -> Any:
    """Records, commitments and verified registrations of a subject as one UNION ALL: every
    branch has the same columns (`src` says which), absent ones NULL."""
    blank_date: Any = Date()
    blank_text: Any = String()
    blank_id: Any = Integer()

    def columns(src: str, **given: Any) -> list[Any]:
        spec = {
            "id": blank_id, "info_class": blank_text, "status": blank_text,
            "decision_number": blank_text, "decision_date": blank_date, "severity": blank_text,
            "provider_id": blank_id, "data": blank_text, "record_id": blank_id,
            "signed_on": blank_date, "valid_until": blank_date, "verified_on": blank_date,
            "natural_key": blank_text, "valid_from": blank_date, "authority_name": blank_text,
            "authority_uscc": blank_text,
            "submitted_on": blank_date, "code": blank_text, "title": blank_text,
        }  # fmt: skip
        out = [literal(src).label("src")]
        out += [(given[k] if k in given else cast(null(), t)).label(k) for k, t in spec.items()]
        return out

    records = select(
        *columns(
            "record",
            id=Record.id,
            info_class=Record.info_class,
            status=Record.status,
            decision_number=Record.decision_number,
            decision_date=Record.decision_date,
            severity=Record.severity,
            provider_id=Record.provider_id,
            data=cast(Record.data, Text),
            natural_key=Record.natural_key,
            valid_from=Record.valid_from,
            valid_until=Record.valid_until,
            authority_name=Record.authority_name,
            authority_uscc=Record.authority_uscc,
        )
    ).where(
        Record.subject_id == subject_id,
        Record.is_current.is_(True),
        Record.info_class.in_(record_classes),
        Record.status != RecordStatus.WITHDRAWN.value,
    )
    commitments = select(
        *columns(
            "commitment",
            id=Commitment.id,
            status=Commitment.status,
            record_id=Commitment.record_id,
            signed_on=Commitment.signed_on,
            valid_until=Commitment.valid_until,
            verified_on=Commitment.verified_on,
            code=Commitment.code,
        )
    ).where(Commitment.subject_id == subject_id)
    registrations = select(
        *columns(
            "registration",
            id=VoluntaryRegistration.id,
            status=VoluntaryRegistration.status,
            verified_on=VoluntaryRegistration.verified_on,
            submitted_on=VoluntaryRegistration.submitted_on,
            title=VoluntaryRegistration.title,
        )
    ).where(
        VoluntaryRegistration.subject_id == subject_id,
        VoluntaryRegistration.status == RegistrationStatus.VERIFIED.value,
    )
    return union_all(records, commitments, registrations)


def of_subject(session: Session, subject_id: int, *, catalog: Catalog, today: date) -> list[Fact]:
    """The facts of one subject (what `gather` gives for it) in two statements: its records and
    workflow facts (`_subject_statement`), and its list entries (`lists.current_hits`)."""
    classes = list(scored_classes(catalog))
    rows = session.execute(_subject_statement(subject_id, classes)).all()
    records = sorted((r for r in rows if r.src == "record"), key=lambda r: r.id)
    kinds = archive.provider_kinds(session, (r.provider_id for r in records))
    out = []
    for r in records:
        data = lean_record.rebuild(  # the full source row (`archive.source_row` of a row)
            r.info_class, r.natural_key, r, json.loads(r.data) if r.data else {}
        )
        facts = disclosure.RecordFacts(
            info_class=r.info_class,
            status=RecordStatus(r.status),
            decision_date=r.decision_date,
            data=data,
            severity=Severity(r.severity) if r.severity else None,
            provider_kind=kinds.get(r.provider_id) if r.provider_id else None,
            objection_open=False,  # only marks the window (异议处理中); never changes its dates
        )
        window = disclosure.disclosure_window(facts, catalog=catalog, today=today)
        out.append(record_fact(r, data, window, catalog.info_class(r.info_class), today))
    out += [
        hit_fact(h) for h in lists.current_hits(session, subject_id, catalog=catalog, today=today)
    ]
    for r in sorted((r for r in rows if r.src == "commitment"), key=lambda r: r.id):
        out += commitment_facts(r)
    for r in sorted((r for r in rows if r.src == "registration"), key=lambda r: r.id):
        out.append(registration_fact(r))
    return out
