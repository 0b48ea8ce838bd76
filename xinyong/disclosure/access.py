"""Who may read a subject's full archive, and the query-log row every such read leaves.

The public view needs no purpose and leaves no trace. The full archive (every record, history,
provenance, hidden records with the reason) is for the credit office, authorities and auditors,
for an enterprise account about its own subject, and for a party the subject has authorised
(consent.authorise decides the basis); each read names its purpose and is written to the query
log with its basis (深圳条例 第45条: who, whom, when, on what authority — rules.md §7.5).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from xinyong import audit, consent
from xinyong.audit import Actor
from xinyong.catalog import Catalog
from xinyong.db.tables import Subject
from xinyong.disclosure.views import ArchiveEntry, ArchivePage, full_archive, full_archive_page
from xinyong.enums import Role
from xinyong.errors import Forbidden, InvalidInput

ARCHIVE_ROLES = frozenset({Role.ADMIN, Role.OFFICER, Role.AUDITOR})


class PurposeRequired(InvalidInput):
    code = "disclosure.purpose_required"


def may_read_archive(session: Session, actor: Actor, subject: Subject, today: date) -> bool:
    if actor.is_anonymous or actor.role is None:
        return False
    if actor.kind == "system":
        return True
    if actor.role in ARCHIVE_ROLES:
        return True
    if actor.role == Role.ENTERPRISE and actor.subject_id == subject.id:
        return True
    found = consent.held_by(session, actor, subject.id, consent.Scope.ARCHIVE, today)
    return found is not None


def read_archive(
    session: Session,
    subject: Subject,
    *,
    purpose: str | None,
    surface: str,
    actor: Actor,
    catalog: Catalog,
    today: date,
) -> list[ArchiveEntry]:
    """The full archive for an authorised reader; the read is written to the query log."""
    basis, reason = _authorise(session, actor, subject, purpose, today)
    entries = full_archive(session, subject, catalog=catalog, today=today)
    _log(session, actor, subject, reason, surface, basis, {"records": len(entries)}, today)
    return entries


def read_archive_page(
    session: Session,
    subject: Subject,
    *,
    purpose: str | None,
    surface: str,
    actor: Actor,
    catalog: Catalog,
    today: date,
    after: tuple[date | None, int] | None = None,
    per_page: int,
) -> ArchivePage:
    """One page of the full archive for an authorised reader (`views.full_archive_page`); each
    page read is written to the query log, as a whole read is (with the page's position)."""
    basis, reason = _authorise(session, actor, subject, purpose, today)
    page = full_archive_page(session, subject, catalog=catalog, today=today, after=after,
                             per_page=per_page)  # fmt: skip
    at = None if after is None else [after[0], after[1]]
    detail = {"records": len(page.entries), "after": at}
    _log(session, actor, subject, reason, surface, basis, detail, today)
    return page


def _authorise(
    session: Session, actor: Actor, subject: Subject, purpose: str | None, today: date
) -> tuple[consent.Basis, str]:
    """The basis of a full-archive read and its purpose, or the refusal."""
    if not may_read_archive(session, actor, subject, today):
        raise Forbidden("无权查看该主体的完整信用档案", code="disclosure.archive_forbidden")
    reason = audit.queries.stated_purpose(purpose, error=PurposeRequired)
    basis = consent.authorise(
        session, actor, subject, consent.Scope.ARCHIVE, purpose=reason, today=today
    )
    return basis, reason


def _log(
    session: Session, actor: Actor, subject: Subject, reason: str, surface: str,
    basis: consent.Basis, detail: dict[str, Any], today: date,
) -> None:  # fmt: skip
    """The query-log row of a full-archive read, in the read's transaction."""
    audit.log_query(
        session,
        actor,
        subject.id,
        purpose=reason,
        surface=surface,
        detail={**detail, "today": today, "scope": consent.Scope.ARCHIVE},
        basis=basis.kind,
        consent_id=basis.consent_id,
    )
