"""The public face of a subject: its public ref, person tokens and the masked public view.

A subject registered under an ID number is addressed as "p<token>" (a random token, so persons
cannot be enumerated) and its ID number is masked; `public_view_of` is the one function behind
both the ORM path and the search fast read path.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from xinyong import identifiers
from xinyong.db.tables import Subject
from xinyong.enums import SubjectKind, SubjectStatus

PERSON_REF = "p"


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
