"""Batches: submit a file or rows, process it chunk by chunk, and report on it.

`collect` is the one entry point for every surface (CLI, API, admin upload, demo): read → map
columns → (dry run: validate only) → find or create the batch by content hash → validate, link
and store each chunk → recompute the counters → report. The same file from the same provider for
the same class is the same batch: submitting it again changes nothing and returns its report.
"""

from __future__ import annotations

import hashlib
import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong import audit, auth, clock, identifiers, providers
from xinyong.audit import Actor, AuditAction
from xinyong.catalog import Catalog
from xinyong.collection import pipeline, readers, store
from xinyong.collection.frames import BlockValidator
from xinyong.collection.phases import Phases
from xinyong.collection.pipeline import Progress, Tally
from xinyong.collection.readers import Table
from xinyong.collection.validate import ColumnMap, Context, map_columns
from xinyong.db.base import is_row_id
from xinyong.db.tables import Batch, BatchRow
from xinyong.enums import BatchStatus, RowOutcome
from xinyong.errors import NotFound
from xinyong.log import get_logger

log = get_logger(__name__)


class BatchNotFound(NotFound):
    code = "collection.batch_not_found"


@dataclass(frozen=True, slots=True)
class Submission:
    """What arrived: the bytes, a file (read when needed, never held: a 1M-row file is 434 MB
    that would otherwise stay in memory beside its table) or API rows, and how to name them."""

    info_class: str
    provider_uscc: str
    data: bytes | None = None
    rows: list[dict[str, Any]] | None = None
    file_name: str | None = None
    path: Path | None = None

    def content_hash(self) -> str:
        if self.path is not None:
            digest = hashlib.sha256()
            with self.path.open("rb") as handle:
                while block := handle.read(1 << 20):
                    digest.update(block)
            return digest.hexdigest()
        payload = self.data if self.data is not None else audit_json(self.rows)
        return hashlib.sha256(payload).hexdigest()

    def table(self) -> Table:
        if self.path is not None:
            return readers.read(self.path.read_bytes(), file_name=self.file_name)
        if self.data is not None:
            return readers.read(self.data, file_name=self.file_name)
        return readers.table_from_rows(self.rows)


def audit_json(value: object) -> bytes:

    return json.dumps(audit.jsonable(value), sort_keys=True, ensure_ascii=False).encode("utf-8")


@dataclass(frozen=True, slots=True)
class BatchReport:
    batch_id: int | None
    info_class: str
    status: str
    received: int
    accepted: int
    rejected: int
    new: int
    updated: int
    unchanged: int
    errors: list[dict[str, Any]]
    warnings: list[str]
    encoding: str | None
    flags: list[str] = field(default_factory=list)  # quality thresholds breached
    # A byte-identical file already imported: the earlier batch's id, and what happened in words.
    repeat_of: int | None = None
    message: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "repeat_of": self.repeat_of,
            "message": self.message,
            "batch_id": self.batch_id,
            "info_class": self.info_class,
            "status": self.status,
            "received": self.received,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "new": self.new,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": self.errors,
            "warnings": self.warnings,
            "encoding": self.encoding,
            "flags": self.flags,
        }


# ---- queries ----------------------------------------------------------------------------------


def get(session: Session, batch_id: int, *, actor: Actor) -> Batch:
    """One batch, for its own department (`auth.require_provider_scope`) or the credit office."""
    batch = session.get(Batch, batch_id) if is_row_id(batch_id) else None
    if batch is None:
        raise BatchNotFound(f"未找到编号为 {batch_id} 的批次")
    auth.require_provider_scope(actor, batch.provider_id)
    return batch


def list_batches(
    session: Session, *, provider_id: int | None = None, limit: int = 50
) -> list[Batch]:
    stmt = select(Batch).order_by(Batch.id.desc()).limit(limit)
    if provider_id is not None:
        stmt = stmt.where(Batch.provider_id == provider_id)
    return list(session.execute(stmt).scalars())


def duration(batch: Batch) -> timedelta | None:
    """From submission (`created_at`) to the end of processing (`finished_at`); None while the
    batch is processing (or for a batch finished before `finished_at` was kept)."""
    if batch.finished_at is None or batch.created_at is None:
        return None
    start, end = (clock.as_utc(t) for t in (batch.created_at, batch.finished_at))
    return max(end - start, timedelta(0))


def rejected_rows(session: Session, batch_id: int) -> list[BatchRow]:
    stmt = (
        select(BatchRow)
        .where(BatchRow.batch_id == batch_id, BatchRow.outcome == RowOutcome.REJECTED)
        .order_by(BatchRow.row_no)
    )
    return list(session.execute(stmt).scalars())


def repeat_message(session: Session, batch: Batch) -> str:
    """What a resubmission of batch `batch`'s exact file did: nothing."""
    provider = providers.get(session, batch.provider_id)
    return (
        f"该文件与第 {batch.id} 号批次（{batch.received_on.isoformat()}，{provider.name}报送）"
        "的文件完全相同，是重复报送：本次未写入任何数据，以下为原批次的报告"
    )


