"""Quality figures per provider and month: 上报及时率, 合规率, field completeness, rejection causes.

上报及时率 = rows reported within the class's `timeliness_working_days` of the decision date,
counted in working days with the platform calendar, over rows whose timeliness is known (a decision
year without calendar data is "unknown", shown separately, never guessed). 合规率 = accepted rows /
received rows. Completeness = filled accepted cells per field / accepted rows.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Text, cast, extract, func, select
from sqlalchemy.orm import Session

from xinyong.catalog import Catalog
from xinyong.db.tables import Batch, BatchRow, Provider
from xinyong.enums import BatchStatus, RowOutcome

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


def monthly(
    session: Session,
    *,
    provider_id: int | None = None,
    since: date | None = None,
    until: date | None = None,
) -> list[MonthQuality]:
    """One figure per provider and month (of the submission date), oldest month first; one
    grouped query. `since` / `until` (inclusive) limit the submission dates."""
    year = extract("year", Batch.received_on)
    month = extract("month", Batch.received_on)
    sums = [func.sum(c) for c in (Batch.received, Batch.accepted, Batch.rejected, Batch.timely,
                                  Batch.late, Batch.timeliness_unknown)]  # fmt: skip
    stmt = (
        select(Batch.provider_id, Provider.name, year, month, func.count(), *sums)
        .join(Provider, Provider.id == Batch.provider_id)
        .where(Batch.status == BatchStatus.DONE)
        .group_by(Batch.provider_id, Provider.name, year, month)
    )
    if provider_id is not None:
        stmt = stmt.where(Batch.provider_id == provider_id)
    if since is not None:
        stmt = stmt.where(Batch.received_on >= since)
    if until is not None:
        stmt = stmt.where(Batch.received_on <= until)
    found = [
        MonthQuality(int(pid), name, f"{int(y):04d}-{int(m):02d}", *(int(v or 0) for v in rest))
        for pid, name, y, m, *rest in session.execute(stmt)
    ]
    return sorted(found, key=lambda q: (q.provider_name, q.month))


def rejection_causes(
    session: Session, *, provider_id: int | None = None
) -> list[tuple[str, int, str]]:
    """(error code, rows, one of its Chinese messages) of rejected rows in the latest batches,
    most frequent first: pages show the message, the code stays for whoever fixes the export."""
    batch_ids = select(Batch.id).order_by(Batch.id.desc()).limit(RECENT_BATCHES)
    if provider_id is not None:
        batch_ids = batch_ids.where(Batch.provider_id == provider_id)
    stmt = select(BatchRow.issues).where(
        BatchRow.batch_id.in_(batch_ids.scalar_subquery()), BatchRow.outcome == RowOutcome.REJECTED
    )
    counts: Counter[str] = Counter()
    examples: dict[str, str] = {}
    for issues in session.execute(stmt).scalars():
        for issue in issues or []:
            examples.setdefault(issue["code"], str(issue.get("message") or issue["code"]))
        counts.update({issue["code"] for issue in issues or []})
    return [(code, n, examples[code]) for code, n in counts.most_common()]


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


# A rejected row is a 错码 row when one of its issues comes from the identifier checks
# (统一社会信用代码 / 身份证号码: length, characters, check digit, birth date …).
WRONG_CODE_MARK = '%"identifiers.%'


@dataclass(frozen=True, slots=True)
class WrongCodes:
    provider_id: int
    provider_name: str
    received: int
    wrong: int

    @property
    def rate(self) -> float | None:
        return self.wrong / self.received if self.received else None


def wrong_codes(session: Session, *, since: date, until: date) -> list[WrongCodes]:
    """重错码: per provider, rows received from `since` to `until` (inclusive, submission date) and
    rows rejected for an invalid identifier. Two grouped queries; nothing is read row by row."""
    window = (
        (Batch.received_on >= since)
        & (Batch.received_on <= until)
        & (Batch.status == BatchStatus.DONE)
    )
    received = session.execute(
        select(Batch.provider_id, Provider.name, func.sum(Batch.received))
        .join(Provider, Provider.id == Batch.provider_id)
        .where(window)
        .group_by(Batch.provider_id, Provider.name)
    ).all()
    wrong = dict(
        session.execute(
            select(Batch.provider_id, func.count())
            .join(BatchRow, BatchRow.batch_id == Batch.id)
            .where(
                window,
                BatchRow.outcome == RowOutcome.REJECTED,
                cast(BatchRow.issues, Text).like(WRONG_CODE_MARK),
            )
            .group_by(Batch.provider_id)
        ).all()
    )
    return sorted(
        (WrongCodes(pid, name, int(n or 0), int(wrong.get(pid, 0))) for pid, name, n in received),
        key=lambda w: w.provider_name,
    )
