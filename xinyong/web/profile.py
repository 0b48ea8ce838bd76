"""The parts of a subject's public profile that this platform itself decided or verified.

Shared by the portal page and the API mirror; each part comes from its own domain module.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from xinyong import commitments, lists, registrations
from xinyong.catalog import Catalog


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