def report(
    session: Session, batch: Batch, catalog: Catalog | None = None, *, repeat: bool = False
) -> BatchReport:
    """The batch's report; `repeat`: the answer to a resubmission of its exact file, which says
    so (`repeat_of`, `message`) above the original figures."""
    errors = [
        {"row": r.row_no, **issue, "message": identifiers.mask_text(issue["message"])}
        for r in rejected_rows(session, batch.id)
        for issue in r.issues or []
    ]
    return BatchReport(
        batch_id=batch.id,
        info_class=batch.info_class,
        status=batch.status,
        received=batch.received,
        accepted=batch.accepted,
        rejected=batch.rejected,
        new=batch.new,
        updated=batch.updated,
        unchanged=batch.unchanged,
        errors=errors,
        warnings=[identifiers.mask_text(w) for w in batch.warnings or []],
        encoding=batch.encoding,
        flags=_flags(batch, catalog) if catalog else [],
        repeat_of=batch.id if repeat else None,
        message=repeat_message(session, batch) if repeat else None,
    )


def _flags(batch: Batch, catalog: Catalog) -> list[str]:
    quality = catalog.info_class(batch.info_class).quality
    flags = []
    if batch.received and batch.rejected / batch.received > quality.max_rejection_ratio:
        ratio = batch.rejected / batch.received
        flags.append(f"退回率 {ratio:.1%} 超过目录阈值 {quality.max_rejection_ratio:.0%}")
    return flags


# ---- actions ----------------------------------------------------------------------------------


def collect(
    session: Session,
    submission: Submission,
    *,
    catalog: Catalog,
    calendar: clock.Calendar,
    dry_run: bool = False,
    progress: Progress | None = None,
    durable: bool = True,
    actor: Actor,
    today: date,
    phases: Phases | None = None,
) -> BatchReport:
    """Validate and store a submission; a batch-level problem raises before anything is stored.

    `durable=True` commits chunk by chunk (resumable after kill -9); `False` only flushes, for a
    caller that owns a single transaction (the demo loader). `phases`: where the pipeline's
    timers go (collection/phases.py; a fresh one when not given).
    """
    phases = phases or Phases()
    info_class = catalog.info_class(submission.info_class)
    provider = providers.get_by_uscc(session, submission.provider_uscc)
    auth.require_provider_scope(actor, provider.id)
    with ThreadPoolExecutor(1, thread_name_prefix="collection-hash") as hashing:
        # the file's SHA-256 (hashlib lets go of the GIL on large blocks) while Polars reads it
        digest = hashing.submit(submission.content_hash) if not dry_run else None
        with phases.time("read"):
            table = submission.table()
        columns = map_columns(info_class, table.headers)
        if digest is None:
            return _dry_run(table, columns, Context(info_class, catalog, today, today, calendar))
        with phases.time("find batch"):  # waits for the hash, then finds or adds the batch row
            batch = _find_or_create(session, submission, digest.result(), table, provider.id,
                                    catalog, durable=durable, actor=actor, today=today)  # fmt: skip
    if batch.status == BatchStatus.DONE:  # the same bytes again: nothing is written
        log.info("batch repeated", batch_id=batch.id, provider_id=provider.id)
        return report(session, batch, catalog, repeat=True)
    ctx = Context(info_class, catalog, today, batch.received_on, calendar)
    pipeline.process(session, batch, table, columns, ctx, progress=progress, durable=durable,
                     actor=actor, phases=phases)  # fmt: skip
    return report(session, batch, catalog)


def _find_or_create(
    session: Session,
    submission: Submission,
    digest: str,
    table: Table,
    provider_id: int,
    catalog: Catalog,
    *,
    durable: bool,
    actor: Actor,
    today: date,
) -> Batch:
    stmt = select(Batch).where(
        Batch.provider_id == provider_id,
        Batch.info_class == submission.info_class,
        Batch.content_hash == digest,
    )
    found = session.execute(stmt).scalar_one_or_none()
    if found is not None:
        return found
    batch = Batch(
        provider_id=provider_id,
        info_class=submission.info_class,
        content_hash=digest,
        file_name=(submission.file_name or "")[-255:] or None,
        source_format=table.source_format,
        encoding=table.encoding,
        status=BatchStatus.PROCESSING.value,
        received_on=today,
        catalog_version=catalog.version,
        submitted_by=actor.label[:200],
        columns=list(table.headers),
        warnings=[],
        fill_counts={},
    )
    session.add(batch)
    session.flush()
    audit.record(
        session,
        actor,
        AuditAction.BATCH_SUBMITTED,
        target_type="batch",
        target_id=batch.id,
        after={"info_class": batch.info_class, "provider_id": provider_id, "rows": table.height},
    )
    store.save_batch(session, batch, durable=durable)
    return batch


def _dry_run(table: Table, columns: ColumnMap, ctx: Context) -> BatchReport:
    tally = Tally(BlockValidator(ctx, columns, control_free=table.control_free))
    valid_count, errors = 0, []
    for block in table.blocks():
        checked = tally.validate(block)
        valid_count += checked.accepted.height
        errors += [{"row": r["row_no"], **issue} for r in checked.rejected for issue in r["issues"]]
    rejected_count = len({e["row"] for e in errors})
    return BatchReport(
        batch_id=None,
        info_class=ctx.info_class.id,
        status=BatchStatus.DRY_RUN.value,
        received=valid_count + rejected_count,
        accepted=valid_count,
        rejected=rejected_count,
        new=0,
        updated=0,
        unchanged=0,
        errors=errors,
        warnings=tally.summary(table.headers)["warnings"],
        encoding=table.encoding,
    )
