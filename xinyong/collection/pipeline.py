"""Pipeline: a batch's rows validated a block at a time, then linked and classified a chunk at
a time on the calling thread, each chunk handed to the writer (writer.py) that stores the
previous ones meanwhile — on PostgreSQL a thread on its own connection, so that storing chunk n
overlaps the work on chunk n + 1. Every phase is timed per thread (phases.py).

`Tally` keeps what spans the whole file (duplicate natural keys, fill counts, timeliness gaps,
warnings), deterministic on every run so that a resumed batch agrees with its first run.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from itertools import compress
from typing import Any

import polars as pl
from sqlalchemy.orm import Session

from xinyong import archive, audit, registry_data
from xinyong.audit import Actor, AuditAction
from xinyong.catalog import Catalog
from xinyong.collection import readers, store, writer
from xinyong.collection.frames import FILLED, BlockValidator, Checked, rejected_outcome
from xinyong.collection.link import Linker
from xinyong.collection.phases import Phases
from xinyong.collection.readers import Table
from xinyong.collection.validate import ROLE_COLUMNS, ColumnMap, Context, RejectedRow, RowIssue
from xinyong.db import lean_record
from xinyong.db.session import is_postgres
from xinyong.db.tables import Batch
from xinyong.disclosure import stored
from xinyong.log import get_logger

log = get_logger(__name__)
MAX_WARNINGS = 200
Progress = Callable[[int, int], None]


def process(
    session: Session,
    batch: Batch,
    table: Table,
    columns: ColumnMap,
    ctx: Context,
    *,
    progress: Progress | None,
    durable: bool,
    actor: Actor,
    phases: Phases,
) -> None:
    """Validate, link and classify each chunk on this thread while the writer stores the
    previous ones; then the batch's counters, its audit row and its end."""
    done = store.done_chunks(session, batch.id)
    tally = Tally(BlockValidator(ctx, columns, control_free=table.control_free))
    linker = Linker(session, batch_id=batch.id, actor=actor, today=ctx.today)
    severity = _severity(session, batch, ctx.catalog)
    processed = 0
    main = session.connection().connection.driver_connection if is_postgres(session) else None
    with (
        phases.pool(),
        phases.server(main),
        writer.for_batch(session, batch, durable=durable, phases=phases) as sink,
    ):
        # the class holds no record but this batch's own (whose keys Tally never lets recur),
        # and the writer's lock keeps other batches out until it ends: nothing to probe for
        probe = not isinstance(sink, writer.Writer) or store.others_in_class(session, batch)
        # the first block is one chunk: the writer starts after one chunk's work, not five
        for block in table.blocks(first=readers.CHUNK):
            with phases.time("validate"):
                checked = tally.validate(block)
            for first, last in _chunks(block["_row"]):
                if first not in done:
                    sink.put(_chunk(session, batch, checked, (first, last), linker, tally, ctx,
                                    severity, actor=actor, phases=phases, probe=probe))  # fmt: skip
                processed += int(last - first + 1)
                if progress:
                    progress(min(processed, table.height), table.height)
    values = tally.summary(table.headers)
    with phases.time("finish"):
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


def _chunk(
    session: Session,
    batch: Batch,
    checked: Checked,
    bounds: tuple[int, int],
    linker: Linker,
    tally: Tally,
    ctx: Context,
    severity: Callable[[pl.DataFrame], pl.DataFrame],
    *,
    actor: Actor,
    phases: Phases,
    probe: bool = True,
) -> store.Chunk:
    """One chunk of a validated block linked to its subjects and classified new / updated /
    unchanged against the current versions (`store.prepare`; `probe=False`: there are none)."""
    first, last = bounds
    with phases.time("link"):
        accepted = checked.accepted.filter(pl.col("row_no").is_between(first, last))
        rejected = [r for r in checked.rejected if first <= r["row_no"] <= last]
        ids, name_warnings = linker.link(accepted)
        if ctx.info_class.kind == registry_data.REGISTRATION_CLASS:
            apply_registration(session, batch, accepted, ids, actor=actor)
        else:  # the registry's own rows are where names change
            tally.warnings.extend(name_warnings)
    with phases.time("probe"):
        return store.prepare(session, batch, bounds, accepted, rejected, ids, severity, probe=probe)


def _severity(
    session: Session, batch: Batch, catalog: Catalog
) -> Callable[[pl.DataFrame], pl.DataFrame]:
    """Each chunk's new versions classified by disclosure's severity rule, stored so that the
    双公示 listing filters in SQL (disclosure/stored.py); the provider's kind picks its table."""
    kind = archive.provider_kinds(session, [batch.provider_id]).get(batch.provider_id)
    return functools.partial(stored.classify_frame, catalog, batch.info_class, kind)


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


class Tally:
    """Validation over the whole file, deterministic on every run (so a resume agrees with the
    first run): duplicate natural keys, fill counts, timeliness gaps, warnings."""

    def __init__(self, validator: BlockValidator) -> None:
        self.validator = validator
        # natural key → its first accepted row, over the blocks before: a dict, so that a block
        # costs the same whether 10 thousand or 10 million keys came before it (a join with a
        # frame of every earlier key grew with the file)
        self.seen: dict[str, int] = {}
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
        filled = [c for c in accepted.columns if c.startswith(FILLED)]
        return Checked(accepted.drop(filled), rejected)

    def _unique(
        self, accepted: pl.DataFrame, block: pl.DataFrame
    ) -> tuple[pl.DataFrame, list[dict[str, Any]]]:
        """A natural key seen in an earlier accepted row rejects the later rows."""
        keys = accepted["natural_key"].to_list()
        earlier = pl.Series(list(map(self.seen.get, keys)), dtype=pl.Int64)
        fresh = accepted.select(
            earlier.is_null() & pl.col("natural_key").is_first_distinct()  # rows in order
        ).to_series()
        rows = zip(keys, accepted["row_no"].to_list(), strict=True)
        self.seen.update(compress(rows, fresh.to_list()))
        if fresh.all():
            return accepted, []
        marked = accepted.with_columns(  # the first row of each key, for the message
            first_row=pl.coalesce(earlier, pl.col("row_no").min().over("natural_key"))
        )
        repeated = marked.filter(~fresh)
        firsts = dict(repeated.select("row_no", "first_row").iter_rows())
        cells = block.filter(pl.col("_row").is_in(list(firsts)))
        duplicates = []
        for source in cells.rows():
            row_no = int(source[0])
            msg = f"与第{firsts[row_no]}行是同一条记录（业务主键相同），同一批次中只能出现一次"
            issue = RowIssue(row_no, "", "collection.duplicate_key", msg)
            duplicates.append(rejected_outcome(RejectedRow(row_no, [issue]), source[1:]))
        return accepted.filter(fresh), duplicates

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
