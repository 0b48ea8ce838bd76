"""Delivery: pending changes sent as packages, packages received from the inbox, timeliness.

`xinyong jobs run exchange` calls `send_pending` and `receive_inbox`. A package is written to a
hidden folder and renamed into the outbox folder only when complete (the transfer never picks up
half a package); the outbox rows it holds are then marked sent. A failure is retried with
exponential backoff; if every attempt fails the rows stay pending with the reason, which
`/admin/exchange` shows. Received packages move to `done/` or, refused, to `refused/` with the
reason beside them.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from xinyong import clock, signing
from xinyong.audit import Actor
from xinyong.catalog import Catalog
from xinyong.clock import Calendar
from xinyong.db.tables import OutboxEntry, Provider, Record
from xinyong.exchange import feed, package
from xinyong.outbox import Event

ATTEMPTS = 3
TIMELY_WORKING_DAYS = 7  # 双公示 within 7 working days of the decision (rules.md §3.1)
DONE, REFUSED = "done", "refused"


@dataclass(frozen=True, slots=True)
class Sent:
    changes: int
    package: str | None
    error: str | None
    attempts: int

    def as_dict(self) -> dict[str, Any]:
        return {"changes": self.changes, "package": self.package, "error": self.error,
                "attempts": self.attempts}  # fmt: skip


def last_sent_cursor(session: Session) -> str:
    """Where the next package starts: after the last outbox row marked sent (all its records)."""
    last = session.execute(
        select(OutboxEntry).where(OutboxEntry.sent_at.is_not(None)).order_by(OutboxEntry.id.desc())
    ).scalars().first()  # fmt: skip
    if last is None:
        return "0"
    inner = int(last.payload.get("last_id", 0)) if last.event == Event.RECORDS_COLLECTED else 0
    return str(feed.Cursor(last.id, inner))


def pending(session: Session) -> int:
    stmt = select(func.count()).select_from(OutboxEntry).where(OutboxEntry.sent_at.is_(None))
    return int(session.execute(stmt).scalar_one())


def failures(session: Session, *, limit: int = 50) -> list[OutboxEntry]:
    """Pending changes whose delivery failed, oldest first, with the reason (/admin/exchange)."""
    stmt = (
        select(OutboxEntry)
        .where(OutboxEntry.sent_at.is_(None), OutboxEntry.last_error.is_not(None))
        .order_by(OutboxEntry.id)
        .limit(limit)
    )
    return list(session.execute(stmt).scalars())


def send_pending(
    session: Session,
    *,
    outbox_dir: Path,
    catalog: Catalog,
    key: signing.SigningKey,
    now: datetime,
    sleep: Callable[[float], None] = time.sleep,
    backoff: float = 1.0,
) -> Sent:
    """Write one package of every change not yet sent; mark its outbox rows sent. The caller
    commits right after (the job: `xinyong jobs run exchange`); a crash in between sends the
    package again, which the receiver's import leaves unchanged."""
    if pending(session) == 0:
        return Sent(0, None, None, 0)
    after = last_sent_cursor(session)
    error: str | None = None
    for attempt in range(1, ATTEMPTS + 1):
        try:
            manifest, name = _write(session, outbox_dir, after, catalog, key, now)
        except OSError as exc:
            error = f"第 {attempt} 次写入交换包失败：{exc}"
            if attempt < ATTEMPTS:
                sleep(backoff * 2 ** (attempt - 1))
            continue
        until = feed.Cursor.parse(manifest["until"])
        session.execute(
            update(OutboxEntry)
            .where(OutboxEntry.sent_at.is_(None), OutboxEntry.id <= until.entry)
            .values(sent_at=now, attempts=OutboxEntry.attempts + 1, last_error=None)
        )
        session.flush()
        return Sent(int(manifest["changes"]), name, None, attempt)
    session.execute(
        update(OutboxEntry)
        .where(OutboxEntry.sent_at.is_(None))
        .values(attempts=OutboxEntry.attempts + ATTEMPTS, last_error=error)
    )
    session.flush()
    return Sent(0, None, error, ATTEMPTS)


def _write(
    session: Session, outbox_dir: Path, after: str, catalog: Catalog, key: signing.SigningKey,
    now: datetime,
) -> tuple[dict[str, Any], str]:  # fmt: skip
    outbox_dir.mkdir(parents=True, exist_ok=True)
    partial = outbox_dir / f".partial-{now:%Y%m%d%H%M%S}"
    shutil.rmtree(partial, ignore_errors=True)
    manifest = package.export_package(session, partial, after=after, catalog=catalog, key=key,
                                      node={"key_id": key.public_key.key_id})  # fmt: skip
    name = f"{now:%Y%m%d%H%M%S}-{manifest['until']}"
    partial.rename(outbox_dir / name)
    return manifest, name


def receive_inbox(
    session: Session,
    *,
    inbox_dir: Path,
    trusted: Iterable[signing.VerifyKey],
    catalog: Catalog,
    calendar: Calendar,
    actor: Actor,
    today: date,
) -> list[dict[str, Any]]:
    """Import every package waiting in the inbox, oldest name first."""
    keys = list(trusted)
    out: list[dict[str, Any]] = []
    if not inbox_dir.is_dir():
        return out
    for item in sorted(inbox_dir.iterdir()):
        if item.name in (DONE, REFUSED) or item.name.startswith("."):
            continue
        try:
            counts = package.import_package(
                session, item, trusted=keys, catalog=catalog, calendar=calendar, actor=actor,
                today=today,
            )  # fmt: skip
        except package.PackageRefused as exc:
            session.rollback()
            _move(item, inbox_dir / REFUSED)
            (inbox_dir / REFUSED / f"{item.name}.reason.txt").write_text(exc.message, "utf-8")
            out.append({"package": item.name, "refused": exc.message})
            continue
        _move(item, inbox_dir / DONE)
        out.append({"package": item.name, **counts})
    return out


def _move(item: Path, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.move(str(item), str(folder / item.name))


def timeliness(session: Session, calendar: Calendar) -> list[dict[str, Any]]:
    """Per department: record changes sent, and how many within 7 working days of the decision."""
    names = dict(session.execute(select(Provider.id, Provider.name)).all())
    tally: dict[int | None, list[int]] = {}
    sent = session.execute(
        select(OutboxEntry).where(OutboxEntry.sent_at.is_not(None)).order_by(OutboxEntry.id)
    ).scalars()  # fmt: skip
    for row in sent:
        assert row.sent_at is not None
        day = row.sent_at.date()
        if row.event == Event.RECORDS_COLLECTED:
            p = row.payload
            decided = session.execute(
                select(Record.decision_date).where(
                    Record.id.between(int(p["first_id"]), int(p["last_id"])),
                    Record.batch_id == int(p["batch_id"]),
                )
            ).scalars()  # fmt: skip
            days = [d for d in decided if d is not None]
        else:
            days = [row.occurred_on]
        counts = tally.setdefault(row.provider_id, [0, 0])
        for decided_on in days:
            counts[0] += 1
            try:
                late = clock.working_days_between(decided_on, day, calendar) > TIMELY_WORKING_DAYS
            except clock.CalendarYearMissing:
                continue  # a year without working-day data: counted as sent, not as on time
            counts[1] += 0 if late else 1
    rows = [
        {"provider": names.get(pid, "本平台") if pid is not None else "本平台", "sent": n,
         "on_time": ok, "rate": ok / n if n else None}
        for pid, (n, ok) in tally.items()
    ]  # fmt: skip
    return sorted(rows, key=lambda r: str(r["provider"]))
