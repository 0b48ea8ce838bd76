"""Delivery: pending changes sent as packages, packages received from the inbox, timeliness.

`xinyong jobs run exchange` calls `send_pending` and `receive_inbox`. A package is written to a
hidden folder and renamed into the outbox folder only when complete (the transfer never picks up
half a package); the outbox rows it holds are then marked sent. A failure is retried with
exponential backoff; if every attempt fails the rows stay pending with the reason, which
`/admin/exchange` shows. Received packages move to `done/` or, refused, to `refused/` with the
reason beside them.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from xinyong import clock, identifiers, signing
from xinyong.audit import Actor
from xinyong.catalog import Catalog
from xinyong.clock import Calendar
from xinyong.db.tables import OutboxEntry, Provider, Record
from xinyong.errors import InvalidInput
from xinyong.exchange import feed, intake, national, package
from xinyong.outbox import Event

ATTEMPTS = 3
TIMELY_WORKING_DAYS = 7  # 双公示 within 7 working days of the decision (rules.md §3.1)
DONE, REFUSED = "done", "refused"
RETRY_STATUSES = (408, 429)  # client errors worth another try (timeout, rate limit)
NODE_HEADER = "X-Exchange-Node"  # the sending node: the key id of its SM2 public key


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


class DeliveryFailed(Exception):
    """One attempt failed: `message` says why in Chinese; `final` when retrying cannot help
    (the receiver refused the package: a 4xx answer other than 408/429)."""

    def __init__(self, message: str, *, final: bool = False) -> None:
        super().__init__(message)
        self.message, self.final = message, final


@dataclass(frozen=True, slots=True)
class Target:
    """Where pending changes go: a folder, a URL, or both (settings `exchange_outbox*`)."""

    folder: Path | None = None
    url: str | None = None
    api_key: str | None = None
    http: Any = None  # an httpx.Client; None: one is opened per delivery (tests pass their own)
    timeout: float = 60.0


def send_pending(
    session: Session,
    *,
    outbox_dir: Path | None = None,
    catalog: Catalog,
    key: signing.SigningKey,
    now: datetime,
    target: Target | None = None,
    sleep: Callable[[float], None] = time.sleep,
    backoff: float = 1.0,
) -> Sent:
    """Build one package of every change not yet sent and deliver it to every destination
    (`outbox_dir`, or `target`'s folder and URL); mark its outbox rows sent when all took it.
    The caller commits right after (the job: `xinyong jobs run exchange`); a crash in between
    sends the package again, which the receiver's import leaves unchanged."""
    target = target or Target(folder=outbox_dir)
    if pending(session) == 0:
        return Sent(0, None, None, 0)
    after = last_sent_cursor(session)
    node = {"key_id": key.public_key.key_id}
    with tempfile.TemporaryDirectory() as tmp:
        built = Path(tmp) / "package"
        manifest = package.export_package(session, built, after=after, catalog=catalog, key=key,
                                          node=node, signed_at=now)  # fmt: skip
        name = f"{now:%Y%m%d%H%M%S}-{manifest['until']}"
        steps: list[Callable[[], None]] = []
        if target.folder is not None:
            folder = target.folder
            steps.append(lambda: _to_folder(built, folder, name))
        if target.url is not None:
            archive = package.archive_bytes(built)
            steps.append(lambda: _to_url(archive, f"{name}.zip", target, node["key_id"]))
        error, attempts = _deliver(steps, sleep=sleep, backoff=backoff)
    if error is not None:  # shown on /admin/exchange: never an ID number in clear
        error = identifiers.mask_text(error)
    if error is None:
        until = feed.Cursor.parse(manifest["until"])
        session.execute(
            update(OutboxEntry)
            .where(OutboxEntry.sent_at.is_(None), OutboxEntry.id <= until.entry)
            .values(sent_at=now, attempts=OutboxEntry.attempts + attempts, last_error=None)
        )
        session.flush()
        return Sent(int(manifest["changes"]), name, None, attempts)
    session.execute(
        update(OutboxEntry)
        .where(OutboxEntry.sent_at.is_(None))
        .values(attempts=OutboxEntry.attempts + attempts, last_error=error[:2000])
    )
    session.flush()
    return Sent(0, None, error, attempts)


def _deliver(
    steps: list[Callable[[], None]], *, sleep: Callable[[float], None], backoff: float
) -> tuple[str | None, int]:
    """Each destination in turn, up to ATTEMPTS tries with exponential backoff between them.
    Returns (the last failure or None, attempts used). A destination that took the package is
    not tried again within this run."""
    attempt = 0
    for step in steps:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                step()
                break
            except DeliveryFailed as exc:
                if exc.final or attempt == ATTEMPTS:
                    return f"第 {attempt} 次{exc.message}", attempt
                sleep(backoff * 2 ** (attempt - 1))
    return None, max(attempt, 1)


def _to_folder(built: Path, outbox_dir: Path, name: str) -> None:
    """Copied to a hidden folder, renamed when complete: the transfer never picks up half."""
    try:
        outbox_dir.mkdir(parents=True, exist_ok=True)
        partial = outbox_dir / f".partial-{name}"
        shutil.rmtree(partial, ignore_errors=True)
        shutil.copytree(built, partial)
        partial.rename(outbox_dir / name)
    except OSError as exc:
        raise DeliveryFailed(f"写入交换包失败：{exc}") from exc


def _to_url(archive: bytes, name: str, target: Target, node: str) -> None:
    """POST the package as one zip file with the sending node's identity (its key id)."""
    import httpx  # noqa: PLC0415 — only the job that delivers to a URL needs it

    assert target.url is not None
    headers = {"Content-Type": "application/zip", NODE_HEADER: node, "X-Package-Name": name}
    if target.api_key:
        headers["X-API-Key"] = target.api_key
    client = target.http or httpx.Client(timeout=target.timeout)
    try:
        answer = client.post(target.url, content=archive, headers=headers)
    except httpx.HTTPError as exc:
        raise DeliveryFailed(
            f"发送交换包失败：无法连接接收方（{type(exc).__name__}：{exc}）"
        ) from exc
    finally:
        if target.http is None:
            client.close()
    if answer.is_success:
        return
    reason = _reason(answer)
    final = answer.is_client_error and answer.status_code not in RETRY_STATUSES
    verb = "接收方拒收交换包" if final else "发送交换包失败"
    raise DeliveryFailed(f"{verb}（HTTP {answer.status_code}）：{reason}", final=final)


def _reason(answer: Any) -> str:
    """The receiver's message (our error body's `message`), else the start of its text."""
    try:
        body = answer.json()
    except ValueError:
        return str(answer.text)[:300] or "无说明"
    if isinstance(body, dict) and body.get("message"):
        return str(body["message"])
    return json.dumps(body, ensure_ascii=False)[:300]


def receive_inbox(
    session: Session,
    *,
    inbox_dir: Path,
    trusted: intake.Trusted,
    catalog: Catalog,
    calendar: Calendar,
    actor: Actor,
    today: date,
    layouts: dict[str, national.Layout] | None = None,
) -> list[dict[str, Any]]:
    """Import every package waiting in the inbox, oldest name first; a CSV or XLSX file is a
    national list file (总对总), its layout told by its headers (`layouts`). `trusted`: the
    office's keyring (`keyring.office_keyring`: whose package keys are accepted, and when)."""
    keys = intake.ring_of(trusted)
    out: list[dict[str, Any]] = []
    if not inbox_dir.is_dir():
        return out
    for item in sorted(inbox_dir.iterdir()):
        if item.name in (DONE, REFUSED) or item.name.startswith("."):
            continue
        try:
            if item.is_file() and item.suffix.lower() in national.SUFFIXES:
                counts = national.import_file(
                    session, item, national_list=None, layouts=layouts or {}, catalog=catalog,
                    calendar=calendar, actor=actor, today=today,
                )  # fmt: skip
            else:
                counts = intake.import_package(
                    session, item, trusted=keys, catalog=catalog, calendar=calendar,
                    actor=actor, today=today,
                )  # fmt: skip
        except (package.PackageRefused, InvalidInput) as exc:
            session.rollback()
            _move(item, inbox_dir / REFUSED)
            reason = identifiers.mask_text(exc.message)
            (inbox_dir / REFUSED / f"{item.name}.reason.txt").write_text(reason, "utf-8")
            out.append({"package": item.name, "refused": reason})
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
