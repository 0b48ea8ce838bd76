"""Registration data (登记注册信息): what the enterprise registry's rows do to subjects.

Owns: applying accepted `registration` rows — the subject's name (the old one kept as a former
name, so it still finds the subject), former names, legal representative, status (存续 / 吊销 /
注销 …), authority, address, dates; the subject becomes verified — and the related parties
(关联关系) those rows name: the legal representative and the investors with their shares.
Does not: store the registration record itself (collection does, as versions like any class),
delete anything (a 注销 or 吊销 subject keeps its archive: only its status changes), or show
related parties (`related_parties.py`).

Called from collection for every chunk of a registration batch, before the chunk is written
(`apply_chunk`): the effect is idempotent (applying the same row twice leaves the same state), so
a chunk re-run after a crash changes nothing more.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import delete, insert
from sqlalchemy.orm import Session

from xinyong import audit, identifiers, subjects
from xinyong.audit import Actor, AuditAction
from xinyong.db.tables import RelatedParty
from xinyong.enums import SubjectStatus

REGISTRATION_CLASS = "registration"
STATUS_OF = {
    "存续": SubjectStatus.ACTIVE,
    "在业": SubjectStatus.ACTIVE,
    "吊销": SubjectStatus.REVOKED,
    "注销": SubjectStatus.CANCELLED,
    "迁出": SubjectStatus.MOVED_OUT,
}
ORGANISATION, PERSON = "organisation", "person"
LEGAL_REP, INVESTOR = "legal_rep", "investor"
_SEPARATORS = (";", "；")


@dataclass(frozen=True, slots=True)
class Party:
    """One related party named by a registration row."""

    role: str  # legal_rep | investor
    kind: str  # organisation | person
    name: str
    code: str | None  # USCC or resident ID number; None when the row gives none (or a bad one)
    share: str | None = None
    note: str | None = None


# ---- pure rules -------------------------------------------------------------------------------


def split_names(text: str | None) -> list[str]:
    """曾用名: several names separated by ";" or "；"."""
    if not text:
        return []
    for sep in _SEPARATORS[1:]:
        text = text.replace(sep, _SEPARATORS[0])
    return [n.strip() for n in text.split(_SEPARATORS[0]) if n.strip()]


def parse_investors(text: str | None) -> list[Party]:
    """投资人及出资比例: "名称|证照号码|出资比例" entries separated by ";".

    The number decides the kind: a valid USCC → organisation, a valid resident ID number →
    person. An entry without a valid number is kept by name only (no link) with a note.
    """
    out: list[Party] = []
    for entry in split_names(text):
        parts = [p.strip() for p in entry.split("|")]
        name = parts[0]
        code_text = parts[1] if len(parts) > 1 else ""
        share = parts[2] if len(parts) > 2 and parts[2] else None  # noqa: PLR2004
        kind, code, note = _classified(code_text)
        out.append(Party(INVESTOR, kind, name[:200], code, share, note))
    return out


def _classified(code_text: str) -> tuple[str, str | None, str | None]:
    if not code_text:
        return ORGANISATION, None, "未提供证照号码"
    try:
        kind, code = identifiers.validate_subject_code(code_text)
    except identifiers.IdentifierError:
        return ORGANISATION, None, "证照号码无效，未建立关联"
    return (ORGANISATION if kind == "uscc" else PERSON), code, None


def parties_of(data: dict[str, Any]) -> list[Party]:
    """The related parties a registration row names (legal representative first)."""
    out: list[Party] = []
    rep = (data.get("legal_rep") or "").strip()
    if rep:
        number = data.get("legal_rep_id_number")
        is_id = bool(number) and identifiers.classify(str(number)) == "id_number"
        code = identifiers.normalise(str(number)) if is_id else None
        out.append(Party(LEGAL_REP, PERSON, rep[:200], code, None, None if code else "无证件号码"))
    return out + parse_investors(data.get("investors"))


def subject_changes(
    current_name: str, current_former: Sequence[str], data: dict[str, Any]
) -> dict[str, Any]:
    """The subject's new master data from a registration row; the old name becomes former."""
    name = str(data["subject_name"]).strip()
    former: list[str] = []
    for candidate in (*current_former, *split_names(data.get("former_names")), current_name):
        if candidate and candidate != name and candidate not in former:
            former.append(candidate)
    status = STATUS_OF.get(str(data.get("registration_status")), SubjectStatus.UNKNOWN)
    return {
        "name": name,
        "former_names": former,
        "legal_rep": (data.get("legal_rep") or None),
        "status": status.value,
        "registration_authority": data.get("authority_name"),
        "address": data.get("address"),
        "established_on": _date(data.get("established_on")),
        "registered_on": _date(data.get("approved_on")),
        "cancelled_on": _date(data.get("cancelled_on")) if status != SubjectStatus.ACTIVE else None,
        "verified": True,
    }


def _date(value: Any) -> date | None:
    return date.fromisoformat(str(value)) if value else None


# ---- actions ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Row:
    """One accepted registration row: its subject, its full source row, where it came from."""

    subject_id: int
    data: dict[str, Any]
    batch_id: int | None = None
    source_row: int | None = None


def apply_chunk(session: Session, rows: Iterable[Row], *, actor: Actor, reason: str) -> int:
    """Apply registration rows to their subjects and replace their related parties.

    The hook of registration data into record writing: collection calls it for each chunk of a
    registration batch, in the chunk's transaction. Returns the number of subjects updated.
    """
    by_subject = {row.subject_id: row for row in rows}  # the last row of a subject wins
    if not by_subject:
        return 0
    found = subjects.by_ids(session, by_subject)  # (SQLite's bound-parameter limit is 32766)
    verified_before = sum(1 for s in found if s.verified)
    for subject in found:
        changes = subject_changes(
            subject.name, subject.former_names or [], by_subject[subject.id].data
        )
        for key, value in changes.items():
            setattr(subject, key, value)
    ids = [s.id for s in found]
    session.execute(delete(RelatedParty).where(RelatedParty.subject_id.in_(ids)))
    links = [
        {"subject_id": sid, "role": p.role, "party_kind": p.kind, "party_name": p.name,
         "party_code": p.code, "share": p.share, "batch_id": row.batch_id,
         "source_row": row.source_row, "note": p.note}
        for sid, row in by_subject.items() if sid in ids
        for p in parties_of(row.data)
    ]  # fmt: skip
    if links:
        session.execute(insert(RelatedParty), links)
    session.flush()
    audit.record(
        session,
        actor,
        AuditAction.SUBJECT_UPDATED,
        target_type="subject",
        target_id=ids[0] if len(ids) == 1 else None,
        after={
            "count": len(ids),
            "newly_verified": len(ids) - verified_before,
            "related_parties": len(links),
        },
        reason=reason,
    )
    return len(ids)
