"""Batches: submit a file or rows, process it chunk by chunk, and report on it.

`collect` is the one entry point for every surface (CLI, API, admin upload, demo): read → map
columns → (dry run: validate only) → find or create the batch by content hash → validate, link
and store each chunk → recompute the counters → report. The same file from the same provider for
the same class is the same batch: submitting it again changes nothing and returns its report.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, timedelta
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong import archive, audit, auth, clock, identifiers, providers, registry_data
from xinyong.audit import Actor, AuditAction
from xinyong.catalog import Catalog
from xinyong.collection import readers, store, writer
from xinyong.collection.frames import ACCEPTED, FILLED, BlockValidator, Checked, rejected_outcome
from xinyong.collection.link import Linker
from xinyong.collection.readers import Table
from xinyong.collection.validate import (
    ROLE_COLUMNS,
    ColumnMap,
    Context,
    RejectedRow,
    RowIssue,
    map_columns,
)
from xinyong.db import lean_record
from xinyong.db.base import is_row_id
from xinyong.db.tables import Batch, BatchRow
from xinyong.disclosure import stored
from xinyong.enums import BatchStatus
from xinyong.errors import NotFound
from xinyong.log import get_logger

log = get_logger(__name__)
MAX_WARNINGS = 200
Progress = Callable[[int, int], None]


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
    import json  # noqa: PLC0415

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


def get(session: Session, batch_id: int) -> Batch:
    batch = session.get(Batch, batch_id) if is_row_id(batch_id) else None
    if batch is None:
        raise BatchNotFound(f"未找到编号为 {batch_id} 的批次")
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
    start, end = (
        t if t.tzinfo else t.replace(tzinfo=UTC)  # SQLite keeps UTC without the zone
        for t in (batch.created_at, batch.finished_at)
    )
    return max(end - start, timedelta(0))


def rejected_rows(session: Session, batch_id: int) -> list[BatchRow]:
    stmt = (
        select(BatchRow)
        .where(BatchRow.batch_id == batch_id, BatchRow.outcome == "rejected")
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
) -> BatchReport:
    """Validate and store a submission; a batch-level problem raises before anything is stored.

    `durable=True` commits chunk by chunk (resumable after kill -9); `False` only flushes, for a
    caller that owns a single transaction (the demo loader).
    """
    info_class = catalog.info_class(submission.info_class)
    provider = providers.get_by_uscc(session, submission.provider_uscc)
    auth.require_provider_scope(actor, provider.id)
    table = submission.table()
    columns = map_columns(info_class, table.headers)
    if dry_run:
        return _dry_run(table, columns, Context(info_class, catalog, today, today, calendar))
    batch = _find_or_create(
        session, submission, table, provider.id, catalog, durable=durable, actor=actor, today=today
    )
    if batch.status == BatchStatus.DONE:  # the same bytes again: nothing is written
        log.info("batch repeated", batch_id=batch.id, provider_id=provider.id)
        return report(session, batch, catalog, repeat=True)
    ctx = Context(info_class, catalog, today, batch.received_on, calendar)
    _process(session, batch, table, columns, ctx, progress=progress, durable=durable, actor=actor)
    return report(session, batch, catalog)


def _find_or_create(
    session: Session,
    submission: Submission,
    table: Table,
    provider_id: int,
    catalog: Catalog,
    *,
    durable: bool,
    actor: Actor,
    today: date,
) -> Batch:
    digest = submission.content_hash()
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


def _process(
    session: Session,
    batch: Batch,
    table: Table,
    columns: ColumnMap,
    ctx: Context,
    *,
    progress: Progress | None,
    durable: bool,
    actor: Actor,
) -> None:
    done = store.done_chunks(session, batch.id)
    tally = _Tally(BlockValidator(ctx, columns))
    linker = Linker(session, batch_id=batch.id, actor=actor, today=ctx.today)
    severity = _severity(session, batch, ctx.catalog)
    processed = 0
    with writer.for_batch(session, batch, durable=durable) as sink:
        for block in table.blocks():
            checked = tally.validate(block)
            for first, last in _chunks(block["_row"]):
                if first not in done:
                    accepted = checked.accepted.filter(pl.col("row_no").is_between(first, last))
                    rejected = [r for r in checked.rejected if first <= r["row_no"] <= last]
                    ids, name_warnings = linker.link(accepted)
                    if ctx.info_class.kind == registry_data.REGISTRATION_CLASS:
                        apply_registration(session, batch, accepted, ids, actor=actor)
                    else:  # the registry's own rows are where names change
                        tally.warnings.extend(name_warnings)
                    chunk = store.prepare(
                        session, batch, (first, last), accepted, rejected, ids, severity
                    )
                    sink.put(chunk)
                processed += int(last - first + 1)
                if progress:
                    progress(min(processed, table.height), table.height)
    values = tally.summary(table.headers)
    store.finish(session, batch, values, durable=durable)
    audit.record(
        session,
        actor,
        AuditAction.BATCH_PROCESSED,
        target_type="batch",
        target_id=batch.id,
        after={
            k: getattr(batch, k) for k in ("received", "accepted", "rejected", "new", "updated")
        },
    )
    store.save_batch(session, batch, durable=durable)
    log.info("batch processed", batch_id=batch.id, accepted=batch.accepted, rejected=batch.rejected)


def apply_registration(
    session: Session, batch: Batch, accepted: pl.DataFrame, ids: pl.DataFrame, *, actor: Actor
) -> None:
    """Registration rows update their subjects (verified, renamed, related parties) in the
    transaction of their chunk (registry_data.apply_chunk)."""
    columns = list(ROLE_COLUMNS.values())
    linked = accepted.select("row_no", "subject_code", "natural_key", "data", *columns)
    linked = linked.join(ids, on="subject_code").sort("row_no")
    rows = [  # the full source row: the stored `data` is lean (lean_record)
        registry_data.Row(row["subject_id"], lean_record.rebuild(
            batch.info_class, row["natural_key"], row, json.loads(row["data"])
        ), batch.id, row["row_no"])
        for row in linked.iter_rows(named=True)
    ]  # fmt: skip
    registry_data.apply_chunk(
        session, rows, actor=actor, reason=f"登记注册信息：归集批次 {batch.id}"
    )


def _chunks(row_nos: pl.Series) -> list[tuple[int, int]]:
    """(first, last) source row number of each committed chunk of a block."""
    bounds = []
    for offset in range(0, row_nos.len(), readers.CHUNK):
        part = row_nos.slice(offset, readers.CHUNK)
        bounds.append((int(part[0]), int(part[-1])))
    return bounds


class _Tally:
    """Validation over the whole file, deterministic on every run (so a resume agrees with the
    first run): duplicate natural keys, fill counts, timeliness gaps, warnings."""

    def __init__(self, validator: BlockValidator) -> None:
        self.validator = validator
        self.seen = pl.DataFrame(schema={"natural_key": pl.String, "first_row": pl.Int64})
        self.fill: dict[str, int] = {}
        self.gaps: set[int] = set()
        self.unknown = 0
        self.warnings: list[str] = []

    def validate(self, block: pl.DataFrame) -> Checked:
        checked = self.validator.check(block)
        accepted, duplicates = self._unique(checked.accepted, block)
        for name in (c for c in accepted.columns if c.startswith(FILLED)):
            count = int(accepted[name].sum())
            if count:
                key = name.removeprefix(FILLED)
                self.fill[key] = self.fill.get(key, 0) + count
        gaps = accepted["calendar_gap"].drop_nulls()
        self.gaps.update(int(g) for g in gaps.unique())
        self.unknown += gaps.len()
        rejected = sorted([*checked.rejected, *duplicates], key=lambda r: int(r["row_no"]))
        return Checked(accepted.select(list(ACCEPTED)), rejected)

    def _unique(
        self, accepted: pl.DataFrame, block: pl.DataFrame
    ) -> tuple[pl.DataFrame, list[dict[str, Any]]]:
        """A natural key seen in an earlier accepted row rejects the later rows."""
        marked = accepted.join(self.seen, on="natural_key", how="left").with_columns(
            first_row=pl.coalesce("first_row", pl.col("row_no").min().over("natural_key"))
        )
        fresh = marked.filter(pl.col("first_row") == pl.col("row_no"))
        self.seen = pl.concat([self.seen, fresh.select("natural_key", "first_row")])
        repeated = marked.filter(pl.col("first_row") != pl.col("row_no"))
        if repeated.height == 0:
            return fresh.drop("first_row"), []
        firsts = dict(repeated.select("row_no", "first_row").iter_rows())
        cells = block.filter(pl.col("_row").is_in(list(firsts)))
        duplicates = []
        for source in cells.rows():
            row_no = int(source[0])
            msg = f"与第{firsts[row_no]}行是同一条记录（业务主键相同），同一批次中只能出现一次"
            issue = RowIssue(row_no, "", "collection.duplicate_key", msg)
            duplicates.append(rejected_outcome(RejectedRow(row_no, [issue]), source[1:]))
        return fresh.drop("first_row"), duplicates

    def summary(self, headers: tuple[str, ...]) -> dict[str, Any]:
        warnings = [
            f"列“{h}”不属于本信息类的任何数据项，已忽略" for h in self.validator.columns.unused
        ]
        warnings += [
            f"{year} 年的工作日历尚未录入，决定日期在该年的 {self.unknown} 行上报及时性记为“未知”"
            for year in sorted(self.gaps)
        ]
        warnings += self.warnings
        if len(warnings) > MAX_WARNINGS:
            extra = len(warnings) - MAX_WARNINGS
            warnings = [*warnings[:MAX_WARNINGS], f"……另有 {extra} 条提示未列出"]
        return {"warnings": warnings, "fill_counts": self.fill, "timeliness_unknown": self.unknown}


def _severity(
    session: Session, batch: Batch, catalog: Catalog
) -> Callable[[pl.DataFrame], pl.DataFrame]:
    """Each chunk's new versions classified by disclosure's severity rule, stored so that the
    双公示 listing filters in SQL (disclosure/stored.py); the provider's kind picks its table."""
    kind = archive.provider_kinds(session, [batch.provider_id]).get(batch.provider_id)
    return functools.partial(stored.classify_frame, catalog, batch.info_class, kind)


def _dry_run(table: Table, columns: ColumnMap, ctx: Context) -> BatchReport:
    tally = _Tally(BlockValidator(ctx, columns))
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
