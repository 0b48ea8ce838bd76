"""The parts of a subject's public profile that this platform itself decided or verified.

Shared by the portal page and the API mirror; each part comes from its own domain module.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from xinyong import commitments, disclosure, lists, registrations, subjects
from xinyong.catalog import Catalog
from xinyong.db.tables import Subject


def platform_profile(
    session: Session, subject_id: int, catalog: Catalog, today: date
) -> dict[str, Any]:
    """What this platform itself decided or verified about a subject, for its public page.

    Records from departments come through disclosure (tabs); imported list entries are among
    them. Here: lists decided on this platform (red list → 守信激励, others → 失信惩戒),
    public commitments, and verified voluntary registrations.
    """
    entries = [
        e
        for e in lists.public_entries(session, subject_id, catalog=catalog, today=today)
        if e["source"] == "platform"
    ]
    return {
        "list_entries": [e for e in entries if e["kind"] != "red"],
        "red_entries": [e for e in entries if e["kind"] == "red"],
        "commitments": commitments.public_items(session, subject_id),
        "registrations": registrations.public_items(session, subject_id),
    }


def has_public(session: Session, subject: Subject, catalog: Catalog, today: date) -> bool:
    """Whether the subject has something currently public: a disclosed record or anything this
    platform decided or verified and shows. A person without it has no public page and is never
    listed by the public search."""
    if disclosure.any_shown(session, subject, catalog=catalog, today=today):
        return True
    own = platform_profile(session, subject.id, catalog, today)
    return any(own[part] for part in ("list_entries", "red_entries", "commitments",
                                      "registrations"))  # fmt: skip


def public_search(
    session: Session, q: str, *, limit: int, catalog: Catalog, today: date
) -> list[Subject]:
    """The public search on every surface: `subjects.search`, and a person only while they have
    something public (the plan of a name + ID number query asks for this check)."""
    found = subjects.search(session, q, limit=limit)
    return [s for s in found if not subjects.is_person(s) or has_public(session, s, catalog, today)]


def public_subject(session: Session, ref: str, catalog: Catalog, today: date) -> Subject:
    """A subject by its public address; a person's page exists only at its unguessable
    `p<token>` address and only while they have something public (otherwise: not found)."""
    subject = subjects.get_by_ref(session, ref)
    if subjects.is_person(subject) and not (
        ref.strip().startswith(subjects.PERSON_REF) and has_public(session, subject, catalog, today)
    ):
        raise subjects.SubjectNotFound("未找到该信用主体")
    return subject
