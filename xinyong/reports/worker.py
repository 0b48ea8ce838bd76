"""What a report process does: one whole report, in its own transaction.

A web request that asks for a report authenticates the caller, then hands a `Job` to the app's
report pool (`pool.RenderPool.issue`). The pool's process opens its own transaction on
the platform's database and runs `issue` in it — consent (403 without it), gathering,
rendering, the SM2 signature, the snapshot row, the query log and the audit row — and commits:
the query log is still written in the same transaction as the read. The server process gets the
signed bytes back (`Made`) and only sends them. So the ~30 ms of ORM work a report's gathering
costs, and everything after it, leave the server process's GIL. Before its transaction starts, a
report takes one of the machine's report slots (`slots`: cores − 1 by default, shared by every
server process's pool), so report work and the PostgreSQL reads it causes never take every core.

The process keeps its engine and its catalog (reloaded when the app's version moves on) for
every job it runs; `start` is its initializer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

from xinyong import subjects
from xinyong.audit import Actor
from xinyong.catalog import Catalog, CatalogHolder
from xinyong.config import Settings
from xinyong.db.session import make_engine, make_sessionmaker, transaction
from xinyong.reports import pdf, priority, slots
from xinyong.reports.cores import confine, report_cores
from xinyong.reports.issue import Issued, Request, hold_write_lock, issue
from xinyong.reports.issuer import issuer_for

NICE = priority.NICE  # report processes' niceness and group weight (see `priority`)
SLOT_WAIT = 10.0  # seconds a report may wait for a machine-wide slot before it is refused


@dataclass(frozen=True, slots=True)
class Job:
    """One report asked for over the web: whom (`ref`), what, by whom, where it is verified."""

    ref: str
    asked: Request
    actor: Actor
    base_url: str
    today: date
    catalog_version: str


@dataclass(frozen=True, slots=True)
class Made:
    """A signed report as the server sends it (the row is stored and committed)."""

    number: str
    kind: str
    digest: str
    valid_until: date
    verify_url: str
    data: bytes

    @classmethod
    def of(cls, issued: Issued) -> Made:
        row = issued.row
        return cls(
            row.number, row.kind, row.digest, row.valid_until, issued.content.verify_url,
            issued.data,
        )  # fmt: skip


@dataclass
class _State:
    settings: Settings
    factory: sessionmaker[Session]
    catalogs: CatalogHolder
    slots: slots.Slots


_state: _State | None = None


def start(settings: Settings | None) -> None:
    """A report process's initializer: a session and scheduling group of its own at the lowest
    priority (`priority.background`), the font, the engine and the catalog."""
    global _state  # noqa: PLW0603 — one per process, set once
    priority.background(NICE, own_session=settings is None or settings.report_own_session)
    if settings is None:
        pdf.warm_up()
        return
    admitted = machine_slots(settings)  # counted on the cores before confining to some
    confined = report_cores(admitted.count) if settings.report_confine_cores else None
    confine(confined)  # the interactive core(s) left free (reports/cores.py)
    pdf.warm_up()
    engine = make_engine(settings.database_url)
    backend_priority(engine, settings.report_backend_nice, confined)
    factory = make_sessionmaker(engine)
    catalogs = CatalogHolder(settings.catalog_dir, settings.catalog_override_dir)
    _state = _State(settings, factory, catalogs, admitted)


def backend_priority(engine: Engine, nice: int, confined: frozenset[int] | None = None) -> None:
    """Each PostgreSQL connection this report process opens gets its backend's priority lowered
    to `nice`, and its backend confined to the report cores `confined`, where permitted
    (`priority.lower_backend`; 0 or SQLite: nothing)."""
    if nice <= 0 or engine.dialect.name != "postgresql":
        return

    def lowered(dbapi_connection: object, _record: object) -> None:
        try:
            priority.lower_backend(dbapi_connection, nice, confined)
        finally:
            dbapi_connection.rollback()  # type: ignore[attr-defined]  # the look-up's transaction

    event.listen(engine, "connect", lowered)


def run(job: Job) -> Made:
    """Issue `job`'s report in this process's own transaction (committed before returning)."""
    if _state is None:
        raise RuntimeError("report process started without settings")
    catalog = _state.catalogs.current
    if catalog.version != job.catalog_version:
        catalog = _state.catalogs.reload()
    # A machine-wide slot first (reports never take every core), then the transaction.
    with _state.slots.held(SLOT_WAIT), transaction(_state.factory) as session:
        hold_write_lock(session)  # SQLite: the write lock first (see there)
        return issue_in(session, job, settings=_state.settings, catalog=catalog)


def machine_slots(settings: Settings) -> slots.Slots:
    """The machine's report slots (settings `report_slots`, default cores − 1)."""
    return slots.for_settings(settings.data_dir, settings.report_slots)


def issue_in(session: Session, job: Job, *, settings: Settings, catalog: Catalog) -> Made:
    """The report of `job` in `session` (a report process's, or the request's without a pool)."""
    subject = subjects.get_by_ref(session, job.ref)
    issuer = issuer_for(settings, catalog, job.base_url)
    issued = issue(
        session, subject, job.asked, actor=job.actor, issuer=issuer, catalog=catalog,
        today=job.today, surface="report",
    )  # fmt: skip
    return Made.of(issued)
