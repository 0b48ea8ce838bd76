"""Quality figures per provider and month: 上报及时率, 合规率, field completeness, rejection causes.

上报及时率 = rows reported within the class's `timeliness_working_days` of the decision date,
counted in working days with the platform calendar, over rows whose timeliness is known (a decision
year without calendar data is "unknown", shown separately, never guessed). 合规率 = accepted rows /
received rows. Completeness = filled accepted cells per field / accepted rows.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.catalog import Catalog
from xinyong.db.tables import Batch, BatchRow, Provider
from xinyong.enums import BatchStatus

RECENT_BATCHES = 200  # rejection causes are read from the latest batches only


@dataclass(frozen=True, slots=True)
class MonthQuality:
    provider_id: int
    provider_name: str
    month: str  # YYYY-MM of the submission date
    batches: int
    received: int
    accepted: int
    rejected: int
    timely: int
    late: int
    unknown: int

    @property
    def compliance_rate(self) -> float | None:
        return self.accepted / self.received if self.received else None

    @property
    def timeliness_rate(self) -> float | None:
        known = self.timely + self.late
        return self.timely / known if known else None


def monthly(session: Session, *, provider_id: int | None = None) -> list[MonthQuality]:
    """One figure per provider and month, oldest month first."""
    stmt = (
        select(Batch, Provider.name)
        .join(Provider, Provider.id == Batch.provider_id)
        .where(Batch.status == BatchStatus.DONE)
    )
    if provider_id is not None:
        stmt = stmt.where(Batch.provider_id == provider_id)
    sums: dict[tuple[int, str, str], list[int]] = {}
    for batch, name in session.execute(stmt):
        key = (batch.provider_id, name, batch.received_on.strftime("%Y-%m"))
        acc = sums.setdefault(key, [0] * 7)
        values = (1, batch.received, batch.accepted, batch.rejected, batch.timely, batch.late,
                  batch.timeliness_unknown)  # fmt: skip
        for i, value in enumerate(values):
            acc[i] += value
    return [
        MonthQuality(pid, name, month, *acc)
        for (pid, name, month), acc in sorted(sums.items(), key=lambda kv: (kv[0][1], kv[0][2]))
    ]


def rejection_causes(session: Session, *, provider_id: int | None = None) -> list[tuple[str, int]]:
    """Error codes of rejected rows in the latest batches, most frequent first."""
    batch_ids = select(Batch.id).order_by(Batch.id.desc()).limit(RECENT_BATCHES)
    if provider_id is not None:
        batch_ids = batch_ids.where(Batch.provider_id == provider_id)
    stmt = select(BatchRow.issues).where(
        BatchRow.batch_id.in_(batch_ids.scalar_subquery()), BatchRow.outcome == "rejected"
    )
    counts: Counter[str] = Counter()
    for issues in session.execute(stmt).scalars():
        counts.update({issue["code"] for issue in issues or []})
    return counts.most_common()


def completeness(
    session: Session, catalog: Catalog, *, provider_id: int | None = None
) -> list[tuple[str, str, float]]:
    """(info class title, field label, fill rate) over accepted rows, least filled first."""
    stmt = select(Batch.info_class, Batch.accepted, Batch.fill_counts).where(
        Batch.status == BatchStatus.DONE
    )
    if provider_id is not None:
        stmt = stmt.where(Batch.provider_id == provider_id)
    filled: Counter[tuple[str, str]] = Counter()
    accepted: Counter[str] = Counter()
    for info_class, count, fill in session.execute(stmt):
        accepted[info_class] += count
        for field_id, n in (fill or {}).items():
            filled[(info_class, field_id)] += n
    out: list[tuple[str, str, float]] = []
    for class_id, total in accepted.items():
        if not total or class_id not in catalog.info_classes:
            continue
        info_class = catalog.info_class(class_id)
        out.extend(
            (info_class.title, fld.label, filled[(class_id, fld.id)] / total)
            for fld in info_class.fields
        )
    return sorted(out, key=lambda item: item[2])
