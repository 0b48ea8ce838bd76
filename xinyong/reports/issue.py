"""Issuing and revoking credit reports (verifying them: `reports/verification.py`).

`issue` decides who may have which report (consent.authorise for the special report and for any
natural person's report), gathers the content, renders and signs (`render_pool`), stores the
snapshot row (number, SM3 digest, subject, kind, validity) and — for non-public reports — writes
the query log, all in the caller's transaction, and audits the issue. On the web the caller is a
report process (`worker.run`), whose transaction this is. `revoke` is the credit office's,
with a reason.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from xinyong import audit, clock, consent, signing
from xinyong.audit import Actor, AuditAction
from xinyong.catalog import Catalog
from xinyong.db.session import is_postgres
from xinyong.db.tables import Report, Subject
from xinyong.enums import Role, SubjectKind
from xinyong.errors import Conflict, Forbidden, InvalidInput, NotFound
from xinyong.reports import content as build
from xinyong.reports import render_pool
from xinyong.reports.content import ReportContent, ReportKind
from xinyong.reports.domains import ReportDomains

CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXY"
TAIL_DIGITS = 7
QUERY_SUMMARY_DAYS = 365
MAX_REASON = 500
Renderer = Callable[[ReportContent, signing.SigningKey], bytes]


class ReportNotFound(NotFound):
    code = "reports.not_found"


class AlreadyRevoked(Conflict):
    code = "reports.already_revoked"


def report_number(issued_at: datetime) -> str:
    """22 characters: Beijing time yyyyMMddHHmmss + 7 random digits + a check letter.

    Real 信用中国 numbers have this shape (rules.md §10.4); their tail's rule is unknown, so ours
    is documented: the letter is CHECK_LETTERS[Σ (i+1)·digit_i mod 22] over the 21 digits.
    """
    stamp = clock.in_beijing(issued_at)
    digits = stamp.strftime("%Y%m%d%H%M%S") + "".join(
        str(secrets.randbelow(10)) for _ in range(TAIL_DIGITS)
    )
    return digits + check_letter(digits)


def check_letter(digits: str) -> str:
    total = sum((i + 1) * int(c) for i, c in enumerate(digits))
    return CHECK_LETTERS[total % len(CHECK_LETTERS)]


def well_formed(number: str) -> bool:
    return (
        len(number) == 22  # noqa: PLR2004
        and number[:21].isdigit()
        and number[21] == check_letter(number[:21])
    )


@dataclass(frozen=True, slots=True)
class Request:
    """What is asked: kind, domains and look-back (special report), and why."""

    kind: ReportKind
    domains: tuple[str, ...] = ()
    years: int | None = None
    purpose: str | None = None


@dataclass(frozen=True, slots=True)
class Issuer:
    """Who signs and how reports point back: the office key, name and verification base URL."""

    key: signing.SigningKey
    name: str
    base_url: str
    config: ReportDomains
    # Renders and signs (e.g. `pool.RenderPool.render`); in the calling thread if None.
    renderer: Renderer | None = None


@dataclass(frozen=True, slots=True)
class Issued:
    row: Report
    data: bytes
    content: ReportContent


def verify_url(base_url: str, number: str) -> str:
    return f"{base_url.rstrip('/')}/reports/verify?number={number}"


def _basis(
    session: Session, actor: Actor, subject: Subject, asked: Request, today: date
) -> consent.Basis | None:
    """None for a public report of an organisation; otherwise the lawful basis (or 403)."""
    if asked.kind == ReportKind.PUBLIC and subject.kind != SubjectKind.PERSON:
        return None
    return consent.authorise(
        session, actor, subject, consent.Scope.SPECIAL_REPORT, purpose=asked.purpose, today=today
    )


def _period(asked: Request, config: ReportDomains, today: date) -> date:
    years = asked.years if asked.years is not None else config.max_years
    if not 1 <= years <= config.max_years:
        raise InvalidInput(f"查询期间为 1 至 {config.max_years} 年", code="reports.years")
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def gather(
    session: Session,
    subject: Subject,
    asked: Request,
    *,
    number: str,
    issued_at: datetime,
    issuer: Issuer,
    catalog: Catalog,
    today: date,
) -> ReportContent:
    config = issuer.config
    findings: tuple[build.Finding, ...] = ()
    since: date | None = None
    if asked.kind == ReportKind.SPECIAL:
        if not asked.domains:
            raise InvalidInput("专项信用报告须至少选择一个领域（domain）", code="reports.domain")
        since = _period(asked, config, today)
        chosen = [config.domain(d) for d in dict.fromkeys(asked.domains)]
        findings, sections = build.special_sections(
            session,
            subject,
            domains=chosen,
            config=config,
            since=since,
            catalog=catalog,
            today=today,
        )
    else:
        sections = build.public_sections(session, subject, catalog=catalog, today=today)
    summary_since = today - timedelta(days=QUERY_SUMMARY_DAYS)
    sections = (*sections, build.query_summary(session, subject.id, summary_since))
    return ReportContent(
        number=number,
        kind=asked.kind,
        issued_at=clock.in_beijing(issued_at),
        today=today,
        valid_until=today + timedelta(days=config.validity_days),
        period_from=since,
        subject_id=subject.id,
        subject_name=subject.name,
        subject_code=build.shown_code(subject, kind=asked.kind),
        labels=build.labels_for(sections, subject),
        basic=build._basic(subject, build.shown_code(subject, kind=asked.kind)),
        sections=sections,
        findings=findings,
        sources=config.required_sources if asked.kind == ReportKind.SPECIAL else (),
        domains=tuple(f.domain for f in findings),
        verify_url=verify_url(issuer.base_url, number),
        issuer=issuer.name,
    )


def issue(
    session: Session,
    subject: Subject,
    asked: Request,
    *,
    actor: Actor,
    issuer: Issuer,
    catalog: Catalog,
    today: date,
    surface: str = "report",
) -> Issued:
    """Issue one report: authorise, gather, render, sign, store, log the query, audit.

    On SQLite call `hold_write_lock` first thing in the transaction (see there).
    """
    basis = _basis(session, actor, subject, asked, today)
    issued_at = clock.now().replace(microsecond=0)
    number = report_number(issued_at)
    with render_pool.GATHERING:
        content = gather(
            session,
            subject,
            asked,
            number=number,
            issued_at=issued_at,
            issuer=issuer,
            catalog=catalog,
            today=today,
        )
    data = (issuer.renderer or render_pool.render_here)(content, issuer.key)
    row = Report(
        number=number,
        kind=asked.kind.value,
        subject_id=subject.id,
        domains=list(content.domains),
        period_from=content.period_from,
        period_to=today,
        issued_at=issued_at,
        valid_until=content.valid_until,
        digest=signing.sm3_hex(data),
        key_id=issuer.key.public_key.key_id,
        size=len(data),
        requested_by=actor.label,
        requester_kind=actor.kind,
        requester_id=actor.id,
    )
    session.add(row)
    session.flush()
    if basis is not None:
        audit.log_query(
            session,
            actor,
            subject.id,
            purpose=basis.purpose,
            surface=surface,
            detail={
                "report": number,
                "kind": asked.kind.value,
                "domains": list(content.domains),
                "scope": consent.Scope.SPECIAL_REPORT,
            },
            basis=basis.kind,
            consent_id=basis.consent_id,
        )
    audit.record(
        session,
        actor,
        AuditAction.REPORT_ISSUED,
        target_type="report",
        target_id=number,
        after=as_json(row),
    )
    return Issued(row, data, content)


def hold_write_lock(session: Session) -> None:
    """SQLite: take the write lock before the transaction reads anything.

    A deferred SQLite transaction that reads, then writes after another connection committed,
    fails at once with "database is locked" (a stale WAL snapshot); taking the lock first makes
    concurrent reports wait their turn (busy_timeout) instead. Only effective as the first
    statement of the transaction. PostgreSQL needs nothing.
    """
    if not is_postgres(session):
        session.execute(update(Report).where(Report.id < 0).values(size=0))


def get(session: Session, number: str) -> Report:
    row = session.execute(select(Report).where(Report.number == number)).scalar_one_or_none()
    if row is None:
        raise ReportNotFound(f"本平台没有编号为 {number} 的信用报告")
    return row


def recent(session: Session, *, subject_id: int | None = None, limit: int = 100) -> list[Report]:
    stmt = select(Report).order_by(Report.id.desc()).limit(limit)
    if subject_id is not None:
        stmt = stmt.where(Report.subject_id == subject_id)
    return list(session.execute(stmt).scalars())


def revoke(session: Session, number: str, *, reason: str, actor: Actor) -> Report:
    """The credit office withdraws a report issued in error; audited with the reason."""
    if actor.role != Role.ADMIN:
        raise Forbidden("只有信用办可以撤销已出具的信用报告", code="reports.revoke_forbidden")
    text = (reason or "").strip()
    if not text or len(text) > MAX_REASON:
        raise InvalidInput(f"撤销须说明理由（不超过{MAX_REASON}字）", code="reports.reason")
    row = get(session, number)
    if row.revoked_at is not None:
        raise AlreadyRevoked(f"报告 {number} 已于 {row.revoked_at:%Y-%m-%d} 撤销")
    before = as_json(row)
    row.revoked_at = clock.now()
    row.revoked_by = actor.label
    row.revoke_reason = text
    session.flush()
    audit.record(
        session,
        actor,
        AuditAction.REPORT_REVOKED,
        target_type="report",
        target_id=number,
        before=before,
        after=as_json(row),
        reason=text,
    )
    return row


def as_json(row: Report) -> dict[str, Any]:
    body: dict[str, Any] = audit.jsonable(
        {
            "number": row.number,
            "kind": row.kind,
            "subject_id": row.subject_id,
            "domains": list(row.domains),
            "period_from": row.period_from,
            "period_to": row.period_to,
            "issued_at": row.issued_at,
            "valid_until": row.valid_until,
            "digest": row.digest,
            "key_id": row.key_id,
            "size": row.size,
            "requested_by": row.requested_by,
            "revoked_at": row.revoked_at,
            "revoke_reason": row.revoke_reason,
        }
    )
    return body
